// The fault suite: programs written to misbehave, run by the harness. For every one the run ends
// within its time limit plus a second, is judged right, keeps memory bounded, and leaves nothing:
// no process, no zombie, no /dev/shm object, no FIFO or temp file (checked after each test).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string_view>

#include "spawn.hpp"
#include "test_support.hpp"
#include "verdict.hpp"

namespace conclab {
namespace {

using std::chrono::milliseconds;
namespace fs = std::filesystem;

std::set<std::string> entries(const fs::path& dir, std::string_view prefix = {}) {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename().string().starts_with(prefix)) names.insert(e.path().filename().string());
  return names;
}

// Every process whose command line carries `tag`: a run's whole tree, escaped daemons included.
std::vector<pid_t> processes_tagged(const std::string& tag) {
  std::vector<pid_t> found;
  std::error_code ec;
  for (const auto& dir : fs::directory_iterator("/proc", ec)) {
    std::ifstream in(dir.path() / "cmdline", std::ios::binary);
    const std::string cmdline(std::istreambuf_iterator<char>(in), {});
    if (cmdline.find(tag) != std::string::npos) found.push_back(std::stoi(dir.path().filename()));
  }
  return found;
}

class FaultSuite : public ::testing::Test {
 protected:
  // Nothing of the run is left, whatever the test asserted before. Other tests run beside this
  // one, so only names with this process's run ids ("conclab.<pid>-<n>") count.
  void TearDown() override {
    const std::string ours = "conclab." + std::to_string(::getpid()) + "-";
    EXPECT_TRUE(processes_tagged(tag_).empty()) << "a process of the run survived it";
    EXPECT_TRUE(testing::children_of_this_process().empty()) << "a child or zombie is left";
    for (const auto& name : entries("/dev/shm")) EXPECT_EQ(name.find(ours), std::string::npos) << name;
    EXPECT_TRUE(entries(fs::temp_directory_path(), ours).empty()) << "a run temp folder is left";
  }

  // Runs fault_child MODE ARG, tagged, and checks it ended within its limit plus a second.
  Judgement run(const std::string& mode, const std::string& arg, milliseconds limit, RunSpec spec = {}) {
    spec.argv = {testing::program("fault_child"), mode, arg, tag_};
    spec.timeout = limit;
    result_ = run_program(spec);
    EXPECT_LE(result_.duration_s, std::chrono::duration<double>(limit).count() + 1.0) << mode;
    return classify(result_);
  }

  const std::string tag_ = "fault-suite-tag-" + std::to_string(::getpid());
  RunResult result_;
};

// A child that ignores SIGTERM is killed after the grace period: a timeout, not a hang of ours.
TEST_F(FaultSuite, IgnoresSigterm) {
  EXPECT_EQ(run("ignore-term", "", milliseconds(1000)).outcome, Outcome::timeout);
  EXPECT_EQ(result_.signal, SIGKILL);
}

// A daemon that calls setsid and forks again escapes the process group, not the harness.
TEST_F(FaultSuite, GrandchildEscapesTheGroup) {
  const auto j = run("escape-group", "", milliseconds(5000));
  EXPECT_EQ(j.outcome, Outcome::orphan_process);
  ASSERT_EQ(result_.orphans.size(), 1u);
  EXPECT_NE(result_.orphans[0].command.find("escape-group"), std::string::npos);
}

// A flood on each stream: both drained at once, kept within the capture limit, run ends clean.
TEST_F(FaultSuite, FloodsBothStreams) {
  rusage before{};
  ::getrusage(RUSAGE_SELF, &before);
  // 1 GiB each in release; a sanitizer tree moves bytes ~50x slower (both the child's writes and
  // our reads are instrumented), so there 128 MiB, still 8 times the capture cap.
  const std::uint64_t bytes = std::string_view(CONCLAB_TEST_TOOL) == "release" ? 1ull << 30 : 128ull << 20;
  const auto j = run("flood", std::to_string(bytes), milliseconds(60000));
  EXPECT_EQ(j.outcome, Outcome::clean);
  EXPECT_EQ(result_.out.total_bytes, bytes);
  EXPECT_EQ(result_.err.total_bytes, bytes);
  EXPECT_LE(result_.out.text.size(), (16u << 20) + 100);
  // Peak RSS means something only without a sanitizer: ASan keeps freed memory in quarantine
  // (256 MiB by default) and TSan adds shadow; the capture cap above holds in every tree.
  rusage after{};
  ::getrusage(RUSAGE_SELF, &after);
  if (std::string_view(CONCLAB_TEST_TOOL) == "release")
    EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 256 * 1024) << "peak RSS grew by more than 256 MiB (in KiB)";
}

// Closing stdout early is no reason to stop reading stderr or to hang.
TEST_F(FaultSuite, ClosesStdoutEarly) {
  EXPECT_EQ(run("close-stdout", "", milliseconds(5000)).outcome, Outcome::clean);
  EXPECT_NE(result_.err.text.find("stdout closed"), std::string::npos);
}

// A child that stops itself (SIGSTOP) is continued and ended at the limit.
TEST_F(FaultSuite, StopsItself) {
  EXPECT_EQ(run("stop-self", "", milliseconds(1000)).outcome, Outcome::timeout);
}

// Binary garbage and invalid UTF-8 with half reports in it: parsed without harm.
TEST_F(FaultSuite, PrintsGarbage) {
  const auto j = run("garbage", "", milliseconds(5000));
  EXPECT_EQ(result_.exit_code, 0);
  for (const auto& f : j.findings) EXPECT_EQ(f.summary.find('\n'), std::string::npos);
}

// shm, a named semaphore, a FIFO and a temp file, then a crash: all reported, all removed.
TEST_F(FaultSuite, LeavesIpcObjectsAndCrashes) {
  const auto j = run("leave-ipc", "", milliseconds(5000));
  EXPECT_EQ(j.outcome, Outcome::crash);
  std::set<std::string> kinds;
  for (const auto& l : result_.leftovers) kinds.insert(l.kind);
  EXPECT_EQ(kinds, (std::set<std::string>{"shm", "semaphore", "fifo", "file"}));
  EXPECT_TRUE(std::any_of(j.findings.begin(), j.findings.end(), [](const Finding& f) { return f.kind == Outcome::ipc_leak; }));
}

// A fork bomb stops at the run's process limit and is swept up (where a cgroup can be made).
TEST_F(FaultSuite, ForkBombIsContained) {
  RunSpec spec;
  spec.limits.processes = 64;
  const auto j = run("fork-bomb", "", milliseconds(10000), spec);
  if (result_.limits_applied.find("processes <=") == std::string::npos)
    GTEST_SKIP() << "no process limit here: " << result_.limits_applied;
  EXPECT_EQ(j.outcome, Outcome::orphan_process);
  EXPECT_EQ(result_.limit_hit, "processes");
  EXPECT_LE(result_.orphans.size(), 64u);
}

// Writing past the file-size limit ends the writer with SIGXFSZ.
TEST_F(FaultSuite, FileSizeLimit) {
  RunSpec spec;
  spec.limits.file_bytes = 4 << 20;
  EXPECT_EQ(run("write-file", std::to_string(16 << 20), milliseconds(10000), spec).outcome, Outcome::crash);
  EXPECT_EQ(result_.signal, SIGXFSZ);
}

// A busy loop is stopped by its CPU-time limit (SIGXCPU) before the wall-clock limit: timeout.
TEST_F(FaultSuite, CpuTimeLimit) {
  RunSpec spec;
  spec.limits.cpu_seconds = 1;
  spec.hang_detection.reset();
  EXPECT_EQ(run("burn-cpu", "", milliseconds(20000), spec).outcome, Outcome::timeout);  // out of (CPU) time
  EXPECT_EQ(result_.signal, SIGXCPU);
}

}  // namespace
}  // namespace conclab
