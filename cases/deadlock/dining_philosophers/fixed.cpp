// Bug: three philosophers share three forks; each picks up the fork on its left, then the one on
//   its right. When all three hold their left fork, each waits forever for its right one, which
//   its neighbour holds: a deadlock through a cycle of three locks, no single pair inverted.
// Symptom: --schedule=deadly hangs every run; the default schedule seats them one after another.
// Fix: one global order: every philosopher picks up the lower-numbered of its two forks first.
// Tools: TSan reports lock-order-inversion (a cycle through all three forks) from the default run,
//   which did NOT hang; release and ASan hang under --schedule=deadly: conclab names the cycle.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

constexpr int kSeats = 3;

struct Fork {
  std::mutex m;
  int meals CONCLAB_GUARDED_BY(m) = 0;  // meals eaten with this fork
};

Fork forks[kSeats];
Gate holds_first_fork[kSeats];  // deadly schedule: this philosopher holds its first fork
Gate has_eaten[kSeats];         // default schedule: this philosopher is done

// The philosopher at `seat` eats with fork `seat` (left) and fork `seat + 1` (right). Under the
// deadly schedule it waits, holding its first fork, until its right neighbour holds one too
// (at most a second: a neighbour blocked on the first fork never opens its gate).
void dine(int seat, bool deadly) {
  const int left = seat, right = (seat + 1) % kSeats;
  Fork& first = forks[std::min(left, right)];  // every lock order climbs: no cycle can close
  Fork& second = forks[std::max(left, right)];
  std::lock_guard hold_first(first.m);
  if (deadly) {
    holds_first_fork[seat].open();
    holds_first_fork[right].wait(std::chrono::seconds(1));
  }
  std::lock_guard hold_second(second.m);
  ++first.meals;
  ++second.meals;
}

int main(int argc, char** argv) {
  const bool deadly = argc == 2 && std::string_view(argv[1]) == "--schedule=deadly";
  if (argc > 1 && !deadly) {
    std::fprintf(stderr, "usage: %s [--schedule=deadly]\n", argv[0]);
    return 2;
  }
  std::vector<std::thread> philosophers;
  for (int seat = 0; seat < kSeats; ++seat) {
    philosophers.emplace_back([seat, deadly] {
      if (!deadly && seat > 0) has_eaten[seat - 1].wait();  // default: one philosopher at a time
      dine(seat, deadly);
      has_eaten[seat].open();
    });
  }
  for (std::thread& philosopher : philosophers) philosopher.join();
  int meals = 0;
  for (Fork& fork : forks) {
    std::lock_guard lock(fork.m);  // meals is CONCLAB_GUARDED_BY the fork's mutex
    meals += fork.meals;
  }
  return conclab::fixture::expect_eq(meals, 2 * kSeats, "meals counted on the forks");
}
