#include "shm_ring_model.hpp"

#include <thread>

namespace shm_ring_model {
namespace {

Execution* g_execution = nullptr;  // the one execution running now (tests run them one at a time)
thread_local int t_self = -1;      // this thread's index in it

constexpr std::size_t kMaxSteps = 10000;

}  // namespace

void Execution::pass_baton_locked() {
  // The thread that holds the baton comes first: going on with it is choice 0, never a preemption.
  const int holder = current_;
  const bool holder_can_go_on = holder >= 0 && states_[static_cast<std::size_t>(holder)] == State::runnable;
  std::vector<int> runnable;
  if (holder_can_go_on) runnable.push_back(holder);
  for (int i = 0; i < static_cast<int>(states_.size()); ++i)
    if (states_[i] == State::runnable && i != holder) runnable.push_back(i);
  if (holder_can_go_on && preemptions_ >= preemption_bound_) runnable.resize(1);
  if (runnable.empty()) {
    for (State s : states_) outcome_.lost_wakeup |= s == State::asleep;
    aborting_ = outcome_.lost_wakeup;  // wake the sleepers so that their threads can end
    current_ = -1;
  } else if (outcome_.trace.size() > kMaxSteps) {
    outcome_.too_long = aborting_ = true;
    current_ = -1;
  } else if (runnable.size() == 1) {
    current_ = runnable.front();
  } else {
    const std::size_t at = outcome_.choices.size();
    const int choice = at < plan_.size() ? plan_[at] : 0;
    outcome_.choices.push_back(choice);
    outcome_.options.push_back(static_cast<int>(runnable.size()));
    current_ = runnable[static_cast<std::size_t>(choice)];
    if (holder_can_go_on && choice != 0) ++preemptions_;
  }
  turn_.notify_all();
}

void Execution::wait_for_baton(std::unique_lock<std::mutex>& lock, int self) {
  turn_.wait(lock, [&] { return current_ == self || aborting_; });
  if (aborting_) throw Aborted{};
}

void Execution::step(const char* what) {
  Execution& e = *g_execution;
  std::unique_lock lock(e.mutex_);
  e.pass_baton_locked();
  e.wait_for_baton(lock, t_self);
  e.outcome_.trace.push_back(e.names_[static_cast<std::size_t>(t_self)] + ": " + what);
}

void Execution::sleep_while(Word& word, std::uint32_t seen) {
  step("futex_wait");
  Execution& e = *g_execution;
  std::unique_lock lock(e.mutex_);
  if (word.load() != seen) return;  // the kernel compares and queues in one step
  e.states_[static_cast<std::size_t>(t_self)] = State::asleep;
  e.asleep_on_[static_cast<std::size_t>(t_self)] = &word;
  e.pass_baton_locked();
  e.wait_for_baton(lock, t_self);
  e.outcome_.trace.push_back(e.names_[static_cast<std::size_t>(t_self)] + ": woken");
}

void Execution::wake_one(Word& word) {
  step("futex_wake");
  Execution& e = *g_execution;
  std::lock_guard lock(e.mutex_);
  for (std::size_t i = 0; i < e.states_.size(); ++i) {
    if (e.states_[i] == State::asleep && e.asleep_on_[i] == &word) {
      e.states_[i] = State::runnable;
      e.asleep_on_[i] = nullptr;
      break;
    }
  }
}

Execution::Outcome Execution::run(const std::vector<std::function<void()>>& threads,
                                  const std::vector<std::string>& names, const std::vector<int>& plan,
                                  int preemption_bound) {
  Execution e;
  e.states_.assign(threads.size(), State::runnable);
  e.asleep_on_.assign(threads.size(), nullptr);
  e.names_ = names;
  e.plan_ = plan;
  e.preemption_bound_ = preemption_bound;
  g_execution = &e;
  std::vector<std::thread> running;
  for (std::size_t i = 0; i < threads.size(); ++i) {
    running.emplace_back([&e, &threads, i] {
      t_self = static_cast<int>(i);
      try {
        {
          std::unique_lock lock(e.mutex_);
          e.wait_for_baton(lock, t_self);
        }
        threads[i]();
      } catch (const Aborted&) {
        return;
      }
      std::lock_guard lock(e.mutex_);
      e.states_[i] = State::done;
      e.pass_baton_locked();
    });
  }
  {
    std::lock_guard lock(e.mutex_);
    e.pass_baton_locked();
  }
  for (auto& t : running) t.join();
  g_execution = nullptr;
  return std::move(e.outcome_);
}

Search explore(const std::function<std::vector<std::function<void()>>()>& make_threads,
               const std::vector<std::string>& names, int preemption_bound, long max_executions) {
  Search search;
  std::vector<int> plan;
  while (search.executions < max_executions) {
    Execution::Outcome outcome = Execution::run(make_threads(), names, plan, preemption_bound);
    ++search.executions;
    if (outcome.lost_wakeup || outcome.too_long) {
      search.lost = std::move(outcome);
      return search;
    }
    // The next schedule: the last choice that has an untried option, taken one further.
    std::size_t depth = outcome.choices.size();
    while (depth > 0 && outcome.choices[depth - 1] + 1 >= outcome.options[depth - 1]) --depth;
    if (depth == 0) {
      search.exhaustive = true;
      return search;
    }
    plan.assign(outcome.choices.begin(), outcome.choices.begin() + static_cast<long>(depth));
    ++plan.back();
  }
  return search;
}

}  // namespace shm_ring_model
