// The trade-offs benchmark's shared-memory ring (harness/bench/tradeoffs/shm_ring.hpp): its
// sleep/wake protocol never loses a wake-up in any interleaving of small rings (exhaustive model),
// the protocol it replaced does (the model can fail), and the real ring carries every byte between
// two threads (the TSan tree checks its memory ordering). Two processes: the ctest test
// shm_ring.processes runs programs/shm_ring_pingpong through `conclab run`.
#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <thread>

#include "shm_ring_model.hpp"

namespace {

using shm_ring_model::ModelOps;
using tradeoffs::Word;

// The protocol as it was until 2026-12: the publisher took the sleeper's announcement back with
// fetch_and, and could take a later sleep's.
template <class Ops>
struct LegacyWakeProtocol {
  static void wait_change(Word& sleeping, Word& word, std::uint32_t seen, std::uint32_t bit) {
    tradeoffs::WakeProtocol<Ops>::wait_change(sleeping, word, seen, bit);
  }
  static void publish(Word& sleeping, Word& word, std::uint32_t value, std::uint32_t bit) {
    Ops::store(word, value);
    if ((Ops::load(sleeping) & bit) && (Ops::fetch_and(sleeping, ~bit) & bit)) Ops::wake_one(word);
  }
};

// A writer that sends `messages` one-byte messages through a ring of `capacity` bytes, and a
// reader that takes them one at a time: both sides sleep (ring empty, ring full) and both publish.
template <template <class> class Protocol, std::uint32_t capacity>
shm_ring_model::Search explore_ring(int messages, int preemption_bound, long max_executions = 200000) {
  using Ring = tradeoffs::ShmRing<ModelOps, Protocol, capacity>;
  auto make = [messages] {
    auto ring = std::make_shared<Ring>();
    std::vector<std::function<void()>> threads;
    threads.emplace_back([ring, messages] {
      for (char c = 0; c < messages; ++c) ring->send(&c, 1);
    });
    threads.emplace_back([ring, messages] {
      for (char expected = 0; expected < messages; ++expected) {
        char got = -1;
        ring->recv(&got, 1);
        if (got != expected) throw std::runtime_error("the ring reordered or lost a byte");
      }
    });
    return threads;
  };
  return shm_ring_model::explore(make, {"writer", "reader"}, preemption_bound, max_executions);
}

std::string show(const std::vector<std::string>& trace) {
  std::string text;
  for (const auto& step : trace) text += "  " + step + "\n";
  return text;
}

TEST(ShmRingModel, LegacyProtocolLosesAWakeUp) {
  const auto search = explore_ring<LegacyWakeProtocol, 4>(2, 3);
  ASSERT_TRUE(search.lost.lost_wakeup) << "the model found no lost wake-up in the old protocol in "
                                       << search.executions << " schedules: it cannot fail";
  std::cout << "the old protocol lost a wake-up in schedule " << search.executions << ":\n"
            << show(search.lost.trace);
}

TEST(ShmRingModel, NoScheduleLosesAWakeUp) {
  // Reader sleeps only (ring never full), both sleep, and a one-byte ring where every send waits.
  const shm_ring_model::Search searches[] = {explore_ring<tradeoffs::WakeProtocol, 4>(2, 3),
                                             explore_ring<tradeoffs::WakeProtocol, 2>(3, 3),
                                             explore_ring<tradeoffs::WakeProtocol, 1>(3, 3)};
  for (const auto& search : searches) {
    EXPECT_FALSE(search.lost.lost_wakeup) << "lost a wake-up:\n" << show(search.lost.trace);
    EXPECT_FALSE(search.lost.too_long) << "a schedule did not end:\n" << show(search.lost.trace);
    EXPECT_TRUE(search.exhaustive) << "stopped after " << search.executions << " schedules";
    EXPECT_GT(search.executions, 100) << "the model explored too little to mean anything";
    std::cout << search.executions << " schedules\n";
  }
}

// The real ring (futexes, spinning) between two threads, for sizes around its capacity.
TEST(ShmRing, ThreadsCarryEveryByteAtEverySize) {
  using Ring = tradeoffs::ShmRing<tradeoffs::FutexOps>;
  constexpr std::size_t kCapacity = 1u << 20;
  const std::pair<std::size_t, int> sizes_and_round_trips[] = {
      {1, 20000}, {7, 5000}, {64, 5000}, {1000, 2000}, {4096, 1000},
      {65536, 60}, {kCapacity - 1, 6}, {kCapacity, 6}, {kCapacity + 3, 6}, {3 * kCapacity, 3}};
  auto there = std::make_unique<Ring>(), back = std::make_unique<Ring>();
  for (const auto& [size, round_trips] : sizes_and_round_trips) {
    std::vector<char> message(size), echo(size), got(size);
    std::thread peer([&, size = size, round_trips = round_trips] {
      for (int i = 0; i < round_trips; ++i) {
        there->recv(echo.data(), size);
        back->send(echo.data(), size);
      }
    });
    for (int i = 0; i < round_trips; ++i) {
      std::iota(message.begin(), message.end(), static_cast<char>(i));
      there->send(message.data(), size);
      back->recv(got.data(), size);
      EXPECT_TRUE(got == message) << "size " << size << ", round trip " << i << ": bytes differ";
    }
    peer.join();
  }
}

}  // namespace
