// The same data race raised 50 times, by 50 call paths on 50 heap ints (TSan reports a race once
// per pair of stacks and once per address), and with argument "new" one more race elsewhere
// (race_report_test.cpp: grouping, fingerprints, baselines).
#include <atomic>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

__attribute__((noinline)) void bump(int* value) { ++*value; }

template <int Path>
__attribute__((noinline)) void bump_via(int* value) {
  static volatile int calls = Path;  // a body of its own: the linker must not fold the 50 paths
  calls = calls + 1;
  bump(value);
}

// One thread bumps through path `Path` while main bumps directly, ordered only by a relaxed flag.
template <int Path>
void race_once(std::vector<int*>& values) {
  auto* value = values.emplace_back(new int(0));
  std::atomic<bool> done{false};
  std::thread other([&] {
    bump_via<Path>(value);
    done.store(true, std::memory_order_relaxed);
  });
  while (!done.load(std::memory_order_relaxed)) {
  }
  bump(value);
  other.join();
}

int flag = 0;
__attribute__((noinline)) void set_flag() { flag = 1; }
__attribute__((noinline)) int read_flag() { return flag; }

int main(int argc, char** argv) {
  std::vector<int*> values;  // kept to the end: a freed int's address would be reused
  [&]<int... Paths>(std::integer_sequence<int, Paths...>) {
    (race_once<Paths>(values), ...);
  }(std::make_integer_sequence<int, 50>{});
  if (argc > 1 && std::strcmp(argv[1], "new") == 0) {
    std::atomic<bool> done{false};
    std::thread other([&] {
      set_flag();
      done.store(true, std::memory_order_relaxed);
    });
    while (!done.load(std::memory_order_relaxed)) {
    }
    const int seen = read_flag();
    other.join();
    if (seen != 1) return 1;
  }
  for (auto* value : values) delete value;
  return 0;
}
