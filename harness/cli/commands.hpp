// commands: the conclab subcommands. Each returns the process exit status:
// 0 clean / as declared, 1 a bug or a mismatch, 2 bad input or a harness error, 128+N interrupted.
#pragma once

#include "limits.hpp"

#include <optional>
#include <string>
#include <vector>

namespace conclab::cli {

struct RunArgs {
  double timeout_s = 30;
  std::string json;
  bool show_output = false;
  std::string graph;         // write the wait-for graph of a stuck run (DOT, or SVG for *.svg)
  int hang_window_ms = 400;  // 0: no hang detection, only the time limit
  ChildLimits limits;        // --max-cpu, --max-file-mib, --max-procs, --max-memory-mib
  std::vector<std::string> argv;
};
int run_command(const RunArgs& args);

int list_command(bool markdown);

struct CheckArgs {
  std::string case_id;
  std::optional<std::string> variant;  // both when absent
  int repeat = 1;
  std::optional<std::string> expect;   // overrides the manifest's outcome
  std::string json;
};
int check_command(const CheckArgs& args);

// Runs every case and variant, `jobs` at a time; prints progress as runs end and the table at the end.
int tour_command(int jobs);

}  // namespace conclab::cli
