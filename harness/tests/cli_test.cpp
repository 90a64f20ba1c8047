// The conclab CLI end to end, on programs it has never seen and on the catalog.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <nlohmann/json.hpp>

#include "run/spawn.hpp"
#include "test_support.hpp"

namespace conclab {
namespace {

struct CliRun {
  RunResult run;
  nlohmann::json report;  // empty unless --json was asked for
};

CliRun conclab(std::vector<std::string> args, bool with_json = false) {
  // One file per test process: ctest runs tests in parallel.
  const std::string json = ::testing::TempDir() + "conclab_cli_test." + std::to_string(::getpid()) + ".json";
  std::filesystem::remove(json);
  RunSpec spec;
  spec.argv = {CONCLAB_CLI};
  if (with_json && args.front() == "run") args.insert(args.begin() + 1, {"--json", json});
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.timeout = std::chrono::seconds(60);
  // No hang detection of our own: this run's tree is conclab's, and when conclab's program
  // deadlocks, our monitor could see it first and end conclab (it did once, under ASan). A test
  // does not judge conclab, it reads what conclab says.
  spec.hang_detection.reset();
  CliRun r{run_program(spec), {}};
  if (with_json) {
    std::ifstream in(json);
    if (in) r.report = nlohmann::json::parse(in);
    std::filesystem::remove(json);
  }
  return r;
}

std::string sample(const char* name) { return std::string(CONCLAB_SAMPLES_DIR) + "/" + name; }

// A racy program built with TSan: data_race, exit status 1, a frame in its own source.
TEST(CliRun, RacyProgramIsDataRace) {
  const auto r = conclab({"run", "--", sample("gcc_tsan_data_race")}, true);
  EXPECT_EQ(r.run.exit_code, 1) << r.run.out.text << r.run.err.text;
  EXPECT_EQ(r.report["outcome"], "data_race");
  EXPECT_EQ(r.report["findings"][0]["tool"], "tsan");
  EXPECT_NE(r.run.out.text.find("tsan_data_race.cpp:"), std::string::npos) << r.run.out.text;
}

// --expect: the exit status says whether the outcome is one of the expected ones, both ways, and
// the report records it; an outcome that does not exist is bad input.
TEST(CliRun, ExpectGatesOnTheOutcome) {
  const auto caught = conclab({"run", "--expect", "deadlock,data_race", "--", sample("gcc_tsan_data_race")}, true);
  EXPECT_EQ(caught.run.exit_code, 0) << caught.run.out.text << caught.run.err.text;
  EXPECT_EQ(caught.report["expected"]["met"], true);
  EXPECT_EQ(caught.report["expected"]["outcomes"], nlohmann::json({"deadlock", "data_race"}));
  const auto racy_but_clean_expected = conclab({"run", "--expect", "clean", "--", sample("gcc_tsan_data_race")}, true);
  EXPECT_EQ(racy_but_clean_expected.run.exit_code, 1);
  EXPECT_EQ(racy_but_clean_expected.report["expected"]["met"], false);
  const auto clean_but_race_expected = conclab({"run", "--expect", "data_race", "--", testing::program("correct_threads")});
  EXPECT_EQ(clean_but_race_expected.run.exit_code, 1) << clean_but_race_expected.run.out.text;
  const auto unknown = conclab({"run", "--expect", "raced", "--", testing::program("correct_threads")});
  EXPECT_EQ(unknown.run.exit_code, 2);
  EXPECT_NE(unknown.run.err.text.find("unknown outcome 'raced'"), std::string::npos) << unknown.run.err.text;
  // Right before `--`, --expect leaves the program's own options to it (CLI11's vector options did not).
  const auto with_options = conclab({"run", "--expect", "exit_nonzero", "--", "/bin/sh", "-c", "exit 3"});
  EXPECT_EQ(with_options.run.exit_code, 0) << with_options.run.out.text << with_options.run.err.text;
}

// A correct threaded program: clean, exit status 0.
TEST(CliRun, CorrectProgramIsClean) {
  const auto r = conclab({"run", "--", testing::program("correct_threads")}, true);
  EXPECT_EQ(r.run.exit_code, 0) << r.run.out.text << r.run.err.text;
  EXPECT_EQ(r.report["outcome"], "clean");
  EXPECT_EQ(r.report["exit_code"], 0);
  EXPECT_TRUE(r.report["signal"].is_null());
}

// A null dereference in a thread: crash with SIGSEGV, whether the kernel or a sanitizer saw it.
TEST(CliRun, NullDereferenceIsCrash) {
  const auto r = conclab({"run", "--", testing::program("null_deref")}, true);
  EXPECT_EQ(r.run.exit_code, 1) << r.run.out.text << r.run.err.text;
  EXPECT_EQ(r.report["outcome"], "crash");
  EXPECT_EQ(r.report["signal"], "SIGSEGV");
}

// exit 3: exit_nonzero with exit_code 3.
TEST(CliRun, ExitThreeIsExitNonzero) {
  const auto r = conclab({"run", "--", "/bin/sh", "-c", "exit 3"}, true);
  EXPECT_EQ(r.run.exit_code, 1);
  EXPECT_EQ(r.report["outcome"], "exit_nonzero");
  EXPECT_EQ(r.report["exit_code"], 3);
}

// sleep past --timeout: timeout long before the sleep would end, and the sleeper is gone.
// (Measured: about 1.0 s. The bound is loose so that a loaded machine cannot fail it.)
TEST(CliRun, SleepPastTimeLimitIsTimeout) {
  const auto r = conclab({"run", "--timeout", "1", "--", "sleep", "97.25"}, true);
  EXPECT_EQ(r.run.exit_code, 1);
  EXPECT_EQ(r.report["outcome"], "timeout");
  EXPECT_LT(r.run.duration_s, 10.0);
  for (const auto& [pid, args] : testing::command_lines())
    EXPECT_NE(args, std::string("sleep\0" "97.25\0", 12)) << "left running: " << pid;
}

// A deadlock's report carries the cycle, and --graph draws it.
TEST(CliRun, DeadlockHasCycleAndGraph) {
  const std::string graph = ::testing::TempDir() + "conclab_graph." + std::to_string(::getpid()) + ".dot";
  const auto r = conclab({"run", "--graph", graph, "--", testing::program("stuck_child"), "abba"}, true);
  EXPECT_EQ(r.run.exit_code, 1) << r.run.out.text << r.run.err.text;
  EXPECT_EQ(r.report["outcome"], "deadlock");
  ASSERT_EQ(r.report["cycle"].size(), 2u);
  EXPECT_EQ(r.report["cycle"][0]["waits_for"], "mutex");
  EXPECT_EQ(r.report["cycle"][0]["held_by"]["tid"], r.report["cycle"][1]["tid"]);
  std::ifstream in(graph);
  const std::string dot((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(dot.find("digraph deadlock"), std::string::npos) << dot;
  EXPECT_NE(dot.find("->"), std::string::npos) << dot;
  std::filesystem::remove(graph);
}

// A run ended at its time limit with no cycle says which threads were stuck, in JSON and in words.
TEST(CliRun, TimeoutReportsStuckThreads) {
  const auto r = conclab({"run", "--timeout", "3", "--", testing::program("stuck_child"), "lost-wakeup-heartbeat"}, true);
  EXPECT_EQ(r.report["outcome"], "timeout") << r.run.out.text << r.run.err.text;
  EXPECT_FALSE(r.report.contains("cycle"));
  ASSERT_TRUE(r.report.contains("stuck")) << r.report.dump(2);
  bool futex = false;
  for (const auto& item : r.report["stuck"]) {
    for (const char* key : {"pid", "tid", "thread", "waits_for", "object", "held_by", "wakers", "frames"})
      EXPECT_TRUE(item.contains(key)) << key;
    futex = futex || item["waits_for"] == "futex";
  }
  EXPECT_TRUE(futex) << r.report["stuck"].dump(2);
  EXPECT_NE(r.run.out.text.find("blocked in the same wait through the last hang window"), std::string::npos)
      << r.run.out.text;
}

// Bad input: one line on stderr naming the problem, exit status 2.
TEST(CliErrors, BadInputIsOneLineAndStatusTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"run", "--", "/nonexistent/program"},
           {"run", "--timeout", "soon", "--", "true"},
           {"check", "no_such/case"},
           {"check", "data_race/lost_update", "--variant", "sideways"},
           {"run", "--timeout", "nan", "--", "true"},
           {"run", "--json", "", "--", "true"},
           {"run", "--seed", "-1", "--", "true"},
           {"check", "data_race/lost_update", "--html", ""},
           {"run", "--json", "/nonexistent-folder/report.json", "--", "true"},
           {"run", "--graph", "/nonexistent-folder/graph.svg", "--", "true"},
           {"run", "--json", "/", "--", "true"},
           {"frobnicate"}}) {
    const auto r = conclab(args);
    EXPECT_EQ(r.run.exit_code, 2) << args.front() << ": " << r.run.err.text;
    EXPECT_EQ(std::count(r.run.err.text.begin(), r.run.err.text.end(), '\n'), 1) << r.run.err.text;
    EXPECT_EQ(r.run.err.text.rfind("conclab: ", 0), 0u) << r.run.err.text;
  }
}

// Output paths are checked before the run: a typo costs nothing, the program never starts.
TEST(CliErrors, OutputPathIsCheckedBeforeTheRun) {
  const auto marker = std::filesystem::path(::testing::TempDir()) / ("cli-ran-" + std::to_string(::getpid()));
  const auto r = conclab({"run", "--json", "/nonexistent-folder/r.json", "--", "sh", "-c", "touch " + marker.string()});
  EXPECT_EQ(r.run.exit_code, 2) << r.run.err.text;
  EXPECT_FALSE(std::filesystem::exists(marker)) << "the program ran although its report could not be written";
  std::filesystem::remove(marker);
}

// A write that fails (a full disk: /dev/full) is exit status 2 with one line naming the file,
// and the verdict is still printed.
TEST(CliErrors, FailedReportWriteIsStatusTwoAndTheVerdictStays) {
  const auto r = conclab({"run", "--json", "/dev/full", "--", "true"});
  EXPECT_EQ(r.run.exit_code, 2) << r.run.out.text << r.run.err.text;
  EXPECT_NE(r.run.out.text.find("outcome: clean"), std::string::npos) << r.run.out.text;
  EXPECT_EQ(std::count(r.run.err.text.begin(), r.run.err.text.end(), '\n'), 1) << r.run.err.text;
  EXPECT_NE(r.run.err.text.find("cannot write '/dev/full'"), std::string::npos) << r.run.err.text;
}

// A report is written whole or not at all: no temporary file is left beside it.
TEST(CliRun, ReportIsWrittenWholeWithNothingBesideIt) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / ("cli-report-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto r = conclab({"run", "--json", (dir / "r.json").string(), "--", "true"});
  EXPECT_EQ(r.run.exit_code, 0) << r.run.err.text;
  std::ifstream in(dir / "r.json");
  const auto report = nlohmann::json::parse(in, nullptr, false);
  EXPECT_EQ(report.value("outcome", ""), "clean");
  EXPECT_TRUE(report.contains("interrupted") && report["interrupted"].is_null());
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path().filename().string());
  EXPECT_EQ(files, std::vector<std::string>{"r.json"});
  std::filesystem::remove_all(dir);
}

// The check can fail: a fixed variant held to a bug's outcome is a mismatch, exit status 1.
TEST(CliCheck, WrongExpectationIsAMismatch) {
  const auto r = conclab({"check", "data_race/lost_update", "--variant", "fixed", "--expect", "data_race"});
  EXPECT_EQ(r.run.exit_code, 1) << r.run.out.text << r.run.err.text;
  EXPECT_NE(r.run.out.text.find("MISMATCH — expected data_race, got clean"), std::string::npos) << r.run.out.text;
}

// --repeat prints the detection rate of the bug.
TEST(CliCheck, RepeatPrintsDetectionRate) {
  const auto r = conclab({"check", "data_race/lost_update", "--variant", "buggy", "--repeat", "3"});
  EXPECT_EQ(r.run.exit_code, 0) << r.run.out.text << r.run.err.text;
  EXPECT_NE(r.run.out.text.find("3/3 runs reached"), std::string::npos) << r.run.out.text;
}

// list shows the three reference cases.
TEST(CliList, ListsTheCatalog) {
  const auto r = conclab({"list"});
  EXPECT_EQ(r.run.exit_code, 0);
  for (const char* bug : {"lost_update", "lock_order_inversion", "thread_crash_kills_process"})
    EXPECT_NE(r.run.out.text.find(bug), std::string::npos) << bug;
}

}  // namespace
}  // namespace conclab
