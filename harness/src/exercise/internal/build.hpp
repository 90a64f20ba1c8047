// Building a participant's file for one tool: the presets' flags, the fixtures and the observer
// compiled once per workspace and tool (a stamp says when to rebuild), then their program.
// Internal to exercise/.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalog.hpp"
#include "exercise/exercise.hpp"
#include "run/spawn.hpp"

namespace conclab::exercise::internal {

// Runs a compiler or archiver: no hang detection (a compile is busy, not stuck), a generous limit.
RunResult run_compiler(std::vector<std::string> argv, const std::filesystem::path& cwd);

inline bool succeeded(const RunResult& r) { return r.exit_code == 0 && !r.interrupted_by; }

// conclab got SIGINT/SIGTERM while a compiler ran: the command ends with 128+N, like any other.
struct Interrupted {
  int signo;
};
void stop_if_interrupted(const RunResult& r);

struct Build {
  bool ok = false;
  std::string compiler_output;  // as the compiler printed it
  std::filesystem::path binary;
};

// Builds the participant's file for one tool, unless the same file was already built with the same flags.
Build build(const Workspace& ws, const Case& c, std::string_view tool, std::FILE* out);

}  // namespace conclab::exercise::internal
