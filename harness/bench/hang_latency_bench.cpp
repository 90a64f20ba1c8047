// How long conclab takes to catch and explain a stuck program: from spawn (the programs below get
// stuck at once: the cycle forms as they start) to the end of the run, stacks included. Goal: at most 1.0 s. Median and max of 20
// runs per program; run it from measure/bench.sh.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>

#include "run/spawn.hpp"

namespace {

void CatchStuck(benchmark::State& state, std::vector<std::string> argv) {
  conclab::RunSpec spec;
  spec.argv = std::move(argv);
  spec.timeout = std::chrono::seconds(30);
  for (auto _ : state) {
    const auto run = conclab::run_program(spec);
    if (!run.hang) state.SkipWithError("not caught as stuck");
    state.SetIterationTime(run.duration_s);
  }
}

std::string stuck_child() { return std::string(CONCLAB_PROGRAMS_DIR) + "/stuck_child"; }
std::string case_binary(const char* id) { return std::string(CONCLAB_CASES_DIR) + "/" + id + "/buggy"; }

double max_of(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }

void configure(benchmark::internal::Benchmark* b) {
  b->UseManualTime()->Iterations(1)->Repetitions(20)->Unit(benchmark::kMillisecond)
      ->ComputeStatistics("max", max_of)->ReportAggregatesOnly(true);
}

}  // namespace

BENCHMARK_CAPTURE(CatchStuck, abba, {stuck_child(), "abba"})->Apply(configure);
BENCHMARK_CAPTURE(CatchStuck, self_lock, {stuck_child(), "self-lock"})->Apply(configure);
BENCHMARK_CAPTURE(CatchStuck, lost_wakeup, {stuck_child(), "lost-wakeup"})->Apply(configure);
BENCHMARK_CAPTURE(CatchStuck, pipes_full, {stuck_child(), "pipes-full"})->Apply(configure);
BENCHMARK_CAPTURE(CatchStuck, wait_before_drain, {stuck_child(), "wait-before-drain"})->Apply(configure);
BENCHMARK_CAPTURE(CatchStuck, reader_holds_write_end, {stuck_child(), "reader-holds-write-end"})->Apply(configure);
BENCHMARK_CAPTURE(CatchStuck, case_lock_order_inversion, {case_binary("deadlock/lock_order_inversion"), "--schedule=deadly"})
    ->Apply(configure);
BENCHMARK_CAPTURE(CatchStuck, case_self_deadlock_relock, {case_binary("deadlock/self_deadlock_relock")})->Apply(configure);
BENCHMARK_CAPTURE(CatchStuck, case_lost_wakeup, {case_binary("deadlock/lost_wakeup")})->Apply(configure);

// A cycle among some threads while others run (each beside N threads ticking every 10 ms).
BENCHMARK_CAPTURE(CatchStuck, abba_beside_0_running, {stuck_child(), "abba-beside", "0"})->Apply(configure);
BENCHMARK_CAPTURE(CatchStuck, abba_beside_1_running, {stuck_child(), "abba-beside", "1"})->Apply(configure);
BENCHMARK_CAPTURE(CatchStuck, abba_beside_8_running, {stuck_child(), "abba-beside", "8"})->Apply(configure);
BENCHMARK_CAPTURE(CatchStuck, abba_beside_64_running, {stuck_child(), "abba-beside", "64"})->Apply(configure);

BENCHMARK_MAIN();
