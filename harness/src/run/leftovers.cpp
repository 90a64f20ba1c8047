#include "run/leftovers.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
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

}  // namespace

RunSandbox::RunSandbox() {
  const int serial = ++runs_started;
  was_alone_at_start_ = runs_in_flight.fetch_add(1) == 0;
  run_id_ = fmt::format("{}-{}", ::getpid(), serial);
  const char* base = std::getenv("TMPDIR");
  std::string pattern = fmt::format("{}/conclab.{}.XXXXXX", base != nullptr && *base ? base : "/tmp", run_id_);
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
