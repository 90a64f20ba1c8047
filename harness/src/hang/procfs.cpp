#include "hang/procfs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace conclab::procfs {
namespace fs = std::filesystem;
namespace {

std::string read_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

bool is_number(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

// The fields of a stat line after the command name, which sits in parentheses and may hold spaces.
std::vector<std::string> stat_fields(const fs::path& stat_file, std::string* name) {
  const auto line = read_line(stat_file);
  const auto open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  if (name != nullptr) *name = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;  // fields[0] is the state (stat field 3)
}

ThreadSample sample_thread(const fs::path& task_dir, pid_t tid) {
  ThreadSample t;
  t.tid = tid;
  t.name = read_line(task_dir / "comm");
  t.wchan = read_line(task_dir / "wchan");
  const auto fields = stat_fields(task_dir / "stat", nullptr);
  if (fields.size() > 12) {
    t.state = fields[0].empty() ? '?' : fields[0][0];
    t.cpu_ticks = std::stoull(fields[11]) + std::stoull(fields[12]);  // utime, stime (stat fields 14, 15)
  }
  std::istringstream sys(read_line(task_dir / "syscall"));
  std::string first;
  if (sys >> first) {
    if (first == "running") {
      t.syscall = -1;
    } else if (is_number(first)) {
      t.syscall = std::stol(first);
      std::string word;
      for (auto& arg : t.args)
        if (sys >> word) arg = std::stoull(word, nullptr, 16);
      if (sys >> word) t.user_sp = std::stoull(word, nullptr, 16);
      if (sys >> word) t.user_ip = std::stoull(word, nullptr, 16);
    }
  }
  return t;
}

std::vector<FdEntry> sample_fds(pid_t pid) {
  std::vector<FdEntry> fds;
  const fs::path dir = "/proc/" + std::to_string(pid);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir / "fd", ec)) {
    const auto name = entry.path().filename().string();
    if (!is_number(name)) continue;
    FdEntry fd;
    fd.fd = std::stoi(name);
    fd.target = fs::read_symlink(entry.path(), ec).string();
    if (ec) continue;
    std::ifstream info(dir / "fdinfo" / name);
    for (std::string key; info >> key;) {
      if (key == "flags:") {
        std::string octal;
        info >> octal;
        fd.flags = std::stoi(octal, nullptr, 8);
        break;
      }
    }
    fds.push_back(fd);
  }
  return fds;
}

std::optional<ProcessSample> sample_process(pid_t pid, pid_t ppid, bool with_fds) {
  ProcessSample p;
  p.pid = pid;
  p.ppid = ppid;
  const fs::path dir = "/proc/" + std::to_string(pid);
  p.name = read_line(dir / "comm");
  std::error_code ec;
  for (const auto& task : fs::directory_iterator(dir / "task", ec)) {
    const auto name = task.path().filename().string();
    if (is_number(name)) p.threads.push_back(sample_thread(task.path(), std::stoi(name)));
  }
  if (ec || p.threads.empty()) return std::nullopt;
  if (with_fds) p.fds = sample_fds(pid);
  return p;
}

}  // namespace

std::vector<ProcessEntry> process_table() {
  std::vector<ProcessEntry> table;
  std::error_code ec;
  for (const auto& dir : fs::directory_iterator("/proc", ec)) {
    const auto name = dir.path().filename().string();
    if (!is_number(name)) continue;
    const auto fields = stat_fields(dir.path() / "stat", nullptr);
    if (fields.size() < 3) continue;
    ProcessEntry e;
    e.pid = std::stoi(name);
    e.state = fields[0].empty() ? '?' : fields[0][0];
    e.ppid = std::stoi(fields[1]);
    e.pgrp = std::stoi(fields[2]);
    table.push_back(e);
  }
  return table;
}

std::vector<ProcessSample> sample_tree(pid_t root, bool with_fds) {
  const auto table = process_table();
  std::map<pid_t, pid_t> parent_of;
  for (const auto& e : table) parent_of[e.pid] = e.ppid;
  std::vector<ProcessSample> tree;
  std::set<pid_t> members{root};
  // Parents come before their children in a breadth-first walk over the parent links.
  for (std::vector<pid_t> frontier{root}; !frontier.empty();) {
    std::vector<pid_t> next;
    for (pid_t pid : frontier) {
      if (auto p = sample_process(pid, parent_of.count(pid) ? parent_of[pid] : 0, with_fds)) tree.push_back(std::move(*p));
      for (const auto& e : table)
        if (e.ppid == pid && members.insert(e.pid).second) next.push_back(e.pid);
    }
    frontier = std::move(next);
  }
  return tree;
}

std::vector<FdEntry> fds_of(pid_t pid) { return sample_fds(pid); }

std::optional<std::uint64_t> times_run(pid_t pid, pid_t tid) {
  std::istringstream fields(read_line(fs::path("/proc") / std::to_string(pid) / "task" / std::to_string(tid) / "schedstat"));
  std::uint64_t run_ns = 0, wait_ns = 0, runs = 0;
  if (!(fields >> run_ns >> wait_ns >> runs)) return std::nullopt;
  return runs;
}

std::set<std::string> open_targets(pid_t pid) {
  std::set<std::string> targets;
  for (const auto& fd : sample_fds(pid)) targets.insert(fd.target);
  return targets;
}

std::optional<std::uint32_t> read_u32(pid_t pid, std::uint64_t address) {
  const int fd = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::uint32_t value = 0;
  const auto n = ::pread(fd, &value, sizeof value, static_cast<off_t>(address));
  ::close(fd);
  if (n != sizeof value) return std::nullopt;
  return value;
}

std::optional<std::string> read_string(pid_t pid, std::uint64_t address) {
  const int fd = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text(4096, '\0');
  const auto n = ::pread(fd, text.data(), text.size(), static_cast<off_t>(address));
  ::close(fd);
  if (n <= 0) return std::nullopt;
  text.resize(static_cast<std::size_t>(n));
  return text.substr(0, text.find('\0'));
}

}  // namespace conclab::procfs
