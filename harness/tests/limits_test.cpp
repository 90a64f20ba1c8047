// Limits follow the run: the CPU-time cap grows with the time limit and the CPUs, and a limit
// that ended a run is recorded (limit_hit), in the JSON report and in the verdict conclab prints.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run/limits.hpp"
#include "run/spawn.hpp"
#include "test_support.hpp"
#include "judge/verdict.hpp"

namespace conclab {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct CliRun {
  RunResult run;
  nlohmann::json report;
};

CliRun conclab_run(std::vector<std::string> args) {
  const std::string json = ::testing::TempDir() + "conclab_limits_test." + std::to_string(::getpid()) + ".json";
  std::filesystem::remove(json);
  RunSpec spec;
  spec.argv = {CONCLAB_CLI, "run", "--json", json};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.timeout = seconds(120);
  spec.hang_detection.reset();  // conclab judges the program, not us (cli_test.cpp's conclab())
  CliRun r{run_program(spec), {}};
  std::ifstream in(json);
  if (in) r.report = nlohmann::json::parse(in);
  std::filesystem::remove(json);
  return r;
}

// Two busy threads under a 300 s time limit use at most 600 s of CPU before the watchdog ends
// them; the old fixed cap of 120 s killed such a run with SIGXCPU after 60 s of wall time.
TEST(CpuCap, ExceedsWhatTheThreadsCanUseWithinTheTimeLimit) {
  EXPECT_GT(cpu_cap_for(seconds(300), 2), 600u);
  EXPECT_GT(cpu_cap_for(seconds(300), 8), 2400u);
  EXPECT_GT(cpu_cap_for(seconds(30), 1), 30u);
  EXPECT_GT(cpu_cap_for(seconds(300), 2), cpu_cap_for(seconds(300), 1));
  EXPECT_EQ(cpu_cap_for(seconds(300), 0), cpu_cap_for(seconds(300), 1));  // no CPU count: one CPU
  EXPECT_GE(usable_cpus(), 1u);
}

// The child really gets the cap of its time limit, and an explicit cap as given.
TEST(CpuCap, TheProgramGetsTheCapOfItsTimeLimit) {
  RunSpec spec;
  spec.argv = {testing::program("busy_threads"), "cpu-limit"};
  spec.timeout = seconds(300);
  auto run = run_program(spec);
  ASSERT_EQ(run.exit_code, 0) << run.err.text;
  EXPECT_EQ(run.out.text, std::to_string(cpu_cap_for(seconds(300), usable_cpus())) + "\n");
  EXPECT_GT(std::stoull(run.out.text), 600u);
  EXPECT_EQ(run.cpu_limit_s, cpu_cap_for(seconds(300), usable_cpus()));

  spec.limits.cpu_seconds = 7;
  run = run_program(spec);
  EXPECT_EQ(run.out.text, "7\n");
  EXPECT_TRUE(run.limit_hit.empty()) << run.limit_hit;
  EXPECT_TRUE(classify(run).cut_short.empty());
}

// Two busy threads with an explicit 1 s cap: SIGXCPU ends the run; it is recorded and judged
// `timeout` (out of time, still working), never a bare crash.
TEST(CpuLimit, EndsTheRunAndTheVerdictSaysSo) {
  RunSpec spec;
  spec.argv = {testing::program("busy_threads"), "spin", "2"};
  spec.timeout = seconds(120);
  spec.limits.cpu_seconds = 1;
  spec.hang_detection.reset();
  const auto run = run_program(spec);
  EXPECT_EQ(run.signal, SIGXCPU);
  EXPECT_EQ(run.limit_hit, "cpu");
  EXPECT_FALSE(run.timed_out);
  const auto j = classify(run);
  EXPECT_EQ(j.outcome, Outcome::timeout);
  EXPECT_NE(j.cut_short.find("CPU-time limit (1 s"), std::string::npos) << j.cut_short;
}

// The TSan suite in small: a race, then busy threads the CPU cap ends. The outcome stays
// data_race, and the report and the verdict say the run was cut short by the CPU limit.
TEST(CpuLimit, ARacyRunCutShortIsNotReportedAsFinished) {
  const auto r = conclab_run({"--max-cpu", "1", "--hang-window", "0", "--",
                              std::string(CONCLAB_SAMPLES_DIR) + "/gcc_tsan_race_then_spin"});
  EXPECT_EQ(r.run.exit_code, 1) << r.run.out.text << r.run.err.text;
  EXPECT_EQ(r.report["outcome"], "data_race");
  EXPECT_EQ(r.report["limit_hit"], "cpu");
  EXPECT_EQ(r.report["complete"], false);
  EXPECT_EQ(r.report["signal"], "SIGXCPU");
  EXPECT_NE(r.run.out.text.find("NOT FINISHED: the CPU-time limit (1 s of CPU"), std::string::npos) << r.run.out.text;
}

// The wall-clock limit is a limit too: limit_hit "time", and the verdict says the run did not finish.
TEST(TimeLimit, IsRecordedAsTheLimitHit) {
  const auto r = conclab_run({"--timeout", "0.5", "--hang-window", "0", "--", testing::program("fault_child"), "sleep", "30"});
  EXPECT_EQ(r.report["outcome"], "timeout") << r.run.out.text;
  EXPECT_EQ(r.report["limit_hit"], "time");
  EXPECT_EQ(r.report["complete"], false);
  EXPECT_NE(r.run.out.text.find("NOT FINISHED: the time limit ended it"), std::string::npos) << r.run.out.text;
}

// A run that ends by itself is complete, and says nothing of limits.
TEST(TimeLimit, AFinishedRunIsComplete) {
  const auto r = conclab_run({"--", testing::program("correct_threads")});
  EXPECT_EQ(r.report["outcome"], "clean") << r.run.out.text;
  EXPECT_EQ(r.report["complete"], true);
  EXPECT_TRUE(r.report["limit_hit"].is_null());
  EXPECT_EQ(r.run.out.text.find("NOT FINISHED"), std::string::npos) << r.run.out.text;
}

}  // namespace
}  // namespace conclab
