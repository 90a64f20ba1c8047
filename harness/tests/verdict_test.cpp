// The verdict module: how a run's ending and reports become one outcome, and when a check fails.
#include "judge/verdict.hpp"

#include <gtest/gtest.h>
#include <signal.h>

namespace conclab {
namespace {

constexpr const char* kTsanRace = R"(==================
WARNING: ThreadSanitizer: data race (pid=4242)
  Write of size 8 at 0x5581 by thread T2:
    #0 bump /src/cases/data_race/lost_update/buggy.cpp:21 (buggy+0x1a2b)
    #1 operator() /src/cases/data_race/lost_update/buggy.cpp:30 (buggy+0x1b2b)

  Previous read of size 8 at 0x5581 by thread T1:
    #0 bump /src/cases/data_race/lost_update/buggy.cpp:19 (buggy+0x1a0b)

SUMMARY: ThreadSanitizer: data race /src/cases/data_race/lost_update/buggy.cpp:21 in bump
==================
)";

RunResult exited(int status, std::string err = "") {
  RunResult r;
  r.exit_code = status;
  r.err.text = std::move(err);
  return r;
}

// Exit 0 and no report: clean.
TEST(Classify, CleanRun) { EXPECT_EQ(classify(exited(0)).outcome, Outcome::clean); }

// A non-zero exit with nothing else to explain it.
TEST(Classify, ExitNonzero) {
  const auto j = classify(exited(3));
  EXPECT_EQ(j.outcome, Outcome::exit_nonzero);
  EXPECT_EQ(j.deciding()->summary, "exited with status 3");
}

// A kernel signal is a crash carrying that signal.
TEST(Classify, SignalIsCrash) {
  RunResult r;
  r.signal = SIGSEGV;
  const auto j = classify(r);
  EXPECT_EQ(j.outcome, Outcome::crash);
  EXPECT_EQ(j.signal, SIGSEGV);
}

// The watchdog's SIGTERM is a timeout, not a crash.
TEST(Classify, TimeoutIsNotCrash) {
  RunResult r;
  r.signal = SIGTERM;
  r.timed_out = true;
  EXPECT_EQ(classify(r).outcome, Outcome::timeout);
}

// TSan's exit status 66 is explained by its report: data_race, not exit_nonzero.
TEST(Classify, SanitizerReportExplainsExitStatus) {
  const auto j = classify(exited(66, kTsanRace));
  EXPECT_EQ(j.outcome, Outcome::data_race);
  ASSERT_NE(j.deciding(), nullptr);
  EXPECT_EQ(j.deciding()->tool, "tsan");
}

// A race outranks the wrong result it caused.
TEST(Classify, RaceOutranksWrongResult) {
  auto r = exited(66, std::string(kTsanRace) + "CONCLAB_WRONG_RESULT: counter: expected 2, got 1\n");
  const auto j = classify(r);
  EXPECT_EQ(j.outcome, Outcome::data_race);
  EXPECT_EQ(j.findings.size(), 2u);
}

// The program's own invariant marker, in stdout or stderr, is a wrong_result.
TEST(Classify, WrongResultMarker) {
  auto r = exited(1);
  r.out.text = "CONCLAB_WRONG_RESULT: counter: expected 200000, got 100001\n";
  EXPECT_EQ(classify(r).outcome, Outcome::wrong_result);
}

// A check passes only on the declared outcome...
TEST(Judge, MismatchFails) {
  Expectation e;
  e.outcome = Outcome::data_race;
  const auto check = judge(classify(exited(0)), e);
  EXPECT_FALSE(check.passed);
  EXPECT_EQ(check.reason, "expected data_race, got clean");
  EXPECT_TRUE(judge(classify(exited(66, kTsanRace)), e).passed);
}

// ...and, when it names a function, only when the finding's stack is in it.
TEST(Judge, FunctionMustAppearInTheFindingsStack) {
  Expectation e;
  e.outcome = Outcome::data_race;
  e.function = "bump";
  EXPECT_TRUE(judge(classify(exited(66, kTsanRace)), e).passed);
  e.function = "transfer";
  const auto check = judge(classify(exited(66, kTsanRace)), e);
  EXPECT_FALSE(check.passed);
  EXPECT_EQ(check.reason, "got data_race as expected, but no frame of it is in function 'transfer'");
}

// Names match without parameters or ABI tags, and a lambda's frame is named operator().
TEST(Judge, FunctionNamesIgnoreSignaturesAndAbiTags) {
  auto report = std::string(kTsanRace);
  report.replace(report.find("#0 bump"), 7, "#0 capture[abi:cxx11](int&)");
  report.replace(report.find("#1 operator()"), 13, "#1 operator()");
  Expectation e;
  e.outcome = Outcome::data_race;
  e.function = "capture";
  EXPECT_TRUE(judge(classify(exited(66, report)), e).passed);
  e.function = "operator()";
  EXPECT_TRUE(judge(classify(exited(66, report)), e).passed);
}

}  // namespace
}  // namespace conclab
