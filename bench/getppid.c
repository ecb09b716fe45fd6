// getppid loop: the cost of one cheap syscall, run inside a container with and without a seccomp
// filter. Built static (gcc -static -O2) so it needs nothing from the rootfs.
//   getppid [N]   → prints "ns_per_call=X calls=N"
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  if (n <= 0) n = 1000000;
  for (long i = 0; i < n / 10; i++) syscall(SYS_getppid); /* warm-up */
  long long t0 = now_ns();
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  long long t1 = now_ns();
  printf("ns_per_call=%.2f calls=%ld\n", (double)(t1 - t0) / (double)n, n);
  return 0;
}
