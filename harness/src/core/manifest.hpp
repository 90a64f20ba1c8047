// manifest: what a case declares, per variant and tool, that the harness must reach.
#pragma once

#include <filesystem>
#include <map>
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

// The tools this project builds a tree for; a manifest must declare each of them.
inline constexpr std::string_view kTools[] = {"release", "tsan", "asan"};
// Tools a manifest may declare (valgrind's, run on the release tree: docs/detector-matrix.md);
// a case without them is "n.a." for that tool, and `conclab matrix` does not run it.
inline constexpr std::string_view kOptionalTools[] = {"helgrind", "drd", "stress", "tsa"};
inline constexpr std::string_view kVariants[] = {"buggy", "fixed"};

struct Expectation {
  Outcome outcome = Outcome::clean;
  std::string function;           // a frame of the deciding finding must name it; empty: any
  std::vector<std::string> args;  // arguments of this run
  std::optional<double> timeout_s;
  std::string why;
  std::optional<int> runs;  // stress only: seeds tried (buggy: caught within them; fixed: all clean)
  std::vector<std::string> warnings;  // tsa only: each must be part of one of clang's diagnostics
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
  std::map<std::string, std::map<std::string, Expectation>> expect;  // variant -> tool -> expectation
  std::optional<ExerciseRequirements> exercise;  // absent: conclab exercise derives it (docs/manifest.md)

  // Throws ManifestError naming the file when the variant/tool pair is not declared.
  const Expectation& expectation(std::string_view variant, std::string_view tool) const;
  double timeout_for(const Expectation& e) const { return e.timeout_s.value_or(timeout_s); }
};

// Reasons many manifests share (cases/reasons.toml): `why = "@name"` stands for the text named so.
using Reasons = std::map<std::string, std::string, std::less<>>;
Reasons load_reasons(const std::filesystem::path& file);  // ManifestError if unreadable or malformed

// Loads `file` with the reasons of cases/reasons.toml (three folders up), when there is one.
Manifest load_manifest(const std::filesystem::path& file);
// A `why = "@name"` that `reasons` does not define is a ManifestError.
Manifest parse_manifest(std::string_view text, const std::filesystem::path& file_for_errors,
                        const Reasons& reasons = {});

}  // namespace conclab
