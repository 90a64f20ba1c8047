// The fault suite: programs written to misbehave, run by the harness. For every one the run ends
// within its time limit plus a second, is judged right, keeps memory bounded, and leaves nothing:
// no process, no zombie, no /dev/shm object, no FIFO or temp file (checked after each test).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "run/spawn.hpp"
#include "test_support.hpp"
#include "judge/verdict.hpp"

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
  for (const auto& [pid, cmdline] : testing::command_lines())
    if (cmdline.find(tag) != std::string::npos) found.push_back(pid);
  return found;
}

// This process's cgroups whose name starts with `prefix`, in every v1 hierarchy (and v2).
std::vector<std::string> cgroups_named(const std::string& prefix) {
  std::vector<std::string> found;
  std::ifstream own("/proc/self/cgroup");
  for (std::string line; std::getline(own, line);) {
    const auto first = line.find(':'), second = line.find(':', first + 1);
    std::string controller = line.substr(first + 1, second - first - 1);
    if (controller.starts_with("name=")) continue;
    const fs::path dir = fs::path("/sys/fs/cgroup") / (controller.empty() ? "unified" : controller) /
                         fs::path(line.substr(second + 1)).relative_path();
    for (const auto& name : entries(dir, prefix)) found.push_back((dir / name).string());
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
    const auto cgroups = cgroups_named("conclab-" + std::to_string(::getpid()) + "-");
    EXPECT_TRUE(cgroups.empty()) << "a run's cgroup is left: " << cgroups.front();
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

// A setsid fork bomb whose leader exits at once: every process in a session of its own, forking
// on. Frozen and killed through the run's cgroup, nothing of it is left (TearDown looks for every
// process carrying the tag) within the limit plus a second, and the run's cgroups are gone. The
// hang explainer samples as in any run (its symbol look-ups per sample are bounded, so a tree that
// forks without end does not hold up the run's event loop).
TEST_F(FaultSuite, SetsidForkBombLeavesNothing) {
  RunSpec spec;
  spec.limits.processes = 20;
  // The leader returns after 0.2 s; the limit only bounds a slow tree. 3 s was not enough for a
  // TSan-built leader forking beside a full pids cgroup on a loaded 2-core CI machine (timeout once).
  const auto j = run("setsid-bomb", "", milliseconds(15000), spec);
  if (result_.limits_applied.find("processes <=") == std::string::npos)
    GTEST_SKIP() << "no process limit here: " << result_.limits_applied;
  EXPECT_EQ(j.outcome, Outcome::orphan_process);
  EXPECT_FALSE(result_.orphans.empty());
  EXPECT_LE(result_.orphans.size(), 20u);
}

// An object in /dev/shm that nothing ties to the run (no run id in its name) may be another
// program's: one made by this test process during the run survives it, and so does the run's
// own untagged one, reported but not removed.
TEST_F(FaultSuite, AnotherProgramsShmObjectSurvives) {
  const fs::path go = fs::temp_directory_path() / ("fault-suite-go-" + std::to_string(::getpid()));
  const fs::path leak = "/dev/shm/untagged-" + tag_, other = "/dev/shm/other-program-" + tag_;
  std::thread runner([&] { run("leave-shm-wait", go.string(), milliseconds(30000)); });
  for (int i = 0; i < 30000 && !fs::exists(leak); ++i) std::this_thread::sleep_for(milliseconds(1));
  std::ofstream(other) << "another program's data\n";
  std::ofstream(go) << "go\n";
  runner.join();
  EXPECT_TRUE(fs::exists(other)) << "conclab deleted another program's /dev/shm object";
  bool reported = false;
  for (const auto& l : result_.leftovers)
    if (l.path == leak.string()) reported = !l.removed;
  EXPECT_TRUE(reported) << "the run's untagged object is reported, not removed";
  for (const auto& file : {go, leak, other}) fs::remove(file);
}

// A folder in /dev/shm with the run's id is removed with what it holds, and reported so.
TEST_F(FaultSuite, ShmFolderIsRemovedWithItsContents) {
  run("leave-shm-folder", "", milliseconds(5000));
  // Only the run's own (tagged) entry: ctest runs other tests beside this one, and an untagged
  // object one of them makes meanwhile is reported here too, unremoved.
  std::vector<Leftover> removed;
  for (const auto& l : result_.leftovers)
    if (l.removed) removed.push_back(l);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].kind, "folder");
  EXPECT_FALSE(fs::exists(removed[0].path)) << removed[0].path;
}

// A child killed by the run's memory limit makes the run a crash, even when the leader exits 0.
TEST_F(FaultSuite, MemoryLimitKillIsNeverClean) {
  RunSpec spec;
  spec.limits.memory_bytes = 256ull << 20;
  const auto j = run("oom-child", "", milliseconds(60000), spec);
  if (result_.limits_applied.find("memory <=") == std::string::npos)
    GTEST_SKIP() << "no memory limit here: " << result_.limits_applied;
  EXPECT_EQ(result_.limit_hit, "memory");
  EXPECT_EQ(j.outcome, Outcome::crash) << result_.out.text;
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

// A program names its threads: one called `a"]; x [label="` stays a label in the wait-for
// graph, and Graphviz draws exactly the graph's own nodes (two: the thread and "nobody").
TEST(HostileNames, ThreadNameStaysALabelInTheGraph) {
  HangReport report;
  report.kind = Outcome::deadlock;
  Wait w;
  w.thread = {4242, 4243};
  w.name = "a\"]; x [label=\"\\";
  w.waits_for = "mutex";
  w.object = "m\"\n}";
  report.cycle.push_back(w);
  const fs::path dot_file = fs::temp_directory_path() / ("hostile-" + std::to_string(::getpid()) + ".dot");
  std::ofstream(dot_file) << to_dot(report);
  RunSpec spec;
  spec.argv = {"dot", "-Tplain", dot_file.string()};
  spec.track_leftovers = false;
  std::optional<RunResult> run;
  try {
    run = run_program(spec);
  } catch (const HarnessError& e) {
    fs::remove(dot_file);
    GTEST_SKIP() << "no Graphviz: " << e.what();
  }
  fs::remove(dot_file);
  EXPECT_EQ(run->exit_code, 0) << run->err.text;
  std::istringstream plain(run->out.text);
  int nodes = 0;
  for (std::string line; std::getline(plain, line);) nodes += line.starts_with("node ");
  EXPECT_EQ(nodes, 2) << run->out.text;
}

}  // namespace
}  // namespace conclab
