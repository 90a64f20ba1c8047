#include "run/watch.hpp"
#include "core/files.hpp"

#include "hang/procfs.hpp"

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
#include <string_view>
#include <thread>

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

namespace {


Stray describe_stray(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  Stray s{pid, read_file(dir + "/comm").value_or(""), read_file(dir + "/cmdline").value_or("")};
  if (!s.name.empty() && s.name.back() == '\n') s.name.pop_back();
  std::replace(s.command.begin(), s.command.end(), '\0', ' ');
  while (!s.command.empty() && s.command.back() == ' ') s.command.pop_back();
  return s;
}

// The live (non-zombie) processes of the run: its group, and the orphans adopted from it.
std::vector<procfs::ProcessEntry> strays_of(pid_t pgid, const std::string& run_id) {
  const pid_t self = ::getpid();
  bool others_in_flight;
  {
    std::lock_guard lock(leaders_mutex);
    others_in_flight = !leaders().empty();
  }
  std::vector<procfs::ProcessEntry> strays;
  for (const auto& p : procfs::process_table()) {
    if (p.pid == self) continue;
    bool ours = p.pgrp == pgid;
    if (!ours && p.ppid == self && !is_leader(p.pid)) {
      const std::string id = run_id_of(p.pid);
      ours = id.empty() ? !others_in_flight || p.state == 'Z' : id == run_id;
    }
    if (ours) strays.push_back(p);
  }
  return strays;
}

}  // namespace

namespace {

// Freezes the run's cgroup, describes and SIGKILLs every member, thaws, and waits until they are
// gone (each is then a zombie for its parent, or for us to reap). Repeats while a member
// remains: one that joined between the read and the freeze.
void kill_through_cgroup(const ChildCgroup& cgroup, std::vector<Stray>& ended, std::set<pid_t>& seen) {
  for (int round = 0; round < 4; ++round) {
    const auto members = cgroup.freeze();
    for (const pid_t pid : members) {
      if (seen.insert(pid).second && !is_symbolizer(pid)) ended.push_back(describe_stray(pid));
      ::kill(pid, SIGKILL);
    }
    cgroup.thaw();
    if (members.empty() || cgroup.wait_until_empty(std::chrono::milliseconds(1000))) return;
  }
}

}  // namespace

// The CONCLAB_RUN_ID a process inherited; empty when it has none or its environ is unreadable.
std::string run_id_of(pid_t pid) {
  const std::string environ = read_file("/proc/" + std::to_string(pid) + "/environ").value_or("");
  constexpr std::string_view kKey = "CONCLAB_RUN_ID=";
  for (std::size_t at = 0; at < environ.size();) {
    const auto end = std::min(environ.find('\0', at), environ.size());
    const std::string_view entry(environ.data() + at, end - at);
    if (entry.starts_with(kKey)) return std::string(entry.substr(kKey.size()));
    at = end + 1;
  }
  return {};
}

std::vector<Stray> end_strays(pid_t pgid, const std::string& run_id, std::chrono::milliseconds let_finish,
                              const ChildCgroup* cgroup) {
  if (nothing_left(pgid) && (cgroup == nullptr || cgroup->members().empty())) return {};
  const auto give_up = std::chrono::steady_clock::now() + let_finish;
  while (std::chrono::steady_clock::now() < give_up) {
    const auto live = strays_of(pgid, run_id);
    if (std::all_of(live.begin(), live.end(), [](const auto& p) { return p.state == 'Z'; })) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::vector<Stray> ended;
  std::set<pid_t> seen;
  if (cgroup != nullptr && cgroup->can_freeze()) kill_through_cgroup(*cgroup, ended, seen);
  const pid_t self = ::getpid();
  // Killing a process hands its children to us (we are their subreaper), so sweep until a
  // pass finds nothing; the bound only guards against a fork bomb outrunning the sweep.
  for (int pass = 0; pass < 64; ++pass) {
    const auto table = hold_process_table();
    const auto victims = strays_of(pgid, run_id);
    if (victims.empty()) break;
    for (const auto& p : victims) {
      if (p.state != 'Z' && seen.insert(p.pid).second && !is_symbolizer(p.pid)) ended.push_back(describe_stray(p.pid));
      ::kill(p.pid, SIGKILL);
    }
    for (const auto& p : victims)
      if (p.ppid == self) reap(p.pid);
    // Group members whose parent is still alive are reaped by it, or handed to us next pass.
    for (const auto& p : procfs::process_table())
      if (p.ppid == self && p.state == 'Z' && !is_leader(p.pid)) reap(p.pid);
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

std::unique_lock<std::mutex> hold_process_table() {
  static std::mutex table_mutex;
  return std::unique_lock(table_mutex);
}

}  // namespace conclab
