// The exec target of exec_loop: a static binary that only exits with status 0, so a
// fork+execve+waitpid of it measures the kernel's exec path and whatever sensors hook it
// (perf-baselines section 0 uses a 4.7 KB static binary of this kind).
//
// On x86-64 and aarch64 bench/CMakeLists.txt links it with -nostdlib and defines
// OCTAGON_TINY_NOSTDLIB: _start makes the exit syscall directly, so no libc start-up code runs.
// Elsewhere it is a plain static libc program.
#if defined(OCTAGON_TINY_NOSTDLIB) && defined(__x86_64__)
__asm__(".globl _start\n"
        "_start:\n"
        "  mov $60, %eax\n" // SYS_exit
        "  xor %edi, %edi\n"
        "  syscall\n");
#elif defined(OCTAGON_TINY_NOSTDLIB) && defined(__aarch64__)
__asm__(".globl _start\n"
        "_start:\n"
        "  mov x8, #93\n" // SYS_exit
        "  mov x0, #0\n"
        "  svc #0\n");
#else
int main(void) {
  return 0;
}
#endif
