// A program conclab has never seen: four threads sum into an atomic; nothing is wrong with it.
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

int main() {
  std::atomic<long> total{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t)
    workers.emplace_back([&total] {
      for (int i = 0; i < 10000; ++i) total.fetch_add(1, std::memory_order_relaxed);
    });
  for (auto& w : workers) w.join();
  std::printf("total %ld\n", total.load());
  return total.load() == 40000 ? 0 : 1;
}
