// The shared-memory ring of the IPC section: a single-producer single-consumer byte ring meant to
// live in a MAP_SHARED mapping, whose waiting side spins briefly, then sleeps on a futex.
//
// The sleep/wake protocol (WakeProtocol) is Dekker-style: a sleeper sets its bit in `sleeping`,
// re-checks the word it waits on, sleeps on the futex only if the word is unchanged, and clears its
// bit when it returns; a publisher stores the word, then wakes the futex if the bit is set.
// **Only the sleeper ever clears its bit.** The protocol this file had until 2026-12 let the
// publisher clear it (`fetch_and`, "one wake-up per sleep"), and a publisher delayed between seeing
// sleep N's bit and clearing it cleared sleep N+1's instead: that wake-up found nobody queued yet,
// the next publish saw no bit, and the sleeper slept forever (measure/tradeoffs.sh stalled on a quiet
// machine; cases/shared_memory/ring_lost_wakeup is the lesson). A publisher now may wake a sleeper
// that has already gone on: a spare FUTEX_WAKE, never a lost one.
//
// Every atomic step goes through `Ops`, one typed extension point: FutexOps is the real thing;
// harness/tests/shm_ring_test.cpp supplies a model whose every step is a scheduling point and
// explores all interleavings of small rings exhaustively.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>

namespace tradeoffs {

using Word = std::atomic<std::uint32_t>;

// The real atomic steps: sequentially consistent, and futexes that work across processes (not
// FUTEX_*_PRIVATE: the peer is another address space).
struct FutexOps {
  static constexpr int kSpins = 100;
  static std::uint32_t load(const Word& w) { return w.load(); }
  static void store(Word& w, std::uint32_t v) { w.store(v); }
  static std::uint32_t fetch_or(Word& w, std::uint32_t v) { return w.fetch_or(v); }
  static std::uint32_t fetch_and(Word& w, std::uint32_t v) { return w.fetch_and(v); }
  static void spin_pause() { __builtin_ia32_pause(); }
  static void sleep_while(Word& w, std::uint32_t seen) {  // returns at once if w != seen
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&w), FUTEX_WAIT, seen, nullptr, nullptr, 0);
  }
  static void wake_one(Word& w) {
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&w), FUTEX_WAKE, 1, nullptr, nullptr, 0);
  }
};

template <class Ops>
struct WakeProtocol {
  // Returns once `word` may differ from `seen` (it may also return spuriously: callers re-check).
  static void wait_change(Word& sleeping, Word& word, std::uint32_t seen, std::uint32_t bit) {
    for (int spin = 0; spin < Ops::kSpins; ++spin) {
      if (Ops::load(word) != seen) return;
      Ops::spin_pause();
    }
    Ops::fetch_or(sleeping, bit);  // announce, then re-check: a publish after this sees the bit
    if (Ops::load(word) == seen) Ops::sleep_while(word, seen);
    Ops::fetch_and(sleeping, ~bit);  // our own announcement, taken back by us alone
  }
  static void publish(Word& sleeping, Word& word, std::uint32_t value, std::uint32_t bit) {
    Ops::store(word, value);  // store, then look for a sleeper: it re-checks after announcing
    if (Ops::load(sleeping) & bit) Ops::wake_one(word);
  }
};

// One direction of a channel. `Wake` is the protocol (WakeProtocol<Ops>), `kBytes` the capacity.
template <class Ops, template <class> class Wake = WakeProtocol, std::uint32_t kBytes = (1u << 20)>
class ShmRing {
 public:
  static constexpr std::uint32_t kReaderBit = 1;  // the reader sleeps on head (ring empty)
  static constexpr std::uint32_t kWriterBit = 2;  // the writer sleeps on tail (ring full)

  void send(const char* data, std::size_t size) {
    for (std::size_t done = 0; done < size;) {
      const std::uint32_t head = head_.load(std::memory_order_relaxed);  // ours: only we write it
      const std::uint32_t tail = Ops::load(tail_);
      if (head - tail == kBytes) {
        Wake<Ops>::wait_change(sleeping_, tail_, tail, kWriterBit);
        continue;
      }
      const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(kBytes - (head - tail), size - done));
      copy_in(head % kBytes, data + done, n);
      Wake<Ops>::publish(sleeping_, head_, head + n, kReaderBit);
      done += n;
    }
  }
  void recv(char* data, std::size_t size) {
    for (std::size_t done = 0; done < size;) {
      const std::uint32_t tail = tail_.load(std::memory_order_relaxed);  // ours: only we write it
      const std::uint32_t head = Ops::load(head_);
      if (head == tail) {
        Wake<Ops>::wait_change(sleeping_, head_, head, kReaderBit);
        continue;
      }
      const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(head - tail, size - done));
      copy_out(data + done, tail % kBytes, n);
      Wake<Ops>::publish(sleeping_, tail_, tail + n, kWriterBit);
      done += n;
    }
  }

 private:
  void copy_in(std::uint32_t at, const char* from, std::uint32_t n) {
    const std::uint32_t first = std::min(n, kBytes - at);
    std::memcpy(data_ + at, from, first);
    std::memcpy(data_, from + first, n - first);
  }
  void copy_out(char* to, std::uint32_t at, std::uint32_t n) const {
    const std::uint32_t first = std::min(n, kBytes - at);
    std::memcpy(to, data_ + at, first);
    std::memcpy(to + first, data_, n - first);
  }

  alignas(64) Word head_{0};      // bytes written, mod 2^32
  alignas(64) Word tail_{0};      // bytes read
  alignas(64) Word sleeping_{0};  // kReaderBit, kWriterBit: who announced a sleep
  alignas(64) char data_[kBytes];
};

}  // namespace tradeoffs
