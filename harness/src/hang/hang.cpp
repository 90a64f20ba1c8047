#include "hang/hang.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <algorithm>
#include <fmt/format.h>
#include <functional>

#include "hang/stacks.hpp"
#include "hang/unix_peers.hpp"

namespace conclab {
namespace {

constexpr unsigned kFutexPrivate = 128, kFutexClockRealtime = 256;
constexpr unsigned kFutexWait = 0, kFutexLockPi = 6, kFutexWaitBitset = 9, kFutexWaitRequeuePi = 11, kFutexLockPi2 = 13;

const procfs::FdEntry* find_fd(const procfs::ProcessSample& p, std::uint64_t fd) {
  for (const auto& entry : p.fds)
    if (static_cast<std::uint64_t>(entry.fd) == fd) return &entry;
  return nullptr;
}

bool has_thread(const procfs::ProcessSample& p, pid_t tid) {
  return std::any_of(p.threads.begin(), p.threads.end(), [tid](const auto& t) { return t.tid == tid && t.state != 'Z'; });
}

// Reading or writing an fd: what kind of object is behind it decides who can end the wait.
void classify_io(const procfs::ProcessSample& p, std::uint64_t fd, bool reading, Wait& w) {
  const auto* entry = find_fd(p, fd);
  const std::string target = entry ? entry->target : fmt::format("fd {}", fd);
  w.object = target;
  if (const auto inode = socket_inode(target)) {
    w.waits_for = reading ? "socket_read" : "socket_write";
    if (const auto peer = unix_peer(*inode)) w.peer = fmt::format("socket:[{}]", *peer);
  }
  else if (target.rfind("pipe:", 0) == 0 || target.starts_with('/')) w.waits_for = reading ? "pipe_read" : "pipe_write";
  else w.waits_for = reading ? "read" : "write";
}

// glibc's futex waits: a mutex (expected value 2, owner tid at address+8), a join (the futex word
// holds the joined thread's tid), or something else with no owner to blame (condvar, semaphore...).
void classify_futex(const procfs::ProcessSample& p, const procfs::ThreadSample& t, Wait& w) {
  const auto address = t.args[0];
  w.address = address;
  const unsigned op = static_cast<unsigned>(t.args[1]) & ~(kFutexPrivate | kFutexClockRealtime);
  const auto expected = static_cast<pid_t>(t.args[2]);
  if (op == kFutexWaitBitset && expected > 0 && has_thread(p, expected)) {
    w.waits_for = "thread_join";
    w.object = fmt::format("thread {}", expected);
    w.held_by = ThreadRef{p.pid, expected};
    return;
  }
  if ((op == kFutexWait && expected == 2) || op == kFutexLockPi || op == kFutexLockPi2) {
    const auto owner = procfs::read_u32(p.pid, address + 8);
    w.waits_for = "mutex";
    w.object = fmt::format("mutex {:#x}", address);
    const auto owner_tid = owner ? static_cast<pid_t>(*owner & 0x3fffffff) : 0;
    const bool process_private = (static_cast<unsigned>(t.args[1]) & kFutexPrivate) != 0;
    if (owner_tid == 0) return;
    if (has_thread(p, owner_tid)) {
      w.held_by = ThreadRef{p.pid, owner_tid};
    } else if (process_private) {
      // Only a thread of this process can unlock it: the owner died, or stayed behind in the
      // parent when this process was forked.
      w.object += fmt::format(" (its owner, thread {}, is not in this process)", owner_tid);
    } else {
      // A process-shared mutex: pid 0 marks an owner explain() looks up in the whole tree.
      w.held_by = ThreadRef{0, owner_tid};
    }
    return;
  }
  // glibc waits the same way on a condition variable, a read-write lock, a semaphore or a future:
  // the futex alone does not tell which, nor who could wake it.
  w.waits_for = "futex";
  w.object = fmt::format("futex {:#x}", address);
}

}  // namespace

std::optional<Wait> classify_wait(const procfs::ProcessSample& p, const procfs::ThreadSample& t) {
  if (t.state != 'S' && t.state != 'D') return std::nullopt;
  Wait w;
  w.thread = {p.pid, t.tid};
  w.name = t.name;
  const auto& a = t.args;
  switch (t.syscall) {
    case SYS_futex: {
      const unsigned op = static_cast<unsigned>(a[1]) & ~(kFutexPrivate | kFutexClockRealtime);
      const bool waits = op == kFutexWait || op == kFutexWaitBitset || op == kFutexLockPi || op == kFutexLockPi2 ||
                         op == kFutexWaitRequeuePi;
      if (!waits || a[3] != 0) return std::nullopt;  // a timed wait wakes by itself
      classify_futex(p, t, w);
      return w;
    }
    case SYS_read: case SYS_readv: case SYS_pread64: case SYS_recvfrom: case SYS_recvmsg:
      classify_io(p, a[0], true, w);
      return w;
    case SYS_write: case SYS_writev: case SYS_pwrite64: case SYS_sendto: case SYS_sendmsg:
      classify_io(p, a[0], false, w);
      return w;
    case SYS_wait4:
      w.waits_for = "child_exit";
      w.object = static_cast<int>(a[0]) > 0 ? fmt::format("pid {}", static_cast<int>(a[0])) : "any child";
      return w;
    case SYS_waitid:
      w.waits_for = "child_exit";
      w.object = a[0] == P_PID ? fmt::format("pid {}", static_cast<int>(a[1])) : "any child";
      return w;
    case SYS_poll:
      if (static_cast<int>(a[2]) >= 0) return std::nullopt;
      w.waits_for = "poll";
      w.object = "poll";
      return w;
    case SYS_ppoll: case SYS_pselect6:
      if ((t.syscall == SYS_ppoll ? a[2] : a[4]) != 0) return std::nullopt;
      w.waits_for = "poll";
      w.object = t.syscall == SYS_ppoll ? "ppoll" : "select";
      return w;
    case SYS_select:
      if (a[4] != 0) return std::nullopt;
      w.waits_for = "poll";
      w.object = "select";
      return w;
    case SYS_epoll_wait: case SYS_epoll_pwait:
      if (static_cast<int>(a[3]) >= 0) return std::nullopt;
      w.waits_for = "poll";
      w.object = "epoll";
      return w;
    case SYS_open: case SYS_openat: {
      w.waits_for = "fifo_open";
      w.object = procfs::read_string(p.pid, t.syscall == SYS_open ? a[0] : a[1]).value_or("a FIFO");
      return w;
    }
    case SYS_pause: case SYS_rt_sigsuspend:
      w.waits_for = "signal";
      w.object = "a signal";
      return w;
    case SYS_rt_sigtimedwait:
      if (a[2] != 0) return std::nullopt;
      w.waits_for = "signal";
      w.object = "a signal";
      return w;
    case SYS_semop:
      w.waits_for = "semaphore";
      w.object = fmt::format("System V semaphore set {}", a[0]);
      return w;
    case SYS_accept: case SYS_accept4:
      classify_io(p, a[0], true, w);
      w.waits_for = "accept";
      return w;
    default:
      return std::nullopt;  // sleeping (nanosleep...), or a wait we cannot read: assume it wakes
  }
}

namespace {

using Tree = std::vector<procfs::ProcessSample>;

std::vector<ThreadRef> threads_of(const Tree& tree, pid_t pid) {
  std::vector<ThreadRef> refs;
  for (const auto& p : tree)
    if (p.pid == pid)
      for (const auto& t : p.threads)
        if (t.state != 'Z') refs.push_back({p.pid, t.tid});
  return refs;
}

// Processes holding `object` open for the other direction: writers for a reader, readers for a writer.
std::vector<pid_t> holders(const Tree& tree, const std::string& object, bool want_writers) {
  std::vector<pid_t> pids;
  for (const auto& p : tree) {
    for (const auto& fd : p.fds) {
      if (fd.target == object && fd.open_for(want_writers)) {
        pids.push_back(p.pid);
        break;
      }
    }
  }
  return pids;
}

}  // namespace

std::vector<ThreadRef> wakers_of(const Tree& tree, const Wait& w) {
  std::vector<pid_t> pids;
  if (w.held_by) return {*w.held_by};
  if (w.waits_for == "pipe_read") pids = holders(tree, w.object, true);
  else if (w.waits_for == "pipe_write") pids = holders(tree, w.object, false);
  else if ((w.waits_for == "socket_read" || w.waits_for == "socket_write") && !w.peer.empty()) {
    pids = holders(tree, w.peer, true);  // a socket is open for both directions: whoever holds the peer
  } else if (w.waits_for == "socket_read" || w.waits_for == "socket_write") {
    // Not a UNIX socket, or the kernel would not say: any other process of the tree with a socket may be its peer.
    for (const auto& p : tree)
      if (p.pid != w.thread.pid && std::any_of(p.fds.begin(), p.fds.end(), [](const auto& fd) { return fd.target.rfind("socket:", 0) == 0; }))
        pids.push_back(p.pid);
  } else if (w.waits_for == "child_exit") {
    for (const auto& p : tree)
      if (p.ppid == w.thread.pid && (w.object == "any child" || w.object == fmt::format("pid {}", p.pid))) pids.push_back(p.pid);
  }
  std::vector<ThreadRef> wakers;
  for (pid_t pid : pids)
    for (const auto& ref : threads_of(tree, pid))
      if (ref != w.thread) wakers.push_back(ref);  // a pipe's reader holding the write end itself is no cycle
  return wakers;
}

std::vector<std::size_t> find_cycle(const std::vector<Wait>& waits) {
  std::map<ThreadRef, std::size_t> index;
  for (std::size_t i = 0; i < waits.size(); ++i) index[waits[i].thread] = i;
  std::vector<int> color(waits.size(), 0);  // 0 new, 1 on the path, 2 done
  std::vector<std::size_t> path, cycle;
  std::function<bool(std::size_t)> visit = [&](std::size_t i) {
    color[i] = 1;
    path.push_back(i);
    for (const auto& next : waits[i].wakers) {
      auto it = index.find(next);
      if (it == index.end()) continue;
      if (color[it->second] == 1) {
        cycle.assign(std::find(path.begin(), path.end(), it->second), path.end());
        return true;
      }
      if (color[it->second] == 0 && visit(it->second)) return true;
    }
    path.pop_back();
    color[i] = 2;
    return false;
  };
  for (std::size_t i = 0; i < waits.size(); ++i)
    if (color[i] == 0 && visit(i)) break;
  return cycle;
}

void resolve_owner(const Tree& tree, Wait& w) {
  if (!w.held_by || w.held_by->pid != 0) return;
  for (const auto& p : tree)
    for (const auto& t : p.threads)
      if (t.tid == w.held_by->tid && t.state != 'Z') {
        w.held_by->pid = p.pid;
        return;
      }
  w.object += fmt::format(" (its owner, thread {}, is dead)", w.held_by->tid);
  w.held_by.reset();
}

HangReport explain(const Tree& tree, std::vector<Wait> waits) {
  for (auto& w : waits) {
    resolve_owner(tree, w);
    w.wakers = wakers_of(tree, w);
  }
  HangReport report;
  const auto cycle = find_cycle(waits);
  if (cycle.empty()) {
    report.kind = Outcome::hang;
    // The waits nothing can end come first: they are the cause; the others wait on them.
    std::stable_partition(waits.begin(), waits.end(), [](const Wait& w) { return w.wakers.empty(); });
    report.cycle = std::move(waits);
    return report;
  }
  std::set<pid_t> pids;
  for (auto i : cycle) {
    pids.insert(waits[i].thread.pid);
    report.cycle.push_back(waits[i]);
  }
  report.kind = pids.size() > 1 ? Outcome::ipc_deadlock : Outcome::deadlock;
  return report;
}

std::string describe(const HangReport& report) {
  std::string text;
  const bool is_cycle = report.kind != Outcome::hang;
  for (std::size_t i = 0; i < report.cycle.size(); ++i) {
    const auto& w = report.cycle[i];
    std::string line = fmt::format("thread {} (pid {}, {}) waits for {}", w.thread.tid, w.thread.pid, w.name, w.object);
    if (w.waits_for == "thread_join") line += " to exit";
    else if (w.held_by) line += fmt::format(", held by thread {}", w.held_by->tid);
    else if (is_cycle) {
      const auto& next = report.cycle[(i + 1) % report.cycle.size()];
      line += fmt::format(", which only thread {} (pid {}) could end", next.thread.tid, next.thread.pid);
    } else if (w.wakers.empty()) line += ", which nothing left can end";
    for (const auto& f : own_frames(w.frames, 1)) line += fmt::format(" at {}:{} in {}", f.file, f.line, f.function);
    text += line + "\n";
  }
  return text;
}

namespace {

// Inside a DOT "quoted string": a thread's name is the program's to choose (`a"]; x [label="`),
// so quotes and backslashes are escaped and a line break becomes DOT's \n.
std::string dot_quoted(std::string_view text) {
  std::string quoted;
  for (const char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    if (c == '\n') quoted += "\\n";
    else if (static_cast<unsigned char>(c) >= 0x20) quoted += c;
  }
  return quoted;
}

}  // namespace

std::string to_dot(const HangReport& report) {
  std::string dot = fmt::format("digraph {} {{\n  node [shape=box, fontname=monospace];\n", to_string(report.kind));
  for (const auto& w : report.cycle) {
    dot += fmt::format("  t{} [label=\"pid {} / tid {}\\n{}\"];\n", w.thread.tid, w.thread.pid, w.thread.tid,
                       dot_quoted(w.name));
    for (const auto& to : w.wakers)
      dot += fmt::format("  t{} -> t{} [label=\"{}\\n{}\"];\n", w.thread.tid, to.tid, dot_quoted(w.waits_for),
                         dot_quoted(w.object));
    if (w.wakers.empty())
      dot += fmt::format("  nobody{} [label=\"nobody\", shape=plaintext];\n  t{} -> nobody{} [label=\"{}\\n{}\"];\n",
                         w.thread.tid, w.thread.tid, w.thread.tid, dot_quoted(w.waits_for), dot_quoted(w.object));
  }
  return dot + "}\n";
}

}  // namespace conclab
