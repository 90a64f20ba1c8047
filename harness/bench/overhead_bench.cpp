// What the harness costs on top of a bare spawn+wait of /bin/true: the library's run_program
// (pipes, watchdog, stray sweep) and the whole `conclab run` CLI (exec, parse, judge).
// Goal: `conclab run -- /bin/true` within 2 ms of the bare spawn (compare the medians).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <vector>

#include "run/spawn.hpp"

extern char** environ;

namespace {

// stdout goes to /dev/null for every contender, so the verdict conclab prints costs the same as it would anywhere.
void spawn_and_wait(std::vector<const char*> argv) {
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, const_cast<char**>(argv.data()), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) std::abort();
  int status = 0;
  ::waitpid(pid, &status, 0);
  benchmark::DoNotOptimize(status);
}

void BareSpawnWait(benchmark::State& state) {
  for (auto _ : state) spawn_and_wait({"/bin/true"});
}

void HarnessLibraryRun(benchmark::State& state) {
  conclab::RunSpec spec;
  spec.argv = {"/bin/true"};
  for (auto _ : state) benchmark::DoNotOptimize(conclab::run_program(spec));
}

void ConclabCliRun(benchmark::State& state) {
  for (auto _ : state) spawn_and_wait({CONCLAB_CLI, "run", "--", "/bin/true"});
}

}  // namespace

BENCHMARK(BareSpawnWait)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(HarnessLibraryRun)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ConclabCliRun)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
