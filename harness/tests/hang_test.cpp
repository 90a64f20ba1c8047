// The hang explainer: stuck programs are caught well before their time limit and explained as a
// wait-for graph; busy, sleeping or briefly blocked programs are not mistaken for stuck ones.
#include "hang/hang.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <cstdio>
#include <thread>
#include <sys/un.h>
#include <sys/socket.h>

#include <algorithm>
#include <set>

#include "run/spawn.hpp"
#include "hang/stacks.hpp"
#include "test_support.hpp"
#include "judge/verdict.hpp"

namespace conclab {
namespace {

struct StuckCase {
  const char* mode;
  Outcome outcome;
  std::set<std::string> waits;  // every one of these appears among the waits reported
  std::size_t processes;        // distinct processes in the report
};

void PrintTo(const StuckCase& c, std::ostream* os) { *os << c.mode; }

RunResult run_stuck(const char* mode, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  RunSpec spec;
  spec.argv = {testing::program("stuck_child"), mode};
  spec.timeout = limit;
  return run_program(spec);
}

class StuckProgram : public ::testing::TestWithParam<StuckCase> {};

// Each stuck program is ended early, with the right outcome and the waits that explain it.
TEST_P(StuckProgram, IsExplainedBeforeItsTimeLimit) {
  const auto& c = GetParam();
  const auto run = run_stuck(c.mode);
  ASSERT_TRUE(run.hang.has_value()) << c.mode << " was not detected; timed out: " << run.timed_out;
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(classify(run).outcome, c.outcome) << describe(*run.hang);
  std::set<std::string> waits;
  std::set<pid_t> pids;
  for (const auto& w : run.hang->cycle) {
    waits.insert(w.waits_for);
    pids.insert(w.thread.pid);
  }
  for (const auto& expected : c.waits) EXPECT_TRUE(waits.count(expected)) << expected << " in\n" << describe(*run.hang);
  EXPECT_EQ(pids.size(), c.processes) << describe(*run.hang);
  EXPECT_TRUE(testing::children_of_this_process().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Modes, StuckProgram,
    ::testing::Values(StuckCase{"abba", Outcome::deadlock, {"mutex"}, 1},
                      StuckCase{"self-lock", Outcome::deadlock, {"mutex"}, 1},
                      StuckCase{"lost-wakeup", Outcome::hang, {"futex", "thread_join"}, 1},
                      StuckCase{"pipes-full", Outcome::ipc_deadlock, {"pipe_write"}, 2},
                      StuckCase{"wait-before-drain", Outcome::ipc_deadlock, {"child_exit", "pipe_write"}, 2},
                      StuckCase{"reader-holds-write-end", Outcome::hang, {"pipe_read"}, 1},
                      StuckCase{"socket-both-read", Outcome::ipc_deadlock, {"socket_read"}, 2},
                      StuckCase{"socket-read-beside-server", Outcome::ipc_deadlock, {"socket_read"}, 2},
                      StuckCase{"shared-abba", Outcome::ipc_deadlock, {"mutex"}, 2},
                      StuckCase{"owner-died", Outcome::hang, {"mutex"}, 1},
                      // A cycle among some threads while others keep running.
                      StuckCase{"abba-heartbeat", Outcome::deadlock, {"mutex"}, 1},
                      StuckCase{"abba-pool", Outcome::deadlock, {"mutex"}, 1},
                      StuckCase{"pipes-full-logger", Outcome::ipc_deadlock, {"pipe_write"}, 2}),
    [](const auto& info) {
      std::string name = info.param.mode;
      name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
      return name;
    });

// A pipe names the descriptors of its other end; a socket its peer, from the kernel, and that
// peer's holder only (the third process with a socket of its own is not the peer).
TEST(HangExplainer, PipesAndSocketsNameTheDescriptorsOfTheirOtherEnd) {
  const auto pipes = run_stuck("pipes-full");
  ASSERT_TRUE(pipes.hang.has_value());
  for (const auto& w : pipes.hang->cycle) {
    ASSERT_EQ(w.waits_for, "pipe_write") << describe(*pipes.hang);
    const auto other = w.wakers.at(0).pid;
    EXPECT_NE(w.object.find(" (read end: fd "), std::string::npos) << w.object;
    EXPECT_NE(w.object.find(fmt::format(" of pid {})", other)), std::string::npos) << w.object;
  }
  const auto sockets = run_stuck("socket-read-beside-server");
  ASSERT_TRUE(sockets.hang.has_value()) << "timed out: " << sockets.timed_out;
  ASSERT_EQ(sockets.hang->cycle.size(), 2u) << describe(*sockets.hang);
  for (const auto& w : sockets.hang->cycle) {
    EXPECT_TRUE(w.peer.starts_with("socket:[")) << w.object;
    ASSERT_EQ(w.wakers.size(), 1u) << describe(*sockets.hang);
    const auto& other = sockets.hang->cycle[0].thread == w.thread ? sockets.hang->cycle[1] : sockets.hang->cycle[0];
    EXPECT_EQ(w.wakers[0], other.thread);
    EXPECT_NE(w.object.find("(peer " + w.peer + ": fd "), std::string::npos) << w.object;
    EXPECT_NE(w.object.find(fmt::format(" of pid {})", other.thread.pid)), std::string::npos) << w.object;
  }
}

// A test waiting on a service outside the run (here: this test process, answering after 1.5 s,
// more than three hang windows) is no hang: the other end can answer from outside.
TEST(HangExplainer, SocketAnsweredFromOutsideTheRunIsNoHang) {
  const auto path = ::testing::TempDir() + "conclab_outside_peer." + std::to_string(::getpid());
  ::unlink(path.c_str());
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  std::thread server([listener] {
    const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    (void)!::send(client, "x", 1, MSG_NOSIGNAL);  // conclab may have ended the reader: no SIGPIPE
    ::close(client);
  });
  // Through the CLI, as a user runs it: the service is a process outside conclab's run.
  RunSpec spec;
  spec.argv = {CONCLAB_CLI, "run", "--timeout", "20", "--", testing::program("stuck_child"), "read-outside-peer", path};
  spec.timeout = std::chrono::seconds(60);
  spec.hang_detection.reset();  // conclab judges the hang, not our own monitor (cli_test.cpp's conclab())
  const auto run = run_program(spec);
  server.join();
  ::close(listener);
  ::unlink(path.c_str());
  EXPECT_EQ(run.exit_code, 0) << run.out.text << run.err.text;
  EXPECT_TRUE(run.out.text.starts_with("outcome: clean")) << run.out.text;
}

// A mutex cycle names each owner, and the stacks point into the program's own source.
TEST(HangExplainer, MutexCycleNamesOwnersAndSource) {
  const auto run = run_stuck("abba");
  ASSERT_TRUE(run.hang.has_value());
  ASSERT_EQ(run.hang->cycle.size(), 2u);
  const auto& first = run.hang->cycle[0];
  const auto& second = run.hang->cycle[1];
  ASSERT_TRUE(first.held_by.has_value());
  EXPECT_EQ(first.held_by->tid, second.thread.tid);
  ASSERT_TRUE(second.held_by.has_value());
  EXPECT_EQ(second.held_by->tid, first.thread.tid);
  const auto own = own_frames(first.frames, 1);
  ASSERT_FALSE(own.empty()) << "no frame in the program's own code";
  EXPECT_NE(own[0].file.find("stuck_child.cpp"), std::string::npos);
}

// Beside running threads the report holds the cycle and nothing else: two mutex waits, each held
// by the other, none of them the heartbeat.
TEST(HangExplainer, CycleBesideARunningThreadIsOnlyTheCycle) {
  const auto run = run_stuck("abba-heartbeat");
  ASSERT_TRUE(run.hang.has_value()) << "timed out: " << run.timed_out;
  ASSERT_EQ(run.hang->cycle.size(), 2u) << describe(*run.hang);
  for (const auto& w : run.hang->cycle) {
    EXPECT_EQ(w.waits_for, "mutex") << describe(*run.hang);
    ASSERT_EQ(w.wakers.size(), 1u) << describe(*run.hang);
  }
  EXPECT_EQ(run.hang->cycle[0].wakers[0], run.hang->cycle[1].thread);
  EXPECT_EQ(run.hang->cycle[1].wakers[0], run.hang->cycle[0].thread);
}

// A correct program that waits long is no deadlock: a thread waits 1.5 s for a mutex that a
// sleeping thread holds, beside a heartbeat; it ends by itself, clean.
TEST(HangExplainer, LongWaitBesideAHeartbeatIsClean) {
  const auto run = run_stuck("long-wait-heartbeat");
  EXPECT_FALSE(run.hang.has_value()) << describe(*run.hang);
  EXPECT_EQ(classify(run).outcome, Outcome::clean);
}

// A lost wake-up beside a ticking thread has no cycle: it runs to its limit, and the run says
// which threads were stuck, on what and where.
TEST(HangExplainer, TimeoutListsTheThreadsStuckThroughTheLastWindow) {
  const auto run = run_stuck("lost-wakeup-heartbeat", std::chrono::seconds(3));
  EXPECT_FALSE(run.hang.has_value()) << describe(*run.hang);
  EXPECT_TRUE(run.timed_out);
  EXPECT_EQ(classify(run).outcome, Outcome::timeout);
  std::set<std::string> waits;
  for (const auto& w : run.stuck) {
    waits.insert(w.waits_for);
    EXPECT_NE(w.name, "") << w.object;
  }
  EXPECT_TRUE(waits.count("futex")) << "stuck: " << run.stuck.size();
  EXPECT_TRUE(waits.count("thread_join")) << "stuck: " << run.stuck.size();
  EXPECT_FALSE(waits.count("signal")) << "the heartbeat sleeps, it is not stuck";
  const auto waiter = std::find_if(run.stuck.begin(), run.stuck.end(), [](const Wait& w) { return w.waits_for == "futex"; });
  ASSERT_NE(waiter, run.stuck.end());
  EXPECT_FALSE(own_frames(waiter->frames, 1).empty()) << "no frame of the waiter in the program's own code";
}

// A run that ends by itself lists nothing as stuck.
TEST(HangExplainer, ARunThatEndsListsNothingStuck) {
  const auto run = run_stuck("brief-wait");
  EXPECT_TRUE(run.stuck.empty());
}

class BuiltBy : public ::testing::TestWithParam<const char*> {};

// Built by g++ and by clang (whose DWARF 5 lines eu-stack cannot read): every thread of the cycle has
// a frame in the program's source with its line, the global mutex is named by its symbol and the
// other one says heap.
TEST_P(BuiltBy, CycleNamesGlobalMutexHeapAndSourceLines) {
  RunSpec spec;
  spec.argv = {std::string(CONCLAB_SAMPLES_DIR) + "/" + GetParam() + "_hang_global_and_heap_locks"};
  spec.timeout = std::chrono::seconds(20);
  const auto run = run_program(spec);
  ASSERT_TRUE(run.hang.has_value()) << "timed out: " << run.timed_out;
  ASSERT_EQ(run.hang->kind, Outcome::deadlock) << describe(*run.hang);
  ASSERT_EQ(run.hang->cycle.size(), 2u) << describe(*run.hang);
  std::set<std::string> kinds_of_place;
  for (const auto& w : run.hang->cycle) {
    const auto own = own_frames(w.frames, 1);
    ASSERT_FALSE(own.empty()) << "no frame with a source line in the program's code: " << describe(*run.hang);
    EXPECT_NE(own[0].file.find("hang_global_and_heap_locks.cpp"), std::string::npos) << own[0].file;
    EXPECT_GT(own[0].line, 0);
    if (w.object.starts_with("mutex bank::ledger_lock (0x")) kinds_of_place.insert("global");
    if (w.object.ends_with("(heap)")) kinds_of_place.insert("heap");
  }
  EXPECT_EQ(kinds_of_place, (std::set<std::string>{"global", "heap"})) << describe(*run.hang);
}

INSTANTIATE_TEST_SUITE_P(Compilers, BuiltBy, ::testing::Values("gcc", "clang"));

// A shared_mutex upgrade blocks on readers glibc does not record: stuck, caught, ownerless.
TEST(HangExplainer, SharedMutexUpgradeIsCaught) {
  const auto run = run_stuck("shared-upgrade");
  ASSERT_TRUE(run.hang.has_value());
  EXPECT_TRUE(run.hang->kind == Outcome::hang || run.hang->kind == Outcome::deadlock);
}

// A busy loop makes progress: it is a timeout, never a deadlock.
TEST(HangExplainer, BusyLoopIsATimeout) {
  const auto run = run_stuck("spin", std::chrono::milliseconds(1500));
  EXPECT_FALSE(run.hang.has_value());
  EXPECT_EQ(classify(run).outcome, Outcome::timeout);
}

// Sleeping wakes by itself: a timeout.
TEST(HangExplainer, SleepIsATimeout) {
  const auto run = run_stuck("sleep", std::chrono::milliseconds(1500));
  EXPECT_FALSE(run.hang.has_value());
  EXPECT_EQ(classify(run).outcome, Outcome::timeout);
}

// A worker blocked on a condition variable while main sleeps, then notified: clean.
TEST(HangExplainer, BriefBlockIsClean) {
  const auto run = run_stuck("brief-wait");
  EXPECT_FALSE(run.hang.has_value());
  EXPECT_EQ(classify(run).outcome, Outcome::clean);
}

// Found by harness/fuzz (fuzz_hang): a read on an fd whose target is empty called front() on the
// empty string (undefined behaviour; an assertion with _GLIBCXX_ASSERTIONS).
TEST(HangExplainer, ReadOnAnFdWithoutTargetIsAPlainRead) {
  procfs::ProcessSample p;
  p.pid = 4195304;
  p.fds = {{3, "", O_RDONLY}};
  procfs::ThreadSample t;
  t.tid = p.pid;
  t.state = 'S';
  t.syscall = SYS_read;
  t.args = {3, 0, 0, 0, 0, 0};
  p.threads = {t};
  const auto wait = classify_wait(p, t);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(wait->waits_for, "read");
  EXPECT_EQ(wait->object, "");
}

// eu-stack's output: thread headers, frames, and source lines with and without a column.
TEST(EuStackParser, ReadsThreadsFramesAndSourceLines) {
  const auto stacks = parse_eu_stack(
      "PID 41 - process\n"
      "TID 41:\n"
      "#0  0x00007f0000001000 __futex_abstimed_wait_common64\n"
      "    ./nptl/futex-internal.c:57:12\n"
      "#1  0x000055d1c0a2b1f4 transfer(Account&, Account&)\n"
      "    /src/cases/deadlock/x/buggy.cpp:27\n"
      "#2  0x000055d1c0a2b2f4\n"
      "TID 43:\n"
      "#0  0x00007f0000001000 __GI___wait4\n");
  ASSERT_EQ(stacks.size(), 2u);
  const auto& main_stack = stacks.at(41);
  ASSERT_EQ(main_stack.size(), 3u);
  EXPECT_EQ(main_stack[0].file, "./nptl/futex-internal.c");
  EXPECT_EQ(main_stack[0].line, 57);
  EXPECT_EQ(main_stack[1].function, "transfer(Account&, Account&)");
  EXPECT_EQ(main_stack[1].file, "/src/cases/deadlock/x/buggy.cpp");
  EXPECT_EQ(main_stack[1].line, 27);
  EXPECT_EQ(main_stack[2].function, "");
  EXPECT_EQ(stacks.at(43)[0].function, "__GI___wait4");
}

// Found by harness/fuzz (seeds/eu_stack/regression-stoi-out-of-range.txt): a number past INT_MAX
// where the line goes, e.g. a source file named "x:99999999999" printed without a column, threw
// std::out_of_range out of the parser.
TEST(EuStackParser, LineNumberPastIntMaxIsUnknown) {
  const auto stacks = parse_eu_stack(
      "TID 7:\n"
      "#0  0x000055d1c0a2b1f4 f()\n"
      "    /a.cpp:99999999999\n"
      "#1  0x000055d1c0a2b1f4 g()\n"
      "    /src/x:99999999999:7\n");
  ASSERT_EQ(stacks.at(7).size(), 2u);
  EXPECT_EQ(stacks.at(7)[0].file, "/a.cpp");
  EXPECT_EQ(stacks.at(7)[0].line, 0);
  EXPECT_EQ(stacks.at(7)[1].file, "/src/x");
  EXPECT_EQ(stacks.at(7)[1].line, 0);
}

}  // namespace
}  // namespace conclab
