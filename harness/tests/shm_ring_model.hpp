// An exhaustive small-step model checker for the shared-memory ring's sleep/wake protocol
// (harness/bench/tradeoffs/shm_ring.hpp), in the manner of folly's DeterministicSchedule: the ring's
// real code runs on real threads, but every atomic step goes through ModelOps, a scheduling point
// where exactly one thread holds the baton. A depth-first search replays the program once per
// schedule until every schedule with at most `preemption_bound` preemptions has run (a preemption:
// the baton taken from a thread that could have gone on; CHESS's bound, since every interleaving
// of even two short threads is far too many). A futex sleep blocks the thread until a wake-up of
// the same word; when no thread can run and one is still asleep, a wake-up was lost.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "shm_ring.hpp"

namespace shm_ring_model {

using tradeoffs::Word;

// One execution of the threads under a schedule.
class Execution {
 public:
  struct Outcome {
    bool lost_wakeup = false;   // every thread left was asleep on a futex
    bool too_long = false;      // more steps than any schedule of a correct ring needs
    std::vector<int> choices;   // the choice taken at each step that had one
    std::vector<int> options;   // how many threads could run at that step
    std::vector<std::string> trace;  // "reader: fetch_or" ..., in order
  };
  static Outcome run(const std::vector<std::function<void()>>& threads,
                     const std::vector<std::string>& names, const std::vector<int>& plan,
                     int preemption_bound);

  // Called by ModelOps from the thread that holds the baton.
  static void step(const char* what);
  static void sleep_while(Word& word, std::uint32_t seen);
  static void wake_one(Word& word);

 private:
  enum class State { runnable, asleep, done };
  struct Aborted {};
  void pass_baton_locked();  // picks the next thread to run, or ends the execution
  void wait_for_baton(std::unique_lock<std::mutex>& lock, int self);

  std::mutex mutex_;
  std::condition_variable turn_;
  std::vector<State> states_;
  std::vector<const Word*> asleep_on_;
  std::vector<std::string> names_;
  std::vector<int> plan_;
  int preemption_bound_ = 0;
  int preemptions_ = 0;
  int current_ = -1;
  bool aborting_ = false;
  Outcome outcome_;
};

// The atomic steps of shm_ring.hpp as scheduling points. No spinning: a spin look that sees the word
// changed only skips a sleep, and the sleeps are what the model is about.
struct ModelOps {
  static constexpr int kSpins = 0;
  static std::uint32_t load(const Word& w) { return Execution::step("load"), w.load(); }
  static void store(Word& w, std::uint32_t v) { Execution::step("store"), w.store(v); }
  static std::uint32_t fetch_or(Word& w, std::uint32_t v) { return Execution::step("fetch_or"), w.fetch_or(v); }
  static std::uint32_t fetch_and(Word& w, std::uint32_t v) { return Execution::step("fetch_and"), w.fetch_and(v); }
  static void spin_pause() {}
  static void sleep_while(Word& w, std::uint32_t seen) { Execution::sleep_while(w, seen); }
  static void wake_one(Word& w) { Execution::wake_one(w); }
};

// The search: every schedule of `make_threads()`'s threads within the bound, until one loses a wake-up.
struct Search {
  long executions = 0;
  bool exhaustive = false;  // every schedule ran (false: stopped at a lost wake-up or the cap)
  Execution::Outcome lost;  // the first schedule that lost a wake-up, if any
};
Search explore(const std::function<std::vector<std::function<void()>>()>& make_threads,
               const std::vector<std::string>& names, int preemption_bound, long max_executions);

}  // namespace shm_ring_model
