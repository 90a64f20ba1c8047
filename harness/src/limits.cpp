#include "limits.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

namespace conclab {
namespace fs = std::filesystem;
namespace {

bool write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  out.flush();
  return static_cast<bool>(out);
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Where a cgroup v1 controller is mounted, from /proc/self/mountinfo; empty when it is not.
std::string v1_mount(const std::string& controller) {
  std::ifstream mountinfo("/proc/self/mountinfo");
  for (std::string line; std::getline(mountinfo, line);) {
    const auto dash = line.find(" - cgroup cgroup ");
    if (dash == std::string::npos) continue;
    const std::string options = "," + line.substr(line.rfind(' ') + 1) + ",";
    if (options.find("," + controller + ",") == std::string::npos) continue;
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    fields >> id >> parent >> devno >> root >> mount_point;
    return mount_point;
  }
  return {};
}

// Our own cgroup in a v1 hierarchy ("4:memory:/a/b" -> "/a/b") or v2 ("0::/a/b").
std::string own_cgroup(const std::string& controller) {
  std::ifstream cgroup("/proc/self/cgroup");
  for (std::string line; std::getline(cgroup, line);) {
    const auto first = line.find(':'), second = line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string names = "," + line.substr(first + 1, second - first - 1) + ",";
    if (names.find("," + controller + ",") != std::string::npos || (controller.empty() && names == ","))
      return line.substr(second + 1);
  }
  return {};
}

std::uint64_t read_number(const fs::path& file, const std::string& key = {}) {
  std::istringstream in(read_file(file));
  if (key.empty()) {
    std::uint64_t value = 0;
    in >> value;
    return value;
  }
  for (std::string name; in >> name;) {
    std::uint64_t value = 0;
    in >> value;
    if (name == key) return value;
  }
  return 0;
}

}  // namespace

std::uint64_t cpu_cap_for(std::chrono::milliseconds timeout, unsigned cpus) {
  // The grace after SIGTERM and a few seconds of slack for the sanitizers' exit work (TSan and
  // LSan read the whole heap at exit, on one CPU, after the time limit may have passed).
  constexpr double kSlackSeconds = 10;
  const double wall = std::chrono::duration<double>(timeout).count() + 1;
  return static_cast<std::uint64_t>(std::ceil(wall * std::max(1u, cpus) + kSlackSeconds));
}

unsigned usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return static_cast<unsigned>(std::max(1, CPU_COUNT(&set)));
}

ChildLimits effective_limits(ChildLimits limits, std::chrono::milliseconds timeout) {
  if (limits.cpu_seconds == 0) limits.cpu_seconds = cpu_cap_for(timeout, usable_cpus());
  return limits;
}

int apply_rlimits(const ChildLimits& limits) {
  const rlimit no_core{0, 0};
  const rlimit cpu{limits.cpu_seconds, limits.cpu_seconds + 1};
  const rlimit file{limits.file_bytes, limits.file_bytes};
  if (::setrlimit(RLIMIT_CORE, &no_core) != 0 || ::setrlimit(RLIMIT_CPU, &cpu) != 0 ||
      ::setrlimit(RLIMIT_FSIZE, &file) != 0)
    return errno;
  return 0;
}

int join_cgroups(const std::vector<std::string>& procs_files) {
  for (const auto& file : procs_files) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    const bool ok = ::write(fd, "0", 1) == 1;
    const int error = errno;
    ::close(fd);
    if (!ok) return error;
  }
  return 0;
}

ChildCgroup::ChildCgroup(const std::string& run_id, const ChildLimits& limits) : limits_(limits) {
  const std::string name = "conclab-" + run_id;
  auto make = [&](const fs::path& parent) -> std::string {
    const fs::path dir = parent / name;
    std::error_code ec;
    if (!fs::create_directory(dir, ec)) return {};
    dirs_.push_back(dir.string());
    return dir.string();
  };
  const std::string pids_mount = v1_mount("pids"), memory_mount = v1_mount("memory");
  if (!pids_mount.empty()) {
    pids_dir_ = make(fs::path(pids_mount + own_cgroup("pids")));
    if (!pids_dir_.empty() && !write_file(fs::path(pids_dir_) / "pids.max", std::to_string(limits.processes)))
      pids_dir_.clear();
  }
  if (!memory_mount.empty()) {
    memory_dir_ = make(fs::path(memory_mount + own_cgroup("memory")));
    if (!memory_dir_.empty() &&
        !write_file(fs::path(memory_dir_) / "memory.limit_in_bytes", std::to_string(limits.memory_bytes)))
      memory_dir_.clear();
  }
  if (pids_mount.empty() && memory_mount.empty() && fs::exists("/sys/fs/cgroup/cgroup.controllers")) {
    // Pure cgroup v2: one directory carries both limits, if our cgroup delegates the controllers.
    const std::string dir = make(fs::path("/sys/fs/cgroup" + own_cgroup("")));
    if (!dir.empty()) {
      v2_ = true;
      if (write_file(fs::path(dir) / "pids.max", std::to_string(limits.processes))) pids_dir_ = dir;
      if (write_file(fs::path(dir) / "memory.max", std::to_string(limits.memory_bytes))) memory_dir_ = dir;
    }
  }
  for (const auto& dir : {pids_dir_, memory_dir_})
    if (!dir.empty() && (procs_files_.empty() || procs_files_.back() != dir + "/cgroup.procs"))
      procs_files_.push_back(dir + "/cgroup.procs");
  if (pids_dir_.empty()) missing_ += "no process limit";
  if (memory_dir_.empty()) missing_ += missing_.empty() ? "no memory limit" : ", no memory limit";
  if (!missing_.empty()) missing_ += " (no writable cgroup: run as root on a machine with cgroup pids/memory)";
}

ChildCgroup::~ChildCgroup() {
  // Empty by now (the run's processes are gone); rmdir is how a cgroup is removed.
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) ::rmdir(it->c_str());
}

bool ChildCgroup::memory_limit_hit() const {
  if (memory_dir_.empty()) return false;
  if (v2_) return read_number(fs::path(memory_dir_) / "memory.events", "oom_kill") > 0;
  return read_number(fs::path(memory_dir_) / "memory.oom_control", "oom_kill") > 0;
}

bool ChildCgroup::process_limit_hit() const {
  if (pids_dir_.empty()) return false;
  return read_number(fs::path(pids_dir_) / "pids.events", "max") > 0;
}

std::string ChildCgroup::describe() const {
  std::string text;
  const char* kind = v2_ ? "cgroup v2" : "cgroup v1";
  if (!pids_dir_.empty()) text += fmt::format("processes <= {} ({})", limits_.processes, kind);
  if (!memory_dir_.empty())
    text += fmt::format("{}memory <= {} MiB ({})", text.empty() ? "" : ", ", limits_.memory_bytes >> 20, kind);
  if (!missing_.empty()) text += (text.empty() ? "" : "; ") + missing_;
  return text;
}

}  // namespace conclab
