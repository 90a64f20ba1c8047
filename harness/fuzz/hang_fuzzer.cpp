// Fuzz target: the hang explainer's reading of a stuck process tree — classify_wait on each
// thread's syscall and arguments, the wait-for graph and its cycle (explain), and what is made of
// it (describe, to_dot, the verdict, the JSON report). The tree is what /proc says about the judged
// program, so its thread names, fd paths, futex words and syscall arguments are the program's.
// The pids lie above the kernel's PID_MAX_LIMIT: classify_wait's reads of a process's memory (a
// mutex's owner, the path an open() waits on) find no process, as for one that has just exited.
#include <fuzzer/FuzzedDataProvider.h>
#include <sys/syscall.h>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "hang/hang.hpp"
#include "report/json_report.hpp"
#include "judge/verdict.hpp"

namespace {

using conclab::fuzz::require;
namespace procfs = conclab::procfs;

constexpr pid_t kPidBase = (1 << 22) + 1000;  // PID_MAX_LIMIT is 1 << 22

constexpr long kSyscalls[] = {
    SYS_futex,  SYS_read,       SYS_readv,           SYS_pread64,  SYS_recvfrom, SYS_recvmsg,     SYS_write,
    SYS_writev, SYS_pwrite64,   SYS_sendto,          SYS_sendmsg,  SYS_wait4,    SYS_waitid,      SYS_poll,
    SYS_ppoll,  SYS_pselect6,   SYS_select,          SYS_epoll_wait, SYS_epoll_pwait, SYS_open,   SYS_openat,
    SYS_pause,  SYS_rt_sigsuspend, SYS_rt_sigtimedwait, SYS_semop, SYS_accept,   SYS_accept4,     SYS_nanosleep,
    SYS_clock_nanosleep, -1, -2};

constexpr const char* kTargets[] = {"pipe:[10]", "pipe:[11]", "socket:[20]", "socket:[21]", "/tmp/fifo",
                                    "anon_inode:[eventfd]", "/dev/null", ""};

// A syscall argument: a small number (an fd, a futex op, a count), one of the tree's tids (a futex
// word of a join), a futex op with its flags, or any 64-bit value.
std::uint64_t argument(FuzzedDataProvider& in, const std::vector<pid_t>& tids) {
  switch (in.ConsumeIntegralInRange(0, 3)) {
    case 0: return in.ConsumeIntegralInRange<std::uint64_t>(0, 16);
    case 1: return static_cast<std::uint64_t>(tids[in.ConsumeIntegralInRange<std::size_t>(0, tids.size() - 1)]);
    case 2: return in.PickValueInArray({0u, 6u, 9u, 11u, 13u}) | in.PickValueInArray({0u, 128u, 256u, 384u});
    default: return in.ConsumeIntegral<std::uint64_t>();
  }
}

std::string text(FuzzedDataProvider& in, const char* const* choices, std::size_t count) {
  const auto pick = in.ConsumeIntegralInRange<std::size_t>(0, count);
  return pick < count ? std::string(choices[pick]) : in.ConsumeRandomLengthString(64);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  // The shape first (processes, their parents, their threads), then what each thread does.
  std::vector<procfs::ProcessSample> tree(in.ConsumeIntegralInRange(1, 4));
  std::vector<pid_t> tids;
  pid_t next_tid = kPidBase + 100;
  for (std::size_t i = 0; i < tree.size(); ++i) {
    auto& p = tree[i];
    p.pid = kPidBase + static_cast<pid_t>(i);
    p.ppid = i == 0 ? 1 : kPidBase + in.ConsumeIntegralInRange<pid_t>(0, static_cast<pid_t>(i));
    p.threads.resize(in.ConsumeIntegralInRange(1, 4));
    for (std::size_t k = 0; k < p.threads.size(); ++k) {
      p.threads[k].tid = k == 0 ? p.pid : next_tid++;
      tids.push_back(p.threads[k].tid);
    }
  }
  for (auto& p : tree) {
    p.name = in.ConsumeRandomLengthString(16);
    for (auto& t : p.threads) {
      t.name = in.ConsumeRandomLengthString(16);
      t.state = in.PickValueInArray({'S', 'S', 'D', 'R', 'Z', 'T'});
      t.syscall = in.ConsumeBool() ? in.PickValueInArray(kSyscalls) : in.ConsumeIntegral<long>();
      for (auto& arg : t.args) arg = argument(in, tids);
      t.user_ip = in.ConsumeIntegral<std::uint64_t>();
      t.cpu_ticks = in.ConsumeIntegral<std::uint64_t>();
    }
    p.fds.resize(in.ConsumeIntegralInRange(0, 4));
    for (auto& fd : p.fds) {
      fd.fd = in.ConsumeIntegralInRange(0, 8);
      fd.target = text(in, kTargets, std::size(kTargets));
      fd.flags = in.ConsumeBool() ? in.ConsumeIntegralInRange(0, 2) : in.ConsumeIntegral<int>();
    }
  }

  std::vector<conclab::Wait> waits;
  for (const auto& p : tree)
    for (const auto& t : p.threads)
      if (auto wait = conclab::classify_wait(p, t)) waits.push_back(std::move(*wait));
  const std::size_t blocked = waits.size();
  const conclab::HangReport report = conclab::explain(tree, std::move(waits));

  std::set<pid_t> pids;
  for (const auto& wait : report.cycle) pids.insert(wait.thread.pid);
  switch (report.kind) {
    case conclab::Outcome::hang: require(report.cycle.size() == blocked, "a hang lists every blocked thread"); break;
    case conclab::Outcome::deadlock: require(!report.cycle.empty() && pids.size() == 1, "a deadlock is a cycle in one process"); break;
    case conclab::Outcome::ipc_deadlock: require(pids.size() > 1, "an ipc_deadlock is a cycle across processes"); break;
    default: require(false, "a hang report is a hang, a deadlock or an ipc_deadlock");
  }
  require(conclab::describe(report).size() >= report.cycle.size(), "describe has a line per thread");
  require(conclab::to_dot(report).ends_with("}\n"), "to_dot closes its graph");

  conclab::RunResult run;
  run.signal = 9;
  run.hang = report;
  const auto judgement = conclab::classify(run);
  require(judgement.outcome == report.kind, "the verdict of a stuck run is the explainer's");
  conclab::to_json(run, judgement).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
