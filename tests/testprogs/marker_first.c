/* Creates the file argv[1] as its first act, then exits 0: a test that finds no such file
 * knows the program never ran (an exec denied before its first instruction). */
#include <fcntl.h>

int main(int argc, char **argv) { return argc > 1 && open(argv[1], O_CREAT | O_WRONLY, 0600) >= 0 ? 0 : 1; }
