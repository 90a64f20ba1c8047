#include "run/leftovers.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <fmt/format.h>

#include "core/errors.hpp"

namespace conclab {
namespace fs = std::filesystem;
namespace {

const fs::path kShmDir = "/dev/shm";

std::atomic<int> runs_in_flight{0};
std::atomic<int> runs_started{0};

std::set<std::string> list_names(const fs::path& dir) {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) names.insert(entry.path().filename().string());
  return names;
}

std::string kind_of(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return "file";
  if (S_ISFIFO(st.st_mode)) return "fifo";
  if (S_ISSOCK(st.st_mode)) return "socket";
  if (S_ISDIR(st.st_mode)) return "folder";
  return "file";
}

// Removes a file or a whole folder; true only when nothing of it is left.
bool remove_for_good(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  return !fs::exists(fs::symlink_status(path, ec));
}

// The pid of a run temp folder's conclab from its name, "conclab.<pid>-<n>.XXXXXX" as the
// constructor makes it (mkdtemp's six characters last); 0 for any other name.
pid_t owner_of_temp_folder(const std::string& name) {
  constexpr std::string_view kPrefix = "conclab.";
  if (!name.starts_with(kPrefix) || name.size() < kPrefix.size() + 10) return 0;
  const std::string_view rest = std::string_view(name).substr(kPrefix.size());
  const auto dash = rest.find('-'), dot = rest.find('.');
  if (dash == 0 || dash == std::string_view::npos || dot == std::string_view::npos || dot <= dash + 1 ||
      rest.size() - dot - 1 != 6)
    return 0;
  for (const char c : rest.substr(0, dot))
    if (c != '-' && (c < '0' || c > '9')) return 0;
  return static_cast<pid_t>(std::atoi(std::string(rest.substr(0, dash)).c_str()));
}

// Run temp folders in `base` that a conclab killed with SIGKILL could not remove: named as ours,
// a folder of this user with mkdtemp's mode 0700, whose conclab is gone (a live process with its
// pid keeps it, as stale cgroups are judged in limits.cpp). What is inside was its run's.
void remove_stale_temp_folders(const fs::path& base) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    const pid_t owner = owner_of_temp_folder(entry.path().filename().string());
    struct stat st {};
    if (owner <= 0 || owner == ::getpid() || ::lstat(entry.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
        st.st_uid != ::geteuid() || (st.st_mode & 07777) != 0700)
      continue;
    if (::kill(owner, 0) == 0 || errno != ESRCH) continue;
    std::error_code removal;
    fs::remove_all(entry.path(), removal);
  }
}

}  // namespace

RunSandbox::RunSandbox() {
  const int serial = ++runs_started;
  was_alone_at_start_ = runs_in_flight.fetch_add(1) == 0;
  run_id_ = fmt::format("{}-{}", ::getpid(), serial);
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string base = tmpdir != nullptr && *tmpdir ? tmpdir : "/tmp";
  static std::once_flag stale_removed;
  std::call_once(stale_removed, [&] { remove_stale_temp_folders(base); });
  std::string pattern = fmt::format("{}/conclab.{}.XXXXXX", base, run_id_);
  if (::mkdtemp(pattern.data()) == nullptr) {
    --runs_in_flight;
    throw HarnessError(fmt::format("cannot make a temp folder for the run ({}): {}", pattern, std::strerror(errno)));
  }
  temp_dir_ = pattern;
  shm_before_ = list_names(kShmDir);
}

RunSandbox::~RunSandbox() {
  std::error_code ec;
  fs::remove_all(temp_dir_, ec);
  --runs_in_flight;
}

std::vector<Leftover> RunSandbox::collect() {
  std::vector<Leftover> found;
  // Others' entries appear too when runs overlap: only ours, by name, unless we ran alone.
  const bool alone = was_alone_at_start_ && runs_in_flight.load() == 1;
  const std::string tag = "conclab." + run_id_ + ".";
  std::error_code ec;
  for (const auto& name : list_names(kShmDir)) {
    if (shm_before_.count(name)) continue;
    const bool ours = name.find(tag) != std::string::npos;
    if (!ours && (!alone || name.find("conclab.") != std::string::npos)) continue;
    const fs::path path = kShmDir / name;
    const std::string kind = kind_of(path) == "folder" ? "folder" : name.starts_with("sem.") ? "semaphore" : "shm";
    found.push_back({kind, path.string(), ours && remove_for_good(path)});
  }
  for (const auto& entry : fs::directory_iterator(temp_dir_, ec)) {
    // Sanitizer runtimes and the C library put nothing here unasked; everything found is the program's.
    found.push_back({kind_of(entry.path()), entry.path().string(), remove_for_good(entry.path())});
  }
  fs::remove_all(temp_dir_, ec);
  fs::create_directory(temp_dir_, ec);  // the destructor removes it again; collect() may be called twice
  return found;
}

}  // namespace conclab
