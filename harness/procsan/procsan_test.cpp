// procsan's checks, each on the bug it names and on the correct pattern beside it, with the library
// preloaded the way conclab preloads it (LD_PRELOAD, CONCLAB_PROCSAN_LOG), in programs written for
// these tests (test_programs/procsan_child.cpp).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

extern char** environ;

namespace {

struct ChildRun {
  int exit_status = -1;
  std::string log;
  std::map<std::string, int> findings;  // kind -> how many
};

// Runs procsan_child MODE with procsan preloaded and an environment of its own.
ChildRun run_child(const std::string& mode) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / ("procsan." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto log = dir / (mode + ".log");
  std::filesystem::remove(log);
  std::vector<std::string> env = {"LD_PRELOAD=" CONCLAB_PROCSAN_LIBRARY, "CONCLAB_PROCSAN_LOG=" + log.string(),
                                  "PATH=/usr/bin:/bin"};
  std::vector<char*> envp, argv;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string program = CONCLAB_PROCSAN_CHILD, m = mode;
  argv = {program.data(), m.data(), nullptr};
  ChildRun r;
  pid_t pid = 0;
  if (::posix_spawn(&pid, program.c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0) return r;
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream in(log);
  std::ostringstream text;
  text << in.rdbuf();
  r.log = text.str();
  std::istringstream lines(r.log);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with("==procsan== ") && line != "==procsan== end") ++r.findings[line.substr(12, line.find(' ', 12) - 12)];
  std::filesystem::remove_all(dir);
  return r;
}

// The bug's mode reports `kind` once, with a stack that starts in the program; the correct mode
// beside it reports nothing, and both end as they would without procsan.
void expect_caught_and_clean(const std::string& bug, const std::string& correct, const std::string& kind) {
  const ChildRun b = run_child(bug);
  EXPECT_EQ(b.exit_status, 0) << bug;
  EXPECT_EQ(b.findings, (std::map<std::string, int>{{kind, 1}})) << bug << ":\n" << b.log;
  EXPECT_NE(b.log.find("    at #0 " CONCLAB_PROCSAN_CHILD "+0x"), std::string::npos)
      << bug << ": the stack should start at the program's own call:\n" << b.log;
  const ChildRun c = run_child(correct);
  EXPECT_EQ(c.exit_status, 0) << correct;
  EXPECT_TRUE(c.findings.empty()) << correct << ":\n" << c.log;
}

TEST(Procsan, LockInTheChildOfAThreadedFork) {
  expect_caught_and_clean("threaded-fork-lock", "threaded-fork-exec", "fork_in_threaded_process");
  EXPECT_NE(run_child("threaded-fork-lock").log.find("    cause #0 "), std::string::npos) << "the fork's stack";
}

TEST(Procsan, ExitInTheChildOfAThreadedFork) {
  const ChildRun r = run_child("threaded-fork-exit");
  EXPECT_EQ(r.findings, (std::map<std::string, int>{{"fork_in_threaded_process", 1}})) << r.log;
  EXPECT_NE(r.log.find("calls exit()"), std::string::npos) << r.log;
}

TEST(Procsan, StdioBufferedAtForkIsFlushedTwice) {
  expect_caught_and_clean("unflushed-fork", "flushed-fork", "fork_with_unflushed_stdio");
}

TEST(Procsan, PipeLeakedAcrossExec) {
  expect_caught_and_clean("pipe-leaks-to-exec", "cloexec-pipe", "fd_leaked_across_exec");
  EXPECT_TRUE(run_child("pipe-named-in-argv").findings.empty()) << "a descriptor named in the arguments was asked for";
}

TEST(Procsan, ZombieChildAtExit) {
  expect_caught_and_clean("zombie-at-exit", "child-reaped", "zombie_children");
  EXPECT_TRUE(run_child("sigchld-ignored").findings.empty()) << "SIGCHLD ignored: the kernel reaps";
}

TEST(Procsan, ProcessPrivateMutexInSharedMemory) {
  expect_caught_and_clean("private-mutex-in-shared-memory", "pshared-mutex-in-shared-memory", "mutex_not_process_shared");
}

TEST(Procsan, RobustMutexUnlockedWithoutRecovery) {
  expect_caught_and_clean("robust-not-recovered", "robust-recovered", "robust_mutex_not_recovered");
}

}  // namespace
