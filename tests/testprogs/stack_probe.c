/* Opens argv[1] with a raw openat from octagon_stack_leaf (called through
 * octagon_stack_middle), then sleeps argv[2] seconds (default 3) so that the agent can still
 * read its /proc/<pid>/maps when it symbolizes the user stack. Built with frame pointers. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

__attribute__((noinline)) long octagon_stack_leaf(const char *path)
{
	long ret;
	register long r10 asm("r10") = 0;

	asm volatile("syscall"
		     : "=a"(ret)
		     : "0"((long)SYS_openat), "D"((long)AT_FDCWD), "S"(path), "d"((long)O_RDONLY), "r"(r10)
		     : "rcx", "r11", "memory");
	return ret;
}

__attribute__((noinline)) long octagon_stack_middle(const char *path)
{
	long r = octagon_stack_leaf(path);

	asm volatile("" ::: "memory"); /* not a tail call */
	return r;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	long fd = octagon_stack_middle(argv[1]);
	if (fd >= 0)
		close((int)fd);
	sleep(argc > 2 ? atoi(argv[2]) : 3);
	return 0;
}
