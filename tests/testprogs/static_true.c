/* A statically linked program that exits 0 (runs inside an empty chroot). */
int main(void) { return 0; }
