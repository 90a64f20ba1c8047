// HangMonitor: samples a run's tree every interval and decides when threads are stuck for good,
// either the whole tree (hang, or a cycle among all its threads) or a cycle among some threads
// while the others run (see docs/hang-explainer.md, "Cycles among some threads").
#include "hang/hang.hpp"

#include <unistd.h>
#include <sys/syscall.h>

#include <algorithm>
#include <fmt/format.h>

#include "hang/stacks.hpp"
#include "run/watch.hpp"

namespace conclab {
namespace {

using Tree = std::vector<procfs::ProcessSample>;

// How many hang windows a cycle that leaves out running threads of a waking process must hold.
constexpr int kGuessedWindows = 4;

bool in_blocking_call(const procfs::ThreadSample& t) { return t.syscall >= 0 && (t.state == 'S' || t.state == 'D'); }

// Waits whose wakers can be named once the tree's descriptors are known. A condition variable, a
// semaphore, an ownerless futex, a signal, a poll or a FIFO open can be ended by anyone: never part
// of a cycle.
bool may_name_wakers(const Wait& w) {
  static const std::set<std::string> kinds{"thread_join", "child_exit", "read", "write", "pipe_read",
                                           "pipe_write", "socket_read", "socket_write"};
  return w.held_by.has_value() || kinds.count(w.waits_for) != 0;
}

bool needs_descriptors(const Wait& w) { return !w.held_by && w.waits_for != "thread_join" && w.waits_for != "child_exit"; }

// Who can end `w` when only `members` are known to be stuck. A mutex or a join names one thread.
// A pipe, a socket or a child names processes: a process with stuck members is taken to be woken
// only by them (the thread that would read is the one stuck writing, not the logger beside it); a
// process with none keeps every thread as a waker, and those run, so it breaks the cycle.
// `guessed` is set when threads of a waking process were left out that way.
std::vector<ThreadRef> wakers_among(const Tree& tree, const Wait& w, const std::set<ThreadRef>& members, bool& guessed) {
  guessed = false;
  if (w.held_by) return {*w.held_by};
  const auto all = wakers_of(tree, w);
  std::set<pid_t> with_members;
  for (const auto& ref : all)
    if (members.count(ref)) with_members.insert(ref.pid);
  std::vector<ThreadRef> wakers;
  for (const auto& ref : all) {
    if (!with_members.count(ref.pid) || members.count(ref)) wakers.push_back(ref);
    else guessed = true;
  }
  return wakers;
}

// Drops every wait that someone outside the remaining set could end, until none is left to drop:
// what stays is closed (each waker of each member is a member) and every member waits for one.
void keep_closed_set(std::vector<Wait>& waits) {
  for (bool dropped = true; dropped;) {
    std::set<ThreadRef> members;
    for (const auto& w : waits) members.insert(w.thread);
    const auto before = waits.size();
    std::erase_if(waits, [&](const Wait& w) {
      return w.wakers.empty() ||
             std::any_of(w.wakers.begin(), w.wakers.end(), [&](const auto& ref) { return !members.count(ref); });
    });
    dropped = waits.size() != before;
  }
}

}  // namespace

void attach_stacks(std::vector<Wait>& waits) {
  std::map<pid_t, std::map<pid_t, std::vector<Frame>>> stacks;
  for (auto& w : waits) {
    if (!stacks.count(w.thread.pid)) stacks[w.thread.pid] = thread_stacks(w.thread.pid);
    w.frames = stacks[w.thread.pid][w.thread.tid];
  }
}

constexpr int kLookupsPerSample = 4;

// A sleeper is a sanitizer runtime's thread if its instruction pointer is in the runtime: one
// eu-addr2line spawn per new sleeper, at most kLookupsPerSample per sample, since every spawn holds
// up the event loop (the time limit included): a fork bomb whose processes each sleep had the run
// end 3-15 s past a 3 s limit. A sleeper not looked up yet counts as the program's, which can only
// delay a hang verdict by a sample, never make one.
bool HangMonitor::is_runtime_thread(pid_t pid, const procfs::ThreadSample& t) {
  if (t.syscall != SYS_nanosleep && t.syscall != SYS_clock_nanosleep) return false;
  if (!runtime_threads_.count(t.tid)) {
    if (lookups_left_ <= 0) return false;
    --lookups_left_;
  }
  auto [it, inserted] = runtime_threads_.try_emplace(t.tid, false);
  if (inserted) {
    const auto symbol = symbol_at(pid, t.user_ip);
    it->second = symbol.find("__sanitizer") != std::string::npos || symbol.find("__tsan") != std::string::npos;
  }
  return it->second;
}

void HangMonitor::track_stillness(const Tree& tree, Clock::time_point now) {
  std::map<pid_t, Stillness> next;
  for (const auto& p : tree) {
    for (const auto& t : p.threads) {
      if (t.state == 'Z') continue;
      Stillness fresh{t.syscall, t.args, t.cpu_ticks, std::nullopt, now};
      const auto it = stillness_.find(t.tid);
      if (it != stillness_.end() && in_blocking_call(t) && it->second.syscall == t.syscall &&
          it->second.args == t.args && it->second.cpu_ticks == t.cpu_ticks) {
        fresh = it->second;
        // Woken and back in the same wait between two samples: it moved. Read only for threads
        // that look still, so running threads cost nothing more.
        const auto runs = procfs::times_run(p.pid, t.tid);
        if (fresh.runs && runs != fresh.runs) fresh.since = now;
        fresh.runs = runs;
      }
      next.emplace(t.tid, fresh);
    }
  }
  stillness_ = std::move(next);
}

bool HangMonitor::still_through_window(const procfs::ThreadSample& t, Clock::time_point now) const {
  const auto it = stillness_.find(t.tid);
  return in_blocking_call(t) && it != stillness_.end() && now - it->second.since >= options_.window;
}

std::optional<HangReport> HangMonitor::sample(Clock::time_point now) {
  lookups_left_ = kLookupsPerSample;
  auto tree = procfs::sample_tree(root_, false);
  track_stillness(tree, now);
  if (auto report = whole_tree_stuck(tree, now)) return report;
  return cycle_among_still_threads(without_nested_runs(std::move(tree)), now);
}

// A conclab inside the run (a test or a script that runs conclab) judges its own program: that
// program's processes carry another CONCLAB_RUN_ID and are left to it, or this monitor would end
// the run the inner one is about to explain.
std::vector<procfs::ProcessSample> HangMonitor::without_nested_runs(Tree tree) {
  if (run_id_.empty()) return tree;
  std::erase_if(tree, [&](const procfs::ProcessSample& p) {
    auto [it, inserted] = nested_run_.try_emplace(p.pid, false);
    if (inserted) {
      const auto id = run_id_of(p.pid);
      it->second = !id.empty() && id != run_id_;
    }
    return it->second;
  });
  return tree;
}

std::optional<HangReport> HangMonitor::cycle_among_still_threads(Tree tree, Clock::time_point now) {
  const auto candidates = [&] {
    std::vector<Wait> waits;
    for (const auto& p : tree) {
      for (const auto& t : p.threads) {
        // A sanitizer runtime's thread sleeps: it never classifies as a wait.
        if (t.state == 'Z' || !still_through_window(t, now)) continue;
        auto w = classify_wait(p, t);
        if (!w) continue;
        resolve_owner(tree, *w);
        if (may_name_wakers(*w)) waits.push_back(std::move(*w));
      }
    }
    return waits;
  };
  auto waits = candidates();
  // Without descriptors only mutex and join edges are known: drop first what they already rule
  // out, and read descriptors only when a wait on a pipe, a socket or a child is left.
  std::set<ThreadRef> members;
  for (const auto& w : waits) members.insert(w.thread);
  std::erase_if(waits, [&](const Wait& w) { return w.held_by && !members.count(*w.held_by); });
  if (waits.empty()) return std::nullopt;
  if (std::any_of(waits.begin(), waits.end(), needs_descriptors)) {
    for (auto& p : tree) p.fds = procfs::fds_of(p.pid);
    waits = candidates();
  }
  members.clear();
  for (const auto& w : waits) members.insert(w.thread);
  std::set<ThreadRef> guessed;
  for (auto& w : waits) {
    bool left_out_running_threads = false;
    w.wakers = wakers_among(tree, w, members, left_out_running_threads);
    if (left_out_running_threads) guessed.insert(w.thread);
  }
  keep_closed_set(waits);
  const auto cycle = find_cycle(waits);
  if (cycle.empty()) return std::nullopt;
  // A cycle that stands only because a process's running threads were assumed not to drain its
  // pipe must stand longer: a slow reader that pauses for more than one window is not a deadlock.
  for (auto i : cycle)
    if (guessed.count(waits[i].thread) && now - stillness_[waits[i].thread.tid].since < kGuessedWindows * options_.window)
      return std::nullopt;
  HangReport report;
  std::set<pid_t> pids;
  Clock::time_point formed{};  // when the last member of the cycle stopped
  for (auto i : cycle) {
    pids.insert(waits[i].thread.pid);
    formed = std::max(formed, stillness_[waits[i].thread.tid].since);
    report.cycle.push_back(waits[i]);
  }
  report.kind = pids.size() > 1 ? Outcome::ipc_deadlock : Outcome::deadlock;
  report.stuck_for_s = std::chrono::duration<double>(now - formed).count();
  name_objects(tree, report.cycle);
  attach_stacks(report.cycle);
  return report;
}

// The whole tree blocked and still for the window: judged as one wait-for graph (as before there
// was a search among some threads; a tree stuck entirely is judged no slower than it was).
std::optional<HangReport> HangMonitor::whole_tree_stuck(const Tree& tree, Clock::time_point now) {
  // A thread neither blocked nor asleep means the tree is not stuck, decided before asking any
  // sleeping thread whether it belongs to a sanitizer runtime (a spawn of eu-addr2line each). A
  // runtime has one or two such threads in a process: more sleepers than that are the program's,
  // so 500 threads ticking in nanosleep cost no spawn at all.
  constexpr std::size_t kRuntimeSleepers = 2;
  const bool one_moves = std::any_of(tree.begin(), tree.end(), [](const procfs::ProcessSample& p) {
    std::size_t asleep = 0;
    for (const auto& t : p.threads) {
      if (t.state == 'Z') continue;
      if (t.syscall == SYS_nanosleep || t.syscall == SYS_clock_nanosleep) ++asleep;
      else if (!classify_wait(p, t)) return true;
    }
    return asleep > kRuntimeSleepers;
  });
  if (one_moves) {
    last_ticks_.clear();
    still_since_ = now;
    return std::nullopt;
  }
  std::map<pid_t, std::pair<std::uint64_t, std::uint64_t>> ticks;
  bool all_blocked = true;
  for (const auto& p : tree) {
    for (const auto& t : p.threads) {
      if (t.state == 'Z' || is_runtime_thread(p.pid, t)) continue;
      ticks[t.tid] = {t.cpu_ticks, procfs::times_run(p.pid, t.tid).value_or(0)};
      all_blocked = all_blocked && classify_wait(p, t).has_value();
    }
  }
  // A tree with no live thread is exiting (its leader a zombie not yet reaped), not stuck.
  if (ticks.empty() || ticks != last_ticks_ || !all_blocked || !still_since_) {
    last_ticks_ = std::move(ticks);
    still_since_ = now;
    return std::nullopt;
  }
  if (now - *still_since_ < options_.window) return std::nullopt;

  const auto full = procfs::sample_tree(root_, true);
  std::vector<Wait> waits;
  for (const auto& p : full) {
    for (const auto& t : p.threads) {
      if (t.state == 'Z' || is_runtime_thread(p.pid, t)) continue;
      auto w = classify_wait(p, t);
      if (!w) {  // it moved after all
        still_since_.reset();
        return std::nullopt;
      }
      waits.push_back(std::move(*w));
    }
  }
  if (waits.empty()) return std::nullopt;
  // A parent waiting for a child whose leader has exited is about to be woken: the child is
  // still tearing down (a sanitizer's exit-time work in threads we do not count, or the kernel
  // reaping its last threads), which takes longer on a loaded machine. Not stuck.
  for (const auto& w : waits) {
    if (w.waits_for != "child_exit") continue;
    for (const auto& p : full) {
      const bool waited_for = p.ppid == w.thread.pid && (w.object == "any child" || w.object == fmt::format("pid {}", p.pid));
      const bool exiting = std::any_of(p.threads.begin(), p.threads.end(),
                                       [&](const auto& t) { return t.tid == p.pid && t.state == 'Z'; });
      if (waited_for && exiting) {
        still_since_.reset();
        return std::nullopt;
      }
    }
  }
  // A pipe conclab itself holds (the child's stdout and stderr) is drained by conclab: a child
  // blocked writing it waits for us, not for good.
  const auto ours = procfs::open_targets(::getpid());
  for (const auto& w : waits) {
    if (ours.count(w.object)) {
      still_since_.reset();
      return std::nullopt;
    }
  }
  // A socket whose other end is outside the tree (a TCP server, a database, a daemon's UNIX
  // socket) can be answered from outside, however long that takes: not stuck for good. The time
  // limit ends such a run, and its `stuck` list says what it waited on.
  for (const auto& w : waits) {
    if (w.waits_for.starts_with("socket_") && (w.peer.empty() || wakers_of(full, w).empty())) {
      still_since_.reset();
      return std::nullopt;
    }
  }
  auto report = explain(full, std::move(waits));
  report.stuck_for_s = std::chrono::duration<double>(now - *still_since_).count();
  name_objects(full, report.cycle);
  attach_stacks(report.cycle);
  return report;
}

std::vector<Wait> HangMonitor::stuck_threads(Clock::time_point now) {
  const auto tree = procfs::sample_tree(root_, true);
  track_stillness(tree, now);
  std::vector<Wait> waits;
  for (const auto& p : tree) {
    for (const auto& t : p.threads) {
      if (t.state == 'Z' || !still_through_window(t, now)) continue;  // runtime threads sleep: no wait
      auto w = classify_wait(p, t);
      if (!w) continue;
      resolve_owner(tree, *w);
      w->wakers = wakers_of(tree, *w);
      waits.push_back(std::move(*w));
    }
  }
  name_objects(tree, waits);
  attach_stacks(waits);
  return waits;
}

}  // namespace conclab
