// What the harness's tests need to see of the machine: children left behind, processes alive.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace conclab::testing {

// A process's /proc/<pid>/stat from its state on (the fields after the command name, which may
// hold spaces and parentheses); empty when the process is gone.
inline std::string stat_after_name(const std::filesystem::path& proc_dir) {
  std::ifstream stat(proc_dir / "stat");
  std::string line;
  if (!std::getline(stat, line)) return {};
  const auto close = line.rfind(')');
  return close == std::string::npos ? std::string() : line.substr(close + 1);
}

// Children of this test process, as "pid state" strings (a zombie shows state Z).
inline std::vector<std::string> children_of_this_process() {
  std::vector<std::string> children;
  for (const auto& dir : std::filesystem::directory_iterator("/proc")) {
    const std::string fields = stat_after_name(dir.path());
    if (fields.empty()) continue;
    std::istringstream rest(fields);
    char state = 0;
    pid_t ppid = 0;
    if (rest >> state >> ppid && ppid == ::getpid())
      children.push_back(dir.path().filename().string() + " " + state);
  }
  return children;
}

// A whole file as text; empty when it cannot be read.
inline std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes a whole file; false when it cannot.
inline bool write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

// Every live process's pid and command line (NUL-separated arguments). A process that exits while
// this reads it is left out: reading its cmdline then fails with ESRCH, which must not throw.
inline std::vector<std::pair<pid_t, std::string>> command_lines() {
  std::vector<std::pair<pid_t, std::string>> found;
  std::error_code ec;
  for (const auto& dir : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = dir.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(dir.path() / "cmdline", std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();  // sets failbit instead of throwing when the read fails
    if (!text.str().empty()) found.emplace_back(std::stoi(name), text.str());
  }
  return found;
}

inline bool process_exists(pid_t pid) { return ::kill(pid, 0) == 0; }

inline std::string program(const char* name) { return std::string(CONCLAB_PROGRAMS_DIR) + "/" + name; }

}  // namespace conclab::testing
