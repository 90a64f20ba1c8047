// Memory: what one more thread costs against one more process, each idle (touch_kib 0) or holding
// 256 KiB of heap it touched. N of them are started and parked; then we read
//  - pss_kib: proportional set size (shared pages split among their users), summed over our
//    process and the children, minus ours before: the honest per-unit figure;
//  - rss_kib: resident set per child (for threads, our RSS growth): RSS counts every shared page
//    in full, so it overstates a forked child;
//  - page_tables_kib: growth of VmPTE (/proc/<pid>/status) over the same processes, kernel memory
//    no smaps figure shows. (Every thread and every process also has a 16 KiB kernel stack.)
// Processes: fork (a copy of this one), and posix_spawn of this program anew (`--idle-child`).
// Time per iteration is the time to start and park N of them. Thread rounds run in a fresh
// forked process each.
#include <spawn.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common.hpp"

extern char** environ;

namespace tradeoffs {
namespace {

struct Snapshot {
  long pss, rss, page_tables;
};

Snapshot snapshot(const std::vector<pid_t>& children) {
  Snapshot s{smaps_kib(::getpid(), "Pss"), smaps_kib(::getpid(), "Rss"), status_kib(::getpid(), "VmPTE")};
  for (pid_t child : children) s.pss += smaps_kib(child, "Pss"), s.page_tables += status_kib(child, "VmPTE");
  return s;
}

long children_rss(const std::vector<pid_t>& children) {
  long sum = 0;
  for (pid_t child : children) sum += smaps_kib(child, "Rss");
  return sum;
}

struct Result {
  double elapsed_ns, pss, rss, page_tables;
};

void report(benchmark::State& state, const Result& r, int n) {
  state.SetIterationTime(r.elapsed_ns / 1e9);
  state.counters["pss_kib"] = r.pss / n;
  state.counters["rss_kib"] = r.rss / n;
  state.counters["page_tables_kib"] = r.page_tables / n;
  state.counters["count"] = n;
}

int count() { return quick ? 8 : 32; }

// In a fresh process each time (glibc keeps the stacks of joined threads for reuse, so a second
// round in the same process would cost nothing): start n threads, park them, measure.
void Threads(benchmark::State& state) {
  const int n = count();
  const auto touch = static_cast<std::size_t>(state.range(0)) << 10;
  for (auto _ : state) {
    int out[2];
    if (::pipe(out) != 0) std::abort();
    const pid_t subject = fork_child([&] {
      const Snapshot before = snapshot({});
      const auto start = now_ns();
      std::mutex m;
      std::condition_variable cv;
      int parked = 0;
      bool release = false;
      std::vector<std::thread> threads;
      for (int i = 0; i < n; ++i)
        threads.emplace_back([&] {
          std::vector<char> touched(touch, 1);
          std::unique_lock lock(m);
          ++parked;
          cv.notify_all();
          cv.wait(lock, [&] { return release; });
          benchmark::DoNotOptimize(touched.data());
        });
      {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return parked == n; });
      }
      const double elapsed = static_cast<double>(now_ns() - start);
      const Snapshot after = snapshot({});
      const Result r{elapsed, static_cast<double>(after.pss - before.pss), static_cast<double>(after.rss - before.rss),
                     static_cast<double>(after.page_tables - before.page_tables)};
      write_all(out[1], &r, sizeof r);
      {
        std::lock_guard lock(m);
        release = true;
      }
      cv.notify_all();
      for (auto& t : threads) t.join();
      return 0;
    });
    Result r{};
    if (!read_all(out[0], &r, sizeof r)) std::abort();
    reap(subject);
    ::close(out[0]), ::close(out[1]);
    report(state, r, n);
  }
}

// Starts n children, each writing one byte to `ready` once parked and leaving when `park` closes.
void Processes(benchmark::State& state, bool spawn) {
  const int n = count();
  const long touch_kib = static_cast<long>(state.range(0));
  for (auto _ : state) {
    int ready[2], park[2];
    if (::pipe(ready) != 0 || ::pipe(park) != 0) std::abort();
    std::vector<pid_t> children;
    const std::string kib = std::to_string(touch_kib);
    char* argv[] = {const_cast<char*>("/proc/self/exe"), const_cast<char*>("--idle-child"),
                    const_cast<char*>(kib.c_str()), nullptr};
    const Snapshot before = snapshot({});
    const auto start = now_ns();
    for (int i = 0; i < n; ++i) {
      if (spawn) {
        posix_spawn_file_actions_t actions;
        ::posix_spawn_file_actions_init(&actions);
        ::posix_spawn_file_actions_adddup2(&actions, park[0], 0);
        ::posix_spawn_file_actions_adddup2(&actions, ready[1], 1);
        ::posix_spawn_file_actions_addclose(&actions, park[1]);
        pid_t pid = 0;
        if (::posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv, environ) != 0) std::abort();
        ::posix_spawn_file_actions_destroy(&actions);
        children.push_back(pid);
        continue;
      }
      children.push_back(fork_child([&] {
        ::close(park[1]);
        std::vector<char> touched(static_cast<std::size_t>(touch_kib) << 10, 1);
        char byte = touched.empty() ? 'r' : touched.back();
        write_all(ready[1], &byte, 1);
        while (::read(park[0], &byte, 1) > 0) {
        }
        return 0;
      }));
    }
    for (int i = 0; i < n; ++i) {
      char byte;
      if (!read_all(ready[0], &byte, 1)) std::abort();
    }
    const double elapsed = static_cast<double>(now_ns() - start);
    const Snapshot after = snapshot(children);
    report(state, {elapsed, static_cast<double>(after.pss - before.pss), static_cast<double>(children_rss(children)),
                   static_cast<double>(after.page_tables - before.page_tables)}, n);
    ::close(park[1]);
    for (pid_t child : children) reap(child);
    ::close(park[0]), ::close(ready[0]), ::close(ready[1]);
  }
}

}  // namespace

void register_benchmarks() {
  for (long touch : {0L, 256L}) {
    add("memory/thread", Threads, 5, 1, true)->ArgName("touch_kib")->Arg(touch);
    add("memory/fork", [](benchmark::State& s) { Processes(s, false); }, 5, 1, true)->ArgName("touch_kib")->Arg(touch);
    add("memory/spawn", [](benchmark::State& s) { Processes(s, true); }, 5, 1, true)->ArgName("touch_kib")->Arg(touch);
  }
}

}  // namespace tradeoffs
