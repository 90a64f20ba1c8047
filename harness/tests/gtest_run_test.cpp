// `conclab run --gtest`: GoogleTest's output read (gtest_output.hpp), and a GoogleTest suite built
// with TSan judged test by test end to end (report_samples/tsan_gtest_suite.cpp).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "judge/gtest_output.hpp"
#include "run/spawn.hpp"
#include "test_support.hpp"

namespace conclab {
namespace {

TEST(GtestList, SuitesTestsAndParametersInOrderDisabledLeftOut) {
  const auto list = "Running main() from gtest_main.cc\n"
                    "Ledger.\n  Racy\n  DISABLED_Slow\n  Clean\n"
                    "Small/Sizes.  # TypeParam = int\n  Positive/0  # GetParam() = 0\n  Positive/1  # GetParam() = 1\n"
                    "DISABLED_Old.\n  Works\n";
  EXPECT_EQ(gtest::parse_list(list, false),
            (std::vector<std::string>{"Ledger.Racy", "Ledger.Clean", "Small/Sizes.Positive/0", "Small/Sizes.Positive/1"}));
  EXPECT_EQ(gtest::parse_list(list, true).size(), 6u);
  EXPECT_TRUE(gtest::parse_list("hello\nworld\n", false).empty());
  EXPECT_TRUE(gtest::parse_list("", false).empty());
}

TEST(GtestResult, FailedTestKeepsGoogleTestsMessage) {
  const auto out = "[ RUN      ] Ledger.Failing\n"
                   "/src/t.cpp:24: Failure\nExpected equality of these values:\n  fees\n    Which is: 42\n  40\n"
                   "[  FAILED  ] Ledger.Failing (16 ms)\n[  FAILED  ] 1 test, listed below:\n[  FAILED  ] Ledger.Failing\n";
  const auto r = gtest::parse_result(out, "Ledger.Failing");
  EXPECT_TRUE(r.ran);
  EXPECT_TRUE(r.failed);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.failure, "/src/t.cpp:24: Failure\nExpected equality of these values:\n  fees\n    Which is: 42\n  40\n");
  EXPECT_EQ(gtest::failure_headline(r.failure), "/src/t.cpp:24: Failure — Expected equality of these values:");
}

TEST(GtestResult, PassedSkippedNotRunAndAnotherTestsName) {
  EXPECT_TRUE(gtest::parse_result("[ RUN      ] A.B\n[       OK ] A.B (0 ms)\n", "A.B").passed);
  const auto skipped = gtest::parse_result("[ RUN      ] A.B\nt.cpp:3: Skipped\n[  SKIPPED ] A.B (0 ms)\n", "A.B");
  EXPECT_TRUE(skipped.skipped);
  EXPECT_TRUE(skipped.failure.empty());
  EXPECT_FALSE(gtest::parse_result("[==========] Running 0 tests\n", "A.B").ran);
  // A.Bc is another test: its lines say nothing of A.B.
  const auto other = gtest::parse_result("[ RUN      ] A.Bc\n[  FAILED  ] A.Bc (1 ms)\n", "A.B");
  EXPECT_FALSE(other.ran);
  EXPECT_FALSE(other.failed);
  // A parameterized test's failure line names its parameter.
  EXPECT_TRUE(gtest::parse_result("[ RUN      ] P/S.T/1\n[  FAILED  ] P/S.T/1, where GetParam() = 1 (0 ms)\n", "P/S.T/1").failed);
  // Started, never ended (a crash, a hang): neither passed nor failed.
  const auto unfinished = gtest::parse_result("[ RUN      ] A.B\n", "A.B");
  EXPECT_TRUE(unfinished.ran);
  EXPECT_FALSE(unfinished.passed || unfinished.failed || unfinished.skipped);
  EXPECT_TRUE(unfinished.unfinished);
  // --gtest_repeat=2: the second run failed, so the test failed.
  const auto repeated = gtest::parse_result("[ RUN      ] A.B\n[       OK ] A.B (0 ms)\n[ RUN      ] A.B\n"
                                            "t.cpp:9: Failure\nflaky\n[  FAILED  ] A.B (0 ms)\n", "A.B");
  EXPECT_TRUE(repeated.failed);
  EXPECT_FALSE(repeated.unfinished);
  EXPECT_EQ(repeated.failure, "t.cpp:9: Failure\nflaky\n");
}

// A failure outside any test body (SetUpTestSuite, an environment) is found where GoogleTest printed it.
TEST(GtestResult, FirstFailureOutsideATest) {
  EXPECT_EQ(gtest::first_failure("[----------] 1 test from Audit\nt.cpp:7: Failure\nFailed\nlog closed\n"
                                 "[ RUN      ] Audit.Opens\n"),
            "t.cpp:7: Failure\nFailed\nlog closed\n");
  EXPECT_EQ(gtest::first_failure("[ RUN      ] A.B\n[       OK ] A.B (0 ms)\n"), "");
}

TEST(GtestArgs, SelectionIsDroppedTheRestKept) {
  EXPECT_EQ(gtest::without_selection({"--gtest_filter=A.*", "--gtest_repeat=2", "-gtest_filter=B.*", "--gtest_filter", "C.*",
                                      "--gtest_list_tests", "--verbose"}),
            (std::vector<std::string>{"--gtest_repeat=2", "--verbose"}));
  EXPECT_EQ(gtest::file_name("Small/Sizes.Positive/0"), "Small_Sizes.Positive_0");
  // A 260-byte parameterized name fits a folder name; two such names stay apart.
  const auto a = gtest::file_name("Long/P.X/" + std::string(250, 'a')), b = gtest::file_name("Long/P.X/" + std::string(251, 'a'));
  EXPECT_EQ(a.size(), 117u);
  EXPECT_NE(a, b);
}

struct Cli {
  RunResult run;
  nlohmann::json report;
};

std::filesystem::path scratch(const std::string& name) {
  return std::filesystem::path(::testing::TempDir()) / ("conclab_gtest_test." + std::to_string(::getpid()) + "." + name);
}

// conclab run --gtest ARGS... -- the suite SUITE_ARGS..., with its JSON report.
Cli conclab_gtest(std::vector<std::string> args, std::vector<std::string> suite_args = {}) {
  const auto json = scratch("report.json");
  std::filesystem::remove(json);
  RunSpec spec;
  spec.argv = {CONCLAB_CLI, "run", "--gtest", "--json", json.string()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.argv.push_back("--");
  spec.argv.push_back(std::string(CONCLAB_SAMPLES_DIR) + "/gcc_tsan_gtest_suite");
  spec.argv.insert(spec.argv.end(), suite_args.begin(), suite_args.end());
  spec.timeout = std::chrono::seconds(120);
  spec.hang_detection.reset();  // conclab judges the suite, not us (cli_test.cpp's conclab())
  Cli r{run_program(spec), {}};
  if (std::filesystem::exists(json)) r.report = nlohmann::json::parse(testing::read_file(json));
  std::filesystem::remove(json);
  return r;
}

std::map<std::string, nlohmann::json> by_name(const nlohmann::json& report) {
  std::map<std::string, nlohmann::json> tests;
  for (const auto& t : report["tests"]) tests[t["name"]] = t;
  return tests;
}

void expect_the_suites_verdicts(const Cli& r) {
  EXPECT_EQ(r.run.exit_code, 1) << r.run.out.text << r.run.err.text;
  EXPECT_EQ(r.report["outcome"], "data_race");
  auto tests = by_name(r.report);
  ASSERT_EQ(tests.size(), 8u) << r.report.dump(1);  // DISABLED_NeverRuns is left out
  EXPECT_EQ(tests["Ledger.Racy"]["outcome"], "data_race");
  EXPECT_EQ(tests["Ledger.Racy"]["status"], "passed");
  EXPECT_EQ(tests["Ledger.Failing"]["outcome"], "exit_nonzero");
  EXPECT_EQ(tests["Ledger.Failing"]["status"], "failed");
  const std::string summary = tests["Ledger.Failing"]["findings"][0]["summary"];
  EXPECT_TRUE(summary.starts_with("Ledger.Failing failed: ")) << summary;
  EXPECT_NE(summary.find("tsan_gtest_suite.cpp:"), std::string::npos) << summary;
  EXPECT_NE(summary.find(": Failure — Expected equality of these values:"), std::string::npos) << summary;
  EXPECT_NE(tests["Ledger.Failing"]["failure"].get<std::string>().find("the fee table lost an entry"), std::string::npos);
  EXPECT_EQ(tests["Ledger.Clean"]["outcome"], "clean");
  EXPECT_EQ(tests["Ledger.Skipped"]["outcome"], "clean");
  EXPECT_EQ(tests["Ledger.Skipped"]["status"], "skipped");
  EXPECT_EQ(tests["Small/Sizes.Positive/1"]["outcome"], "clean");
  // Ended in its middle with status 0: never finished, and not clean.
  EXPECT_EQ(tests["Ledger.ExitsEarly"]["status"], "unfinished");
  EXPECT_EQ(tests["Ledger.ExitsEarly"]["outcome"], "exit_nonzero");
  const std::string early = tests["Ledger.ExitsEarly"]["findings"][0]["summary"];
  EXPECT_NE(early.find("never finished"), std::string::npos) << early;
  EXPECT_NE(early.find("it had failed: "), std::string::npos) << early;
  // A suite's set-up failed outside any test body: GoogleTest's message, not a bare exit status.
  EXPECT_EQ(tests["Audit.Opens"]["outcome"], "exit_nonzero");
  EXPECT_NE(tests["Audit.Opens"]["failure"].get<std::string>().find("the audit log could not be opened"), std::string::npos)
      << tests["Audit.Opens"].dump(1);
  // The race is the racy test's own: no other test's report has it.
  for (const auto& [name, t] : tests)
    if (name != "Ledger.Racy") EXPECT_EQ(t["outcome"] == "data_race", false) << name;
  EXPECT_NE(r.run.out.text.find("8 tests, 4 clean, 4 not"), std::string::npos) << r.run.out.text;
}

TEST(CliGtest, EachTestIsItsOwnRun) {
  const auto r = conclab_gtest({});
  expect_the_suites_verdicts(r);
  EXPECT_EQ(r.report["gtest"]["jobs"], 1);
}

TEST(CliGtest, InParallelTheSame) {
  const auto r = conclab_gtest({"-j", "3"});
  expect_the_suites_verdicts(r);
  EXPECT_EQ(r.report["gtest"]["jobs"], 3);
}

TEST(CliGtest, TheUsersFilterSelects) {
  const auto r = conclab_gtest({}, {"--gtest_filter=Ledger.C*:Small*"});
  EXPECT_EQ(r.run.exit_code, 0) << r.run.out.text << r.run.err.text;
  EXPECT_EQ(r.report["outcome"], "clean");
  const auto tests = by_name(r.report);
  EXPECT_EQ(tests.size(), 3u);
  EXPECT_TRUE(tests.contains("Ledger.Clean"));
}

// A baseline from a run of the racy test alone: its race is known, the failing test is not.
TEST(CliGtest, BaselineHidesTheKnownRaceNotTheFailure) {
  const auto first = conclab_gtest({}, {"--gtest_filter=Ledger.Racy"});
  ASSERT_EQ(first.report["outcome"], "data_race") << first.run.out.text;
  const auto baseline = scratch("baseline.json");
  ASSERT_TRUE(testing::write_file(baseline, first.report.dump()));
  const auto r = conclab_gtest({"--baseline", baseline.string()}, {"--gtest_filter=Ledger.*"});
  std::filesystem::remove(baseline);
  auto tests = by_name(r.report);
  EXPECT_EQ(tests["Ledger.Racy"]["outcome"], "clean") << r.run.out.text;
  EXPECT_EQ(tests["Ledger.Racy"]["findings"][0]["known"], true);
  EXPECT_EQ(tests["Ledger.Failing"]["outcome"], "exit_nonzero");
  EXPECT_EQ(r.report["outcome"], "exit_nonzero");
  EXPECT_EQ(r.run.exit_code, 1);
}

TEST(CliGtest, JunitSarifAndKeptOutputNameEachTest) {
  const auto junit = scratch("junit.xml"), sarif = scratch("sarif.json"), kept = scratch("kept");
  const auto r = conclab_gtest({"--junit", junit.string(), "--sarif", sarif.string(), "--keep-output", kept.string()},
                               {"--gtest_filter=Ledger.Racy:Ledger.Failing"});
  EXPECT_EQ(r.run.exit_code, 1) << r.run.err.text;
  const auto xml = testing::read_file(junit), sarif_text = testing::read_file(sarif);
  EXPECT_NE(xml.find("Ledger.Failing"), std::string::npos) << xml;
  EXPECT_NE(xml.find("Failure"), std::string::npos) << xml;
  EXPECT_NE(sarif_text.find("Ledger.Racy"), std::string::npos);
  EXPECT_NE(testing::read_file(kept / "0001-Ledger.Racy" / "stderr.txt").find("ThreadSanitizer"), std::string::npos);
  EXPECT_NE(testing::read_file(kept / "0002-Ledger.Failing" / "stdout.txt").find("[  FAILED  ] Ledger.Failing"),
            std::string::npos);
  std::filesystem::remove(junit);
  std::filesystem::remove(sarif);
  std::filesystem::remove_all(kept);
}

// Bad input: one line, status 2, nothing run.
TEST(CliGtest, NotAGoogleTestBinaryOrNoTestIsBadInput) {
  RunSpec spec;
  spec.timeout = std::chrono::seconds(60);
  spec.argv = {CONCLAB_CLI, "run", "--gtest", "--", "/bin/true"};
  auto r = run_program(spec);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.text.find("is not a GoogleTest binary"), std::string::npos) << r.err.text;
  EXPECT_EQ(std::count(r.err.text.begin(), r.err.text.end(), '\n'), 1) << r.err.text;
  const auto none = conclab_gtest({}, {"--gtest_filter=NoSuch.*"});
  EXPECT_EQ(none.run.exit_code, 2);
  EXPECT_NE(none.run.err.text.find("lists no test to run"), std::string::npos) << none.run.err.text;
  spec.argv = {CONCLAB_CLI, "run", "-j", "2", "--", "/bin/true"};
  r = run_program(spec);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.text.find("only with --gtest"), std::string::npos) << r.err.text;
}

}  // namespace
}  // namespace conclab
