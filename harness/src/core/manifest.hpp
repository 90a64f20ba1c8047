// manifest: what a case declares, per variant and tool, that the harness must reach.
#pragma once

#include <filesystem>
#include <map>
#include <span>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/outcome.hpp"

namespace conclab {

// One line: "<file>:<line>: <problem>".
struct ManifestError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A tool a manifest may declare; a `required` one it must declare (each build tree's own tool).
// conclab's tools are the rows of its registry (tools/registry.hpp); the manifest knows only names.
struct ToolName {
  std::string_view name;
  bool required = false;
  bool searches_seeds = false;  // may declare `runs`: the seeds a search tries (stress)
  // A compile, not a run (tsa, tidy): the outcome is clean or this one, whose `warnings` list each
  // diagnostic expected; `function` and `timeout_s` mean nothing to it.
  std::optional<Outcome> compile_warning;
};
using ToolNames = std::span<const ToolName>;
inline constexpr std::string_view kVariants[] = {"buggy", "fixed"};

struct Expectation {
  Outcome outcome = Outcome::clean;
  std::string function;           // a frame of the deciding finding must name it; empty: any
  std::vector<std::string> args;  // arguments of this run
  std::optional<double> timeout_s;
  std::string why;
  std::optional<int> runs;  // a seed search only (stress): seeds tried (buggy: caught within them; fixed: all clean)
  std::vector<std::string> warnings;  // a compile tool only (tsa, tidy): each must be part of one diagnostic
};

// `[exercise]`: what a participant's fix must keep (conclab exercise check observes it in every run).
struct ExerciseRequirements {
  int threads = 0;    // requires_threads: threads the program starts, at least (besides main)
  int processes = 0;  // requires_processes: processes the program runs as, at least (main included)
};

struct Manifest {
  std::filesystem::path file;
  std::string title, summary;
  double timeout_s = 10;
  double loop_stall_ms = 100;  // an event-loop handler may run this long while others wait (loop_stall)
  std::map<std::string, std::map<std::string, Expectation>> expect;  // variant -> tool -> expectation
  std::optional<ExerciseRequirements> exercise;  // absent: conclab exercise derives it (docs/manifest.md)

  // Throws ManifestError naming the file when the variant/tool pair is not declared.
  const Expectation& expectation(std::string_view variant, std::string_view tool) const;
  double timeout_for(const Expectation& e) const { return e.timeout_s.value_or(timeout_s); }
  // Whether some variant declares `tool`.
  bool declares(std::string_view tool) const;
};

// Reasons many manifests share (cases/reasons.toml): `why = "@name"` stands for the text named so.
using Reasons = std::map<std::string, std::string, std::less<>>;
Reasons load_reasons(const std::filesystem::path& file);  // ManifestError if unreadable or malformed

// Loads `file` with the reasons of cases/reasons.toml (three folders up), when there is one.
// A tool not in `tools`, or a required one missing, is a ManifestError.
Manifest load_manifest(const std::filesystem::path& file, ToolNames tools);
// A `why = "@name"` that `reasons` does not define is a ManifestError.
Manifest parse_manifest(std::string_view text, const std::filesystem::path& file_for_errors, ToolNames tools,
                        const Reasons& reasons = {});

}  // namespace conclab
