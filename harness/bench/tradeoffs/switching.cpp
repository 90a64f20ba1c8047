// Switching: a ping-pong between two threads of one process or two processes, one iteration = one
// round trip (two wake-ups). Mechanisms: condition variable (threads), futex on shared memory
// (threads, and processes on a MAP_SHARED page), a pipe pair (threads, processes — what
// `perf bench sched pipe [-T]` does). Placements: both on CPU 0 (every wake-up is a context switch
// on one core), on CPUs 0 and 1 (a cross-core wake-up), and unpinned (the scheduler decides).
#include <sys/mman.h>
#include <unistd.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "common.hpp"

namespace tradeoffs {
namespace {

enum Placement { kOneCore, kTwoCores, kUnpinned };
const char* const kPlacementNames[] = {"one_core", "two_cores", "unpinned"};

// The other side: a thread or a forked process, placed on its CPU before it runs `body`.
class Peer {
 public:
  Peer(bool process, Placement where, std::function<void()> body) {
    auto placed = [where, body] {
      if (where != kUnpinned) pin_to(where == kOneCore ? 0 : 1);
      body();
      return 0;
    };
    if (process) pid_ = fork_child(placed);
    else thread_ = std::thread(placed);
  }
  void join() {
    if (thread_.joinable()) thread_.join();
    if (pid_ > 0) reap(pid_);
  }

 private:
  std::thread thread_;
  pid_t pid_ = -1;
};

void place_self(Placement where) { pin_to(where == kUnpinned ? -1 : 0); }

void CondvarThreads(benchmark::State& state, Placement where) {
  std::mutex m;
  std::condition_variable cv;
  int turn = 0;  // 0: ours, 1: the peer's, 2: stop
  place_self(where);
  Peer peer(false, where, [&] {
    std::unique_lock lock(m);
    for (;;) {
      cv.wait(lock, [&] { return turn != 0; });
      if (turn == 2) return;
      turn = 0;
      cv.notify_one();
    }
  });
  for (auto _ : state) {
    std::unique_lock lock(m);
    turn = 1;
    cv.notify_one();
    cv.wait(lock, [&] { return turn == 0; });
  }
  {
    std::lock_guard lock(m);
    turn = 2;
  }
  cv.notify_one();
  peer.join();
  pin_to(-1);
}

void Futex(benchmark::State& state, bool process, Placement where) {
  void* page = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) std::abort();
  auto& word = *new (page) std::atomic<std::uint32_t>(0);  // 0: ours, 1: the peer's, 2: stop
  place_self(where);
  Peer peer(process, where, [&word] {
    for (;;) {
      std::uint32_t v;
      while ((v = word.load()) == 0) futex_wait(word, 0);
      if (v == 2) return;
      word.store(0);
      futex_wake(word);
    }
  });
  for (auto _ : state) {
    word.store(1);
    futex_wake(word);
    while (word.load() == 1) futex_wait(word, 1);
  }
  word.store(2);
  futex_wake(word);
  peer.join();
  ::munmap(page, 4096);
  pin_to(-1);
}

void Pipe(benchmark::State& state, bool process, Placement where) {
  int ping[2], pong[2];
  if (::pipe(ping) != 0 || ::pipe(pong) != 0) std::abort();
  place_self(where);
  Peer peer(process, where, [&] {
    if (process) ::close(ping[1]), ::close(pong[0]);
    int token;
    while (read_all(ping[0], &token, sizeof token)) write_all(pong[1], &token, sizeof token);
  });
  int token = 0;
  for (auto _ : state) {
    write_all(ping[1], &token, sizeof token);
    read_all(pong[0], &token, sizeof token);
  }
  ::close(ping[1]);  // the peer reads EOF and ends
  peer.join();
  ::close(ping[0]), ::close(pong[0]), ::close(pong[1]);
  pin_to(-1);
}

}  // namespace

void register_benchmarks() {
  const bool two_cpus = ::sysconf(_SC_NPROCESSORS_ONLN) >= 2;
  for (Placement where : {kOneCore, kTwoCores, kUnpinned}) {
    if (where == kTwoCores && !two_cpus) continue;
    const std::string suffix = std::string("/") + kPlacementNames[where];
    add("switching/condvar_threads" + suffix, [where](benchmark::State& s) { CondvarThreads(s, where); });
    add("switching/futex_threads" + suffix, [where](benchmark::State& s) { Futex(s, false, where); });
    add("switching/futex_processes" + suffix, [where](benchmark::State& s) { Futex(s, true, where); });
    add("switching/pipe_threads" + suffix, [where](benchmark::State& s) { Pipe(s, false, where); });
    add("switching/pipe_processes" + suffix, [where](benchmark::State& s) { Pipe(s, true, where); });
  }
}

}  // namespace tradeoffs
