/* The floor for bench/filter_cost: a tracepoint program that does nothing. Attached to the
 * same tracepoint as an Octagon hook, it measures what the kernel charges for running any
 * BPF program there (dispatch, perf record setup), which no filter logic can go below. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint")
int bench_empty_tp(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
