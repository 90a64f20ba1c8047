// Helgrind and DRD: the parser on real outputs captured on Debian 12 with valgrind 3.19
// (harness/tests/data/valgrind/: lost_update and lock_order_inversion built -O2 -g by g++ 12,
// misuse.cpp -O0), on hostile text, and live runs under valgrind (skipped when it is missing).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "run/spawn.hpp"
#include "test_support.hpp"
#include "judge/valgrind_reports.hpp"
#include "tools/valgrind_tool.hpp"

namespace conclab {
namespace {

std::string sample(const std::string& name) {
  // The source tree by CMake's absolute path: __FILE__ is relative under ccache's base_dir.
  const auto file = std::filesystem::path(CONCLAB_SOURCE_DIR) / "harness" / "tests" / "data" / "valgrind" / name;
  std::ifstream in(file);
  EXPECT_TRUE(in) << file;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string bare_name(const std::string& function) { return function.substr(0, function.find('(')); }

// The first own frame of a finding: file ends with `file`, function named `function`, line > 0.
void expect_own_frame(const Finding& f, const std::string& file, const std::string& function) {
  const auto own = own_frames(f.frames, 1);
  ASSERT_EQ(own.size(), 1u) << f.summary;
  EXPECT_TRUE(own.front().file.ends_with(file)) << own.front().file;
  EXPECT_EQ(bare_name(own.front().function), function);
  EXPECT_GT(own.front().line, 0);
}

TEST(ValgrindReports, HelgrindDataRace) {
  const auto findings = valgrind::parse(sample("helgrind_race.txt"));
  ASSERT_EQ(findings.size(), 2u);  // thread announcements and "This conflicts with" start nothing
  for (const auto& f : findings) {
    EXPECT_EQ(f.kind, Outcome::data_race);
    EXPECT_EQ(f.tool, "helgrind");
    expect_own_frame(f, "cases/data_race/lost_update/buggy.cpp", "increment");
  }
  EXPECT_EQ(findings[0].summary,
            "helgrind: Possible data race during write of size 8 at 0x10C098 by thread #3 "
            "/work/main/cases/data_race/lost_update/buggy.cpp:29 in increment");
  // Valgrind's preloaded intercepts are never the program's frames.
  for (const auto& frame : findings[0].frames) EXPECT_EQ(frame.file.find("vgpreload"), std::string::npos);
}

TEST(ValgrindReports, HelgrindLockOrder) {
  const auto findings = valgrind::parse(sample("helgrind_lock_order.txt"));
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0].kind, Outcome::lock_order_inversion);
  EXPECT_EQ(findings[0].tool, "helgrind");
  expect_own_frame(findings[0], "cases/deadlock/lock_order_inversion/buggy.cpp", "transfer");
  for (const auto& f : findings) EXPECT_EQ(f.kind, Outcome::lock_order_inversion);
}

TEST(ValgrindReports, HelgrindMisuse) {
  const auto findings = valgrind::parse(sample("helgrind_misuse.txt"));
  ASSERT_EQ(findings.size(), 3u);  // unlock of an invalid lock, destroy of a locked one, EBUSY
  for (const auto& f : findings) {
    EXPECT_EQ(f.kind, Outcome::mutex_misuse);
    EXPECT_EQ(f.tool, "helgrind");
    expect_own_frame(f, "misuse.cpp", "main");
  }
  EXPECT_NE(findings[0].summary.find("unlocked an invalid lock"), std::string::npos);
}

TEST(ValgrindReports, DrdConflictingAccess) {
  const auto findings = valgrind::parse(sample("drd_race.txt"));
  ASSERT_EQ(findings.size(), 2u);  // CONCLAB_WRONG_RESULT in between is the program's, not DRD's
  for (const auto& f : findings) {
    EXPECT_EQ(f.kind, Outcome::data_race);
    EXPECT_EQ(f.tool, "drd");
    expect_own_frame(f, "cases/data_race/lost_update/buggy.cpp", "increment");
  }
  EXPECT_NE(findings[0].summary.find("Conflicting store by thread"), std::string::npos);
}

TEST(ValgrindReports, DrdMutexErrors) {
  const auto findings = valgrind::parse(sample("drd_misuse.txt"));
  ASSERT_EQ(findings.size(), 2u);  // "mutex ... was first observed at:" is context, not an error
  for (const auto& f : findings) {
    EXPECT_EQ(f.kind, Outcome::mutex_misuse);
    EXPECT_EQ(f.tool, "drd");
    expect_own_frame(f, "misuse.cpp", "main");
  }
}

TEST(ValgrindReports, CleanRunAndOtherText) {
  EXPECT_TRUE(valgrind::parse(sample("drd_clean.txt")).empty());
  EXPECT_TRUE(valgrind::parse("").empty());
  EXPECT_TRUE(valgrind::parse("Possible data race, said the program\n==x== Possible data race\n").empty());
  // Header alone, cut short: still a finding, without frames.
  const auto cut = valgrind::parse("==1== Possible data race during read of size 4 at 0x1 by thread #2\n==1==    at 0x");
  ASSERT_EQ(cut.size(), 1u);
  EXPECT_EQ(cut[0].kind, Outcome::data_race);
}

TEST(ValgrindReports, HostileText) {
  std::string text = "==1== Thread #2: " + std::string(1 << 20, 'A') + "\n==1==    at 0x1: " +
                     std::string(100000, '(') + "\n==1==    by 0x2: f (" + std::string(5000, ')') + "\n";
  text += std::string("==2== Conflicting store by thread 1\xff\x01\n==2==    at 0x3: g (a.cpp:x)\n");
  const auto start = std::chrono::steady_clock::now();
  const auto findings = valgrind::parse(text);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_LE(findings[0].summary.size(), 1100u);
  EXPECT_EQ(findings[1].summary.find('\x01'), std::string::npos);
}

// Valgrind 3.19 without pidfd_open (Boost.Process v2 launching a child of pipes_both_full's fixed
// variant, captured): the program's abort is the tool's doing, so the run is a tool_error.
TEST(ValgrindReports, UnhandledSyscallIsAToolError) {
  const auto findings = valgrind::parse(sample("helgrind_unhandled_syscall.txt"));
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].kind, Outcome::tool_error);
  EXPECT_EQ(findings[0].summary, "helgrind: valgrind does not know syscall 434 (pidfd_open): the program got ENOSYS");
  EXPECT_EQ(findings[1].kind, Outcome::tool_error);
  EXPECT_NE(findings[1].summary.find("could not start a program: mmap(0x58000000, 4096) failed in UME"), std::string::npos);
  RunResult run;
  run.signal = 6;
  run.err.text = sample("helgrind_unhandled_syscall.txt");
  EXPECT_EQ(valgrind::classify(run).outcome, Outcome::tool_error);  // not crash
  EXPECT_TRUE(valgrind::parse("--1-- WARNING: unhandled amd64-linux syscall: 434\n--1-- WARNING: unhandled amd64-linux syscall: 434\n").size() == 1);
  EXPECT_TRUE(valgrind::parse("--1-- WARNING: something else: 434\nvalgrind said the program\n").empty());
  std::string many;  // hostile: 200,000 different syscalls, still a bounded, quick parse
  for (int n = 0; n < 200000; ++n) many += "--1-- WARNING: unhandled amd64-linux syscall: " + std::to_string(n) + "\n";
  EXPECT_EQ(valgrind::parse(many).size(), 8u);
}

TEST(ValgrindTool, WrapsTheCommand) {
  const auto argv = valgrind::wrap("drd", {"/bin/prog", "--schedule=deadly"});
  ASSERT_GE(argv.size(), 5u);
  EXPECT_EQ(argv[0], "valgrind");
  EXPECT_EQ(argv[1], "--tool=drd");
  EXPECT_EQ(argv[2], "--error-exitcode=97");
  EXPECT_EQ(argv[argv.size() - 3], "--");
  EXPECT_EQ(argv.back(), "--schedule=deadly");
  EXPECT_THROW(valgrind::wrap("memcheck", {"/bin/true"}), HarnessError);
}

// Valgrind's error status is explained by its findings; it never adds exit_nonzero.
TEST(ValgrindTool, ClassifiesTheErrorStatus) {
  RunResult run;
  run.exit_code = valgrind::kErrorExitCode;
  run.err.text = sample("drd_race.txt");
  const auto j = valgrind::classify(run);
  EXPECT_EQ(j.outcome, Outcome::data_race);
  for (const auto& f : j.findings) EXPECT_NE(f.kind, Outcome::exit_nonzero);
  run.err.text = sample("drd_clean.txt");
  EXPECT_EQ(valgrind::classify(run).outcome, Outcome::exit_nonzero);  // 97 without a report: unexplained
}

bool have_valgrind() { return std::system("valgrind --version >/dev/null 2>&1") == 0; }

// Valgrind runs the release tree's binaries: a sanitizer tree's test programs are instrumented
// (TSan and ASan map shadow memory valgrind cannot give them) and crash under it.
std::string why_not_live() {
  if (std::string_view(CONCLAB_TEST_TOOL) != "release")
    return "valgrind runs uninstrumented binaries; this is the " + std::string(CONCLAB_TEST_TOOL) + " tree";
  if (!have_valgrind()) return "valgrind is not installed";
  return {};
}

RunResult under(const std::string& tool, std::vector<std::string> argv, std::chrono::seconds timeout) {
  RunSpec spec;
  spec.argv = valgrind::wrap(tool, argv);
  spec.timeout = timeout;
  spec.hang_detection = HangOptions{.window = std::chrono::milliseconds(2000)};
  return run_program(spec);
}

// A correct program is clean under both tools: no noise from glibc, libstdc++ or std::thread.
TEST(ValgrindLive, CorrectProgramIsClean) {
  if (const auto why = why_not_live(); !why.empty()) GTEST_SKIP() << why;
  for (const std::string tool : {"helgrind", "drd"}) {
    const auto run = under(tool, {testing::program("correct_threads")}, std::chrono::seconds(120));
    const auto j = valgrind::classify(run);
    EXPECT_EQ(j.outcome, Outcome::clean) << tool << "\n" << run.err.text;
  }
}

// Hang detection still works when the blocked threads are valgrind's: an ABBA deadlock under
// Helgrind ends long before its time limit, as a deadlock or at least a hang.
TEST(ValgrindLive, DeadlockUnderHelgrindIsDetected) {
  if (const auto why = why_not_live(); !why.empty()) GTEST_SKIP() << why;
  const auto run = under("helgrind", {testing::program("stuck_child"), "abba"}, std::chrono::seconds(120));
  const auto j = valgrind::classify(run);
  EXPECT_FALSE(run.timed_out && !run.hang) << run.err.text;
  EXPECT_TRUE(j.outcome == Outcome::deadlock || j.outcome == Outcome::hang) << to_string(j.outcome);
  EXPECT_LT(run.duration_s, 60);
}

}  // namespace
}  // namespace conclab
