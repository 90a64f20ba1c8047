// Bug: a producer and the consumer it forks share a ring's head index in MAP_SHARED memory and a
//   futex sleep/wake protocol: the consumer sets a "sleeping" bit, re-checks head, sleeps; the
//   producer stores head and, if it sees the bit, clears it (fetch_and) and wakes. A producer that
//   saw the bit of one sleep can clear the bit of the consumer's next sleep instead.
// Symptom: that wake-up finds nobody asleep yet; the next publish sees no bit and wakes nobody; the
//   consumer sleeps forever on a head that has moved on, the producer waits for it: a hang.
//   (Found in our own trade-offs benchmark, which stalled on a quiet machine, never on a busy one.)
// Fix: only the sleeper clears its bit; a producer that sees it only wakes (maybe spare, never lost).
// Tools: no detector models futexes; conclab's hang explainer names the consumer's futex wait.
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <new>
#include <string>
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;
constexpr std::uint32_t kSleeping = 1, kMessages = 2;

struct Ring {                       // one page shared by the producer and the consumer
  std::atomic<std::uint32_t> head{0};      // messages published
  std::atomic<std::uint32_t> sleeping{0};  // kSleeping: the consumer announced a sleep
  Gate first_sleep_announced, producer_saw_bit;  // the schedule (see main)
  Gate second_sleep_announced, stale_clear_done;
};

void sleep_while(std::atomic<std::uint32_t>& word, std::uint32_t seen) {  // across processes
  syscall(SYS_futex, &word, FUTEX_WAIT, seen, nullptr, nullptr, 0);
}
void wake(std::atomic<std::uint32_t>& word) { syscall(SYS_futex, &word, FUTEX_WAKE, 1, nullptr, nullptr, 0); }

// The schedule: returns once `pid` sleeps in futex(FUTEX_WAIT) on `word` (/proc/PID/syscall: 202
// is futex on x86-64, then its address), or after a soft limit of 2 s.
void wait_until_asleep_on(const std::atomic<std::uint32_t>& word, pid_t pid) {
  char expected[64];
  std::snprintf(expected, sizeof expected, "202 %p ", static_cast<const void*>(&word));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string syscall_line;
    std::getline(std::ifstream("/proc/" + std::to_string(pid) + "/syscall"), syscall_line);
    if (syscall_line.starts_with(expected)) return;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

void consume(Ring& ring) {  // waits until every message is published
  std::uint32_t seen = 0;
  for (int sleep = 0; seen < kMessages;) {
    const std::uint32_t head = ring.head.load();
    if (head != seen) { seen = head; continue; }
    ring.sleeping.fetch_or(kSleeping);  // announce, then re-check: a later publish sees the bit
    if (sleep == 0) ring.first_sleep_announced.open(), ring.producer_saw_bit.wait();
    if (sleep++ == 1) ring.second_sleep_announced.open(), ring.stale_clear_done.wait();
    if (ring.head.load() == seen) sleep_while(ring.head, seen);
    ring.sleeping.fetch_and(~kSleeping);  // the consumer takes its own announcement back
  }
}

void publish(Ring& ring, std::uint32_t head) {
  ring.head.store(head);
  if (ring.sleeping.load() & kSleeping) {
    if (head == 1) ring.producer_saw_bit.open(), ring.second_sleep_announced.wait();  // delayed here
    wake(ring.head);  // the bit stays the sleeper's: a spare wake-up at worst, never a lost one
  }
}

int main() {
  void* page = mmap(nullptr, sizeof(Ring), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return 2;
  Ring* ring = new (page) Ring;
  const pid_t consumer = fork();
  if (consumer < 0) return 2;
  if (consumer == 0) consume(*ring), _exit(0);
  // The schedule: publish 1 while the consumer's first sleep is announced; let that sleep end by
  // itself (head moved) and the second begin before publish 1 clears the bit; publish 2 once the
  // consumer is asleep in the kernel.
  ring->first_sleep_announced.wait();
  publish(*ring, 1);
  ring->stale_clear_done.open();
  wait_until_asleep_on(ring->head, consumer);
  publish(*ring, 2);
  int status = 0;
  waitpid(consumer, &status, 0);
  munmap(page, sizeof(Ring));
  return conclab::fixture::expect_eq(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0,
                                     "the consumer's exit status after both messages");
}
