// A CPU-bound program for the limits tests (limits_test.cpp):
//   busy_threads cpu-limit   prints the soft RLIMIT_CPU it was given, in seconds ("unlimited" if none)
//   busy_threads spin N      N threads busy for good, until a limit ends them
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

void spin() {
  volatile unsigned long turns = 0;
  for (;;) turns = turns + 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "cpu-limit") == 0) {
    rlimit cpu{};
    if (::getrlimit(RLIMIT_CPU, &cpu) != 0) return 2;
    if (cpu.rlim_cur == RLIM_INFINITY) std::printf("unlimited\n");
    else std::printf("%llu\n", static_cast<unsigned long long>(cpu.rlim_cur));
    return std::fflush(stdout) == 0 ? 0 : 2;
  }
  if (argc == 3 && std::strcmp(argv[1], "spin") == 0) {
    std::vector<std::thread> threads;
    for (int i = 1; i < std::atoi(argv[2]); ++i) threads.emplace_back(spin);
    spin();
  }
  std::fprintf(stderr, "usage: busy_threads cpu-limit | spin N\n");
  return 2;
}
