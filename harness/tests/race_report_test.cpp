// The whole report (every stack a sanitizer printed, labelled), findings grouped under a stable
// fingerprint, and baselines, on sample programs written for them (report_samples/).
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "judge/baseline.hpp"
#include "judge/findings_group.hpp"
#include "report/run_record.hpp"
#include "report/sarif_report.hpp"
#include "judge/reports.hpp"
#include "run/spawn.hpp"
#include "judge/suppressions.hpp"
#include "test_support.hpp"
#include "judge/verdict.hpp"

namespace conclab {
namespace {

const std::map<std::string, std::string> kTsanOptions{{"TSAN_OPTIONS", "halt_on_error=0"},
                                                      {"ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1"}};

std::string sample(const std::string& compiler, const std::string& name) {
  return std::string(CONCLAB_SAMPLES_DIR) + "/" + compiler + "_" + name;
}

RunResult run_sample(const std::string& compiler, const std::string& name, std::vector<std::string> args = {}) {
  RunSpec spec;
  spec.argv = {sample(compiler, name)};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = kTsanOptions;
  spec.timeout = std::chrono::seconds(120);
  return run_program(spec);
}

const Stack* stack_of(const Finding& f, const std::string& role) {
  const auto it = std::find_if(f.stacks.begin(), f.stacks.end(), [&](const Stack& s) { return s.role == role; });
  return it == f.stacks.end() ? nullptr : &*it;
}

std::string first_own_function(const std::vector<Frame>& frames) {
  const auto own = own_frames(frames, 1);
  return own.empty() ? "" : own.front().function.substr(0, own.front().function.find('('));
}

struct CliRun {
  RunResult run;
  nlohmann::json report;
};

CliRun conclab_run(std::vector<std::string> args, const std::string& json = {}) {
  RunSpec spec;
  spec.argv = {CONCLAB_CLI, "run"};
  if (!json.empty()) spec.argv.insert(spec.argv.end(), {"--json", json});
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.timeout = std::chrono::seconds(120);
  spec.hang_detection.reset();  // conclab judges the program, not us (cli_test.cpp's conclab())
  CliRun r{run_program(spec), {}};
  std::ifstream in(json);
  if (!json.empty() && in) r.report = nlohmann::json::parse(in);
  return r;
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "conclab_race_report_test." + std::to_string(::getpid()) + "." + name;
}

class BothCompilers : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(Samples, BothCompilers, ::testing::Values("gcc", "clang"));

// enqueue() writes without the lock; the worker reads under it later. TSan prints the worker's
// read first: only the second stack, the previous access, is in the culprit function.
TEST_P(BothCompilers, RaceKeepsBothSidesAndWhatTheMemoryIs) {
  const auto run = run_sample(GetParam(), "tsan_second_stack");
  const auto j = classify(run);
  ASSERT_EQ(j.findings.size(), 1u) << run.err.text;
  const Finding& f = j.findings.front();
  EXPECT_EQ(f.kind, Outcome::data_race);
  const Stack* access = stack_of(f, "access");
  const Stack* previous = stack_of(f, "previous_access");
  ASSERT_NE(access, nullptr) << run.err.text;
  ASSERT_NE(previous, nullptr) << run.err.text;
  EXPECT_EQ(first_own_function(access->frames), "worker");
  EXPECT_EQ(first_own_function(previous->frames), "enqueue");
  EXPECT_EQ(access->access, "read");
  EXPECT_EQ(access->size, 4);
  ASSERT_EQ(access->mutexes.size(), 1u) << access->title;  // the pool's lock, held by the worker
  EXPECT_TRUE(access->mutexes.front().starts_with("write M")) << access->title;
  EXPECT_EQ(previous->access, "write");
  EXPECT_EQ(previous->size, 4);
  EXPECT_TRUE(previous->mutexes.empty()) << previous->title;
  EXPECT_FALSE(previous->thread.empty());
  EXPECT_TRUE(f.location.starts_with("heap block of size ")) << f.location;
  EXPECT_EQ(f.location.find("0x"), std::string::npos) << f.location;
  const Stack* allocation = stack_of(f, "allocation");
  ASSERT_NE(allocation, nullptr);
  EXPECT_EQ(first_own_function(allocation->frames), "main");
  EXPECT_NE(stack_of(f, "mutex_created"), nullptr);
  EXPECT_NE(stack_of(f, "thread_created"), nullptr);
  // A case declaring the culprit function passes on the second stack.
  Expectation expected;
  expected.outcome = Outcome::data_race;
  expected.function = "enqueue";
  EXPECT_TRUE(judge(j, expected).passed) << judge(j, expected).reason;
}

// The verdict conclab prints and the SARIF results show both sides of the race.
TEST(WholeReport, VerdictAndSarifShowBothSides) {
  const auto r = conclab_run({"--", sample("gcc", "tsan_second_stack")});
  const auto& out = r.run.out.text;
  EXPECT_NE(out.find("read of 4 bytes by thread T1 (mutexes held: write M"), std::string::npos) << out;
  EXPECT_NE(out.find("previous write of 4 bytes by thread T2:"), std::string::npos) << out;
  EXPECT_NE(out.find("at enqueue"), std::string::npos) << out;
  EXPECT_NE(out.find("memory: heap block of size"), std::string::npos) << out;

  RunRecord record;
  record.case_id = "samples/tsan_second_stack";
  record.variant = "buggy";
  record.tool = "tsan";
  record.judgement = classify(run_sample("gcc", "tsan_second_stack"));
  record.expected.outcome = Outcome::data_race;
  record.passed = true;
  const auto sarif = sarif_report({"race", "tsan", CONCLAB_SAMPLES_DIR, {}, {record}, 0});
  const auto& result = sarif["runs"][0]["results"][0];
  EXPECT_EQ(result["partialFingerprints"]["conclab/v1"], record.judgement.findings.front().fingerprint);
  const auto flows = result["codeFlows"][0]["threadFlows"].dump();
  EXPECT_NE(flows.find("previous_access: Previous write of size 4"), std::string::npos) << flows;
  EXPECT_NE(flows.find("enqueue"), std::string::npos) << flows;
  EXPECT_NE(flows.find("worker"), std::string::npos) << flows;
}

// ASan: the access, the free and the allocation, each its own stack, and where the address is.
TEST_P(BothCompilers, UseAfterFreeKeepsAccessFreeAndAllocation) {
  const auto run = run_sample(GetParam(), "asan_use_after_free");
  const auto findings = reports::parse(run.err.text);
  ASSERT_FALSE(findings.empty()) << run.err.text;
  const Finding& f = findings.front();
  const Stack* access = stack_of(f, "access");
  ASSERT_NE(access, nullptr) << run.err.text;
  EXPECT_EQ(access->access, "read");
  EXPECT_EQ(access->size, 4);
  ASSERT_NE(stack_of(f, "free"), nullptr) << run.err.text;
  ASSERT_NE(stack_of(f, "allocation"), nullptr) << run.err.text;
  EXPECT_EQ(first_own_function(stack_of(f, "free")->frames), "read_after_free");
  EXPECT_EQ(first_own_function(stack_of(f, "allocation")->frames), "read_after_free");
  EXPECT_NE(f.location.find("inside of 4-byte region"), std::string::npos) << f.location;
}

// 50 reports of one race (50 call paths, 50 addresses) are one finding with a count.
TEST_P(BothCompilers, TheSameRaceFiftyTimesIsOneFinding) {
  const auto run = run_sample(GetParam(), "tsan_repeated_race");
  const auto reports = reports::parse(run.err.text);
  ASSERT_EQ(reports.size(), 50u) << run.err.text.substr(0, 4000);
  const auto j = classify(run);
  ASSERT_EQ(j.findings.size(), 1u);
  const Finding& f = j.findings.front();
  EXPECT_EQ(f.kind, Outcome::data_race);
  EXPECT_EQ(f.count, 50);
  EXPECT_EQ(f.paths.size(), 32u);  // 50 distinct call paths, the first 32 kept
  EXPECT_EQ(f.fingerprint.size(), 16u);
}

// Addresses, thread ids and the order of the reports do not change a fingerprint; the place does.
TEST(Fingerprint, IgnoresAddressesThreadIdsAndOrder) {
  const auto err = run_sample("clang", "tsan_repeated_race", {"new"}).err.text;
  const auto fingerprints = [](const std::string& text) {
    std::set<std::string> found;
    for (const auto& f : group_findings(reports::parse(text))) found.insert(f.fingerprint);
    return found;
  };
  const auto original = fingerprints(err);
  ASSERT_EQ(original.size(), 2u);
  // The same reports, last first, with other addresses and thread numbers.
  std::vector<std::string> blocks;
  for (std::size_t at = 0; at < err.size();) {
    auto next = err.find("==================\nWARNING", at + 1);
    if (next == std::string::npos) next = err.size();
    blocks.push_back(err.substr(at, next - at));
    at = next;
  }
  std::string shuffled;
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) shuffled += *it;
  for (const auto& [from, to] : {std::pair{"0x7b", "0x7c"}, std::pair{"tid=", "tid=9"}, std::pair{"T1", "T7"}})
    for (auto at = shuffled.find(from); at != std::string::npos; at = shuffled.find(from, at + 1))
      shuffled.replace(at, std::string(from).size(), to);
  ASSERT_NE(shuffled, err);
  EXPECT_EQ(fingerprints(shuffled), original);
}

// A baseline hides the known race and not a new one; a run with only known races is clean.
TEST(Baseline, HidesAKnownRaceNotANewOne) {
  const auto base = temp_path("base.json"), next = temp_path("next.json");
  const auto program = sample("gcc", "tsan_repeated_race");
  const auto first = conclab_run({"--", program}, base);
  ASSERT_EQ(first.report["outcome"], "data_race") << first.run.out.text;

  const auto again = conclab_run({"--baseline", base, "--", program}, next);
  EXPECT_EQ(again.run.exit_code, 0) << again.run.out.text;
  EXPECT_EQ(again.report["outcome"], "clean");
  ASSERT_EQ(again.report["findings"].size(), 1u);
  EXPECT_EQ(again.report["findings"][0]["known"], true);
  EXPECT_NE(again.run.out.text.find("known: in the baseline"), std::string::npos) << again.run.out.text;

  const auto changed = conclab_run({"--baseline", base, "--", program, "new"}, next);
  EXPECT_EQ(changed.run.exit_code, 1) << changed.run.out.text;
  EXPECT_EQ(changed.report["outcome"], "data_race");
  ASSERT_EQ(changed.report["findings"].size(), 2u);
  int fresh = 0;
  for (const auto& f : changed.report["findings"]) {
    if (f["known"] == true) continue;
    ++fresh;
    EXPECT_NE(f["summary"].get<std::string>().find("_flag"), std::string::npos) << f["summary"];
  }
  EXPECT_EQ(fresh, 1);
  std::filesystem::remove(base);
  std::filesystem::remove(next);
}

// A bare exit status or signal names no place: a baseline holding "killed by SIGABRT" must not
// hide the next abort, wherever it comes from (found by a stranger's GoogleTest suite).
TEST(Baseline, BareCrashOrExitStatusIsNeverKnown) {
  Judgement j;
  j.findings = group_findings({{Outcome::crash, "program", "killed by SIGABRT", {}, SIGABRT},
                               {Outcome::exit_nonzero, "program", "exited with status 1", {}, {}}});
  std::set<std::string> known;
  for (const auto& f : j.findings) known.insert(f.fingerprint);
  apply_baseline(j, known);
  EXPECT_FALSE(j.findings[0].known);
  EXPECT_FALSE(j.findings[1].known);
  EXPECT_EQ(j.outcome, Outcome::crash);
}

// A baseline that is not a report: one line naming it, exit 2, the program never run.
TEST(Baseline, BadFileIsAUsageError) {
  const auto bad = temp_path("bad.json");
  std::ofstream(bad) << "{\"not\": \"a report\"}";
  const auto r = conclab_run({"--baseline", bad, "--", testing::program("correct_threads")});
  std::filesystem::remove(bad);
  EXPECT_EQ(r.run.exit_code, 2);
  EXPECT_NE(r.run.err.text.find("--baseline"), std::string::npos) << r.run.err.text;
  EXPECT_EQ(std::count(r.run.err.text.begin(), r.run.err.text.end(), '\n'), 1) << r.run.err.text;
  EXPECT_EQ(conclab_run({"--baseline", temp_path("missing.json"), "--", "true"}).run.exit_code, 2);
}

TEST(Suppressions, TsanPatternSyntax) {
  EXPECT_TRUE(suppression_matches("enqueue", "enqueue(Pool&)"));
  EXPECT_TRUE(suppression_matches("^enqueue", "enqueue(Pool&)"));
  EXPECT_FALSE(suppression_matches("^enqueue$", "enqueue(Pool&)"));
  EXPECT_TRUE(suppression_matches("^enqueue(Pool&)$", "enqueue(Pool&)"));
  EXPECT_TRUE(suppression_matches("report_samples/tsan_*.cpp", "/src/report_samples/tsan_x.cpp"));
  EXPECT_FALSE(suppression_matches("worker", "enqueue(Pool&)"));
  EXPECT_FALSE(suppression_matches("a*b*c", std::string(10000, 'a') + "b"));  // no c: no match, and quickly
}

// One file for every tool: a TSan race and an ASan use-after-free suppressed by the same syntax;
// race_top looks at the innermost frame of each access only; a bad line is a usage error.
TEST(Suppressions, ApplyToEveryToolInOneSyntax) {
  const auto file = temp_path("suppressions.txt");
  const auto write = [&](const std::string& text) { std::ofstream(file) << text; };
  write("# known, tracked elsewhere\nrace:enqueue\nheap_use_after_free:read_after_free\n");
  auto r = conclab_run({"--suppress", file, "--", sample("gcc", "tsan_second_stack")});
  EXPECT_EQ(r.run.exit_code, 0) << r.run.out.text << r.run.err.text;
  EXPECT_NE(r.run.out.text.find("(suppressed)"), std::string::npos) << r.run.out.text;
  r = conclab_run({"--suppress", file, "--", sample("clang", "asan_use_after_free")});
  EXPECT_EQ(r.run.exit_code, 0) << r.run.out.text;

  write("race_top:^main$\n");  // main is in the stacks, but not innermost in an access (anchored:
                                // a checkout path may hold "main" too, and file names match)
  EXPECT_EQ(conclab_run({"--suppress", file, "--", sample("gcc", "tsan_second_stack")}).run.exit_code, 1);
  write("race_top:worker\n");
  EXPECT_EQ(conclab_run({"--suppress", file, "--", sample("gcc", "tsan_second_stack")}).run.exit_code, 0);

  write("race:enqueue\nrcae:worker\n");
  r = conclab_run({"--suppress", file, "--", sample("gcc", "tsan_second_stack")});
  EXPECT_EQ(r.run.exit_code, 2);
  EXPECT_NE(r.run.err.text.find(":2: unknown type 'rcae'"), std::string::npos) << r.run.err.text;
  std::filesystem::remove(file);
}

// run --sarif and --junit, as check and tour write them: the race with its fingerprint; a failed test.
TEST(RunReports, SarifAndJunit) {
  const auto sarif_file = temp_path("run.sarif"), junit_file = temp_path("run.xml"), json_file = temp_path("run.json");
  const auto r = conclab_run({"--sarif", sarif_file, "--sarif-category", "conclab/tsan/second_stack/", "--junit",
                              junit_file, "--", sample("gcc", "tsan_second_stack")},
                             json_file);
  EXPECT_EQ(r.run.exit_code, 1) << r.run.out.text << r.run.err.text;
  const auto sarif = nlohmann::json::parse(testing::read_file(sarif_file), nullptr, false);
  ASSERT_FALSE(sarif.is_discarded());
  ASSERT_EQ(sarif["runs"][0]["results"].size(), 1u);
  EXPECT_EQ(sarif["runs"][0]["results"][0]["ruleId"], "data_race");
  EXPECT_EQ(sarif["runs"][0]["results"][0]["partialFingerprints"]["conclab/v1"], r.report["findings"][0]["fingerprint"]);
  EXPECT_EQ(sarif["runs"][0]["automationDetails"]["id"], "conclab/tsan/second_stack/");
  const auto junit = testing::read_file(junit_file);
  EXPECT_NE(junit.find("<failure"), std::string::npos) << junit;
  EXPECT_NE(junit.find("tsan_second_stack"), std::string::npos) << junit;
  for (const auto& file : {sarif_file, junit_file, json_file}) std::filesystem::remove(file);
}

// --keep-output keeps the raw sanitizer text the findings were read from.
TEST(KeepOutput, WritesTheCapturedStreams) {
  const auto dir = temp_path("output");
  const auto r = conclab_run({"--keep-output", dir, "--", sample("gcc", "tsan_second_stack")});
  EXPECT_EQ(r.run.exit_code, 1) << r.run.out.text << r.run.err.text;
  const auto err = testing::read_file(std::filesystem::path(dir) / "stderr.txt");
  EXPECT_NE(err.find("WARNING: ThreadSanitizer: data race"), std::string::npos);
  EXPECT_NE(err.find("Previous write of size 4"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir) / "stdout.txt"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace conclab
