// The spawn and watch modules: how runs end, what is captured, and that nothing outlives a run.
#include "run/spawn.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

#include "test_support.hpp"

namespace conclab {
namespace {

using std::chrono::milliseconds;
using testing::children_of_this_process;
using testing::program;

RunResult run(std::vector<std::string> argv, milliseconds timeout = milliseconds(10000)) {
  RunSpec spec;
  spec.argv = std::move(argv);
  spec.timeout = timeout;
  return run_program(spec);
}

// A normal exit reports the status and no signal.
TEST(SpawnExit, ReportsExitStatus) {
  const auto r = run({program("fault_child"), "exit", "3"});
  ASSERT_TRUE(r.exit_code.has_value());
  EXPECT_EQ(*r.exit_code, 3);
  EXPECT_FALSE(r.signal.has_value());
  EXPECT_FALSE(r.timed_out);
}

// A signal death is a signal, never mistaken for an exit status of the same number.
TEST(SpawnExit, SignalIsNotAnExitCode) {
  const auto r = run({"/bin/sh", "-c", "kill -SEGV $$"});
  EXPECT_FALSE(r.exit_code.has_value());
  ASSERT_TRUE(r.signal.has_value());
  EXPECT_EQ(*r.signal, SIGSEGV);
}

// A run past its limit ends by SIGTERM. (The bounds on durations here only prove that the limit,
// not the program, ended the run: they are generous so a loaded machine cannot fail them.)
TEST(SpawnTimeLimit, EndsARunAtItsLimit) {
  const auto r = run({program("fault_child"), "sleep", "100"}, milliseconds(300));
  EXPECT_TRUE(r.timed_out);
  ASSERT_TRUE(r.signal.has_value());
  EXPECT_EQ(*r.signal, SIGTERM);
  EXPECT_LT(r.duration_s, 10.0);
}

// A child that ignores SIGTERM gets SIGKILL after the grace period.
TEST(SpawnTimeLimit, KillsAChildThatIgnoresSigterm) {
  RunSpec spec;
  spec.argv = {program("fault_child"), "ignore-term"};
  spec.timeout = milliseconds(300);
  spec.grace = milliseconds(200);
  const auto r = run_program(spec);
  EXPECT_TRUE(r.timed_out);
  ASSERT_TRUE(r.signal.has_value());
  EXPECT_EQ(*r.signal, SIGKILL);
  EXPECT_LT(r.duration_s, 10.0);
}

// 1 MiB on both streams at once, interleaved: both arrive whole, no pipe deadlock.
TEST(SpawnCapture, DrainsBothStreamsAtOnce) {
  const auto r = run({program("fault_child"), "flood", "1048576"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.total_bytes, 1048576u);
  EXPECT_EQ(r.err.total_bytes, 1048576u);
  EXPECT_EQ(r.out.text.size(), 1048576u);
  EXPECT_FALSE(r.out.truncated);
  EXPECT_FALSE(r.err.truncated);
}

// Past the cap the harness keeps the start and the end and says how much it cut.
TEST(SpawnCapture, CapsWhatItKeeps) {
  RunSpec spec;
  spec.argv = {program("fault_child"), "flood", "1048576"};
  spec.capture_limit = 64 * 1024;
  const auto r = run_program(spec);
  EXPECT_TRUE(r.out.truncated);
  EXPECT_EQ(r.out.total_bytes, 1048576u);
  EXPECT_LT(r.out.text.size(), 64u * 1024 + 200);
  EXPECT_NE(r.out.text.find("bytes of stdout cut here"), std::string::npos);
}

// A grandchild holding the pipes does not keep the run alive, and does not survive it.
TEST(SpawnStrays, GrandchildHoldingPipesIsEnded) {
  const auto r = run({program("fault_child"), "grandchild"}, milliseconds(5000));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_LT(r.duration_s, 10.0);
  EXPECT_FALSE(r.timed_out);
  const pid_t grandchild = std::stoi(r.out.text);
  EXPECT_FALSE(testing::process_exists(grandchild));
  EXPECT_GE(r.strays_killed, 1);
  EXPECT_TRUE(children_of_this_process().empty());
}

// A missing binary is a one-line harness error naming it, and leaves no child behind.
TEST(SpawnErrors, MissingBinaryIsAHarnessError) {
  try {
    run({"/nonexistent/conclab-no-such-program"});
    FAIL() << "expected HarnessError";
  } catch (const HarnessError& e) {
    EXPECT_NE(std::string(e.what()).find("conclab-no-such-program"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
  EXPECT_THROW(run({"conclab-no-such-program-in-path"}), HarnessError);
  EXPECT_TRUE(children_of_this_process().empty());
}

// An exec that fails after fork (boostorg/process#285) leaves no zombie.
TEST(SpawnErrors, FailedExecLeavesNoZombie) {
  const std::string path = ::testing::TempDir() + "conclab_not_a_program";
  { std::ofstream(path) << "\x7f" "garbage, not an executable\n"; }
  ::chmod(path.c_str(), 0755);
  EXPECT_THROW(run({path}), HarnessError);
  std::remove(path.c_str());
  EXPECT_TRUE(children_of_this_process().empty());
}

// Two runs at a time, each ending while the other starts: the sweep after one run never takes
// the other's child for an orphan in the instant between its fork and its registration (it used
// to kill and reap it, and the launcher's pidfd_open then failed: "assign: Bad file descriptor").
TEST(SpawnParallel, SweepNeverTakesAnotherRunsFreshChild) {
  std::atomic<int> failures{0};
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  auto runs = [&] {
    for (int i = 0; i < 150; ++i) {
      try {
        const auto r = run({"/bin/true"});
        if (r.exit_code != 0) ++failures;
      } catch (const std::exception& e) {
        ++failures;
        std::lock_guard lock(errors_mutex);
        errors.emplace_back(e.what());
      }
    }
  };
  std::thread other(runs);
  runs();
  other.join();
  EXPECT_EQ(failures.load(), 0) << (errors.empty() ? "a run did not exit 0" : errors.front());
  EXPECT_TRUE(children_of_this_process().empty());
}

}  // namespace
}  // namespace conclab
