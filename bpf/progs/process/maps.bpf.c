/* Defines the process sensor's maps and load-time configuration (see maps/process.bpf.h). */
#define OCT_DEFINE_MAPS
#include "maps/process.bpf.h"

char LICENSE[] SEC("license") = "GPL";
