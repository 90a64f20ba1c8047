#include "watch.hpp"

#include "procfs.hpp"

#include <sys/prctl.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <vector>
#include <mutex>
#include <set>
#include <string>

namespace conclab {
namespace {

// A sanitizer's symbolizer is the runtime's helper, not something the program left behind:
// it is ended like any stray but not counted as one.
bool is_symbolizer(pid_t pid) {
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name.starts_with("llvm-symbolizer") || name == "addr2line";
}

std::mutex leaders_mutex;
std::set<pid_t>& leaders() {
  static std::set<pid_t> pids;
  return pids;
}

bool is_leader(pid_t pid) {
  std::lock_guard lock(leaders_mutex);
  return leaders().count(pid) != 0;
}

void reap(pid_t pid) {
  while (::waitpid(pid, nullptr, 0) == -1 && errno == EINTR) {
  }
}

}  // namespace

Watchdog::Watchdog(boost::asio::io_context& io, pid_t pgid, std::chrono::milliseconds limit,
                   std::chrono::milliseconds grace)
    : pgid_(pgid), limit_(limit), grace_(grace), timer_(io) {}

void Watchdog::arm() {
  timer_.expires_after(limit_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) escalate();
  });
}

void Watchdog::disarm() { timer_.cancel(); }

void Watchdog::expire_now() {
  timer_.cancel();
  terminate_group();
}

void Watchdog::escalate() {
  fired_ = true;
  terminate_group();
}

void Watchdog::terminate_group() {
  ::kill(-pgid_, SIGTERM);
  ::kill(-pgid_, SIGCONT);  // a stopped process only acts on SIGTERM once continued
  timer_.expires_after(grace_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) ::kill(-pgid_, SIGKILL);
  });
}

void adopt_orphans() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

namespace {

// Our children, from /proc/self/task/*/children: far cheaper than reading every process's stat.
std::vector<pid_t> children_of_self() {
  std::vector<pid_t> children;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream list(task.path() / "children");
    for (pid_t pid; list >> pid;) children.push_back(pid);
  }
  return children;
}

// Nothing left of the run: its group is empty and we adopted nobody (the usual end of a run).
bool nothing_left(pid_t pgid) {
  if (::kill(-pgid, 0) == 0 || errno != ESRCH) return false;
  const auto children = children_of_self();
  return std::all_of(children.begin(), children.end(), is_leader);
}

}  // namespace

int end_strays(pid_t pgid) {
  if (nothing_left(pgid)) return 0;
  int ended = 0;
  const pid_t self = ::getpid();
  // Killing a process hands its children to us (we are their subreaper), so sweep until a
  // pass finds nothing; the bound only guards against a fork bomb outrunning the sweep.
  for (int pass = 0; pass < 64; ++pass) {
    std::vector<pid_t> victims;
    for (const auto& p : procfs::process_table()) {
      const bool in_group = p.pgrp == pgid && p.pid != self;
      const bool adopted = p.ppid == self && !is_leader(p.pid);
      if (in_group || adopted) victims.push_back(p.pid);
    }
    if (victims.empty()) break;
    std::set<pid_t> not_counted;  // a sanitizer's symbolizer, or a process already dead (a zombie)
    for (const auto& p : procfs::process_table()) {
      if (std::find(victims.begin(), victims.end(), p.pid) == victims.end()) continue;
      if (p.state == 'Z' || is_symbolizer(p.pid)) not_counted.insert(p.pid);
      ::kill(p.pid, SIGKILL);
    }
    for (const auto& p : procfs::process_table()) {
      if (p.ppid == self && !is_leader(p.pid)) {
        reap(p.pid);
        ended += not_counted.count(p.pid) == 0;
      }
    }
  }
  return ended;
}

void register_leader(pid_t pid) {
  std::lock_guard lock(leaders_mutex);
  leaders().insert(pid);
}

void unregister_leader(pid_t pid) {
  std::lock_guard lock(leaders_mutex);
  leaders().erase(pid);
}

}  // namespace conclab
