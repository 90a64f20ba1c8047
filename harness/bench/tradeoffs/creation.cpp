// Creation and teardown: one unit of concurrency started, run to an empty end, and waited for.
// Threads: std::thread create+join, std::async(launch::async).get(), a task posted to a running
// pool. Processes: fork+_exit+waitpid with 1 MiB .. 1 GiB of touched parent memory (fork copies
// the page tables, so its cost grows with the parent), vfork, fork+exec, posix_spawn and
// Boost.Process v2 of /bin/true; posix_spawn once more, one spawn per repetition, to compare with
// `hyperfine -N /bin/true`, which reports statistics of single runs.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/process/v2/process.hpp>
#include <future>
#include <thread>
#include <vector>

#include "common.hpp"

extern char** environ;

namespace tradeoffs {
namespace {

namespace bp = boost::process::v2;

char kTrue[] = "/bin/true";

void ThreadCreateJoin(benchmark::State& state) {
  for (auto _ : state) {
    std::thread t([] {});
    t.join();
  }
}

void AsyncGet(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(std::async(std::launch::async, [] { return 1; }).get());
}

// The pool exists already: the cost is one hand-off and one wake-up each way.
void PooledTask(benchmark::State& state) {
  boost::asio::thread_pool pool(2);
  for (auto _ : state) {
    std::promise<void> done;
    boost::asio::post(pool, [&done] { done.set_value(); });
    done.get_future().wait();
  }
  pool.join();
}

void ForkWait(benchmark::State& state) {
  ballast(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    if (pid < 0) std::abort();
    reap(pid);
  }
}

void VforkWait(benchmark::State& state) {
  ballast(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    const pid_t pid = ::vfork();
    if (pid == 0) ::_exit(0);
    if (pid < 0) std::abort();
    reap(pid);
  }
}

void ForkExecTrue(benchmark::State& state) {
  ballast(static_cast<std::size_t>(state.range(0)));
  char* argv[] = {kTrue, nullptr};
  for (auto _ : state) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::execve(kTrue, argv, environ);
      ::_exit(127);
    }
    if (pid < 0) std::abort();
    reap(pid);
  }
}

void PosixSpawnTrue(benchmark::State& state) {
  ballast(static_cast<std::size_t>(state.range(0)));
  char* argv[] = {kTrue, nullptr};
  for (auto _ : state) {
    pid_t pid = 0;
    if (::posix_spawn(&pid, kTrue, nullptr, nullptr, argv, environ) != 0) std::abort();
    reap(pid);
  }
}

void BoostProcessTrue(benchmark::State& state) {
  ballast(static_cast<std::size_t>(state.range(0)));
  boost::asio::io_context ctx;
  for (auto _ : state) {
    bp::process proc(ctx.get_executor(), kTrue, std::vector<std::string>{});
    benchmark::DoNotOptimize(proc.wait());
  }
}

}  // namespace

void register_benchmarks() {
  const long big = quick ? 64 : 1024;  // MiB of parent memory for the "large parent" rows
  add("creation/thread_create_join", ThreadCreateJoin);
  add("creation/std_async", AsyncGet);
  add("creation/pooled_task", PooledTask);
  add("creation/vfork_exit_wait", VforkWait)->ArgName("parent_mib")->Arg(1);
  add("creation/fork_exit_wait", ForkWait)->ArgName("parent_mib")->Arg(1)->Arg(16)->Arg(quick ? 32 : 256)->Arg(big);
  add("creation/fork_exec_true", ForkExecTrue)->ArgName("parent_mib")->Arg(1)->Arg(big);
  add("creation/posix_spawn_true", PosixSpawnTrue)->ArgName("parent_mib")->Arg(1)->Arg(big);
  add("creation/boost_process_true", BoostProcessTrue)->ArgName("parent_mib")->Arg(1);
  // One spawn per repetition: the median and mean of single runs, which is what hyperfine reports.
  add("creation/posix_spawn_true_single", PosixSpawnTrue, 300, 1)->ArgName("parent_mib")->Arg(1)->Repetitions(quick ? 30 : 300);
}

}  // namespace tradeoffs
