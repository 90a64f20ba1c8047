#include "run/limits.hpp"
#include "core/files.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

namespace conclab {
namespace fs = std::filesystem;
namespace {

bool write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  out.flush();
  return static_cast<bool>(out);
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
  std::istringstream in(read_file(file).value_or(""));
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

std::vector<pid_t> read_pids(const fs::path& procs_file) {
  std::vector<pid_t> pids;
  std::istringstream in(read_file(procs_file).value_or(""));
  for (pid_t pid; in >> pid;) pids.push_back(pid);
  return pids;
}

// Polls `done` every millisecond, then every 10 ms, until it holds or `limit` passed.
bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  for (int round = 0;; ++round) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(round < 20 ? 1 : 10));
  }
}

// Freezes a v1 freezer cgroup (or a v2 cgroup), returns its members.
bool set_frozen(const fs::path& dir, bool v2, bool frozen) {
  if (v2) return write_file(dir / "cgroup.freeze", frozen ? "1" : "0");
  return write_file(dir / "freezer.state", frozen ? "FROZEN" : "THAWED");
}

bool is_frozen(const fs::path& dir, bool v2) {
  if (v2) return read_file(dir / "cgroup.events").value_or("").find("frozen 1") != std::string::npos;
  return read_file(dir / "freezer.state").value_or("").starts_with("FROZEN");
}

// Kills everything in `dir` and its sub-cgroups (frozen first where `freezer`), then removes them.
void empty_and_remove(const fs::path& dir, bool freezer, bool v2) {
  std::error_code ec;
  for (const auto& sub : fs::directory_iterator(dir, ec))
    if (sub.is_directory(ec)) empty_and_remove(sub.path(), freezer, v2);
  if (freezer) set_frozen(dir, v2, true), wait_for([&] { return is_frozen(dir, v2); }, std::chrono::milliseconds(500));
  for (const pid_t pid : read_pids(dir / "cgroup.procs")) ::kill(pid, SIGKILL);
  if (freezer) set_frozen(dir, v2, false);
  wait_for([&] { return read_pids(dir / "cgroup.procs").empty(); }, std::chrono::milliseconds(1000));
  ::rmdir(dir.c_str());
}

// The cgroups `conclab-<pid>-<n>` in `parent` whose conclab is gone: a conclab killed with
// SIGKILL could not remove them. Any live process with that pid keeps them (a reused pid only
// delays the removal; taking a live harness's run for stale would kill it: the benches and
// tests that run programs are not named conclab).
void remove_stale_cgroups(const fs::path& parent, bool freezer, bool v2) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("conclab-") || !entry.is_directory(ec)) continue;
    const pid_t owner = std::atoi(name.c_str() + 8);
    if (owner <= 0 || owner == ::getpid()) continue;
    if (::kill(owner, 0) == 0 || errno == EPERM) continue;
    empty_and_remove(entry.path(), freezer, v2);
  }
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
  const std::string pids_mount = v1_mount("pids"), memory_mount = v1_mount("memory"),
                    freezer_mount = v1_mount("freezer");
  static std::once_flag stale_removed;
  std::call_once(stale_removed, [&] {
    if (!freezer_mount.empty()) remove_stale_cgroups(freezer_mount + own_cgroup("freezer"), true, false);
    for (const auto& controller : {"pids", "memory"})
      if (const auto mount = v1_mount(controller); !mount.empty()) remove_stale_cgroups(mount + own_cgroup(controller), false, false);
    if (pids_mount.empty() && memory_mount.empty() && fs::exists("/sys/fs/cgroup/cgroup.controllers"))
      remove_stale_cgroups("/sys/fs/cgroup" + own_cgroup(""), true, true);
  });
  if (!freezer_mount.empty()) freezer_dir_ = make(fs::path(freezer_mount + own_cgroup("freezer")));
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
      if (fs::exists(fs::path(dir) / "cgroup.freeze")) freezer_dir_ = dir;
    }
  }
  for (const auto& dir : {freezer_dir_, pids_dir_, memory_dir_})
    if (!dir.empty() && (procs_files_.empty() || procs_files_.back() != dir + "/cgroup.procs"))
      procs_files_.push_back(dir + "/cgroup.procs");
  if (pids_dir_.empty()) missing_ += "no process limit";
  if (memory_dir_.empty()) missing_ += missing_.empty() ? "no memory limit" : ", no memory limit";
  if (!missing_.empty()) missing_ += " (no writable cgroup: run as root on a machine with cgroup pids/memory)";
}

ChildCgroup::~ChildCgroup() {
  // Empty by now (the run's processes are gone), but a killed process may still be exiting;
  // rmdir is how a cgroup is removed.
  if (!dirs_.empty()) wait_until_empty(std::chrono::milliseconds(1000));
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) ::rmdir(it->c_str());
}

std::vector<pid_t> ChildCgroup::members() const {
  for (const auto& dir : {freezer_dir_, pids_dir_, memory_dir_})
    if (!dir.empty()) return read_pids(fs::path(dir) / "cgroup.procs");
  return {};
}

std::vector<pid_t> ChildCgroup::freeze() const {
  if (freezer_dir_.empty()) return members();
  set_frozen(freezer_dir_, v2_, true);
  wait_for([&] { return is_frozen(freezer_dir_, v2_); }, std::chrono::milliseconds(500));
  return members();
}

void ChildCgroup::thaw() const {
  if (!freezer_dir_.empty()) set_frozen(freezer_dir_, v2_, false);
}

bool ChildCgroup::wait_until_empty(std::chrono::milliseconds limit) const {
  return wait_for([&] { return members().empty(); }, limit);
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
