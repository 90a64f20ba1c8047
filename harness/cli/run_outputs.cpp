#include "run_outputs.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "run/detector_env.hpp"
#include "core/output_file.hpp"
#include "tools/stress.hpp"

namespace conclab::cli {

RunSpec run_spec(const RunArgs& args) {
  RunSpec spec;
  spec.argv = args.argv;
  spec.timeout = std::chrono::milliseconds(std::llround(args.timeout_s * 1000));
  spec.env = detector_env();
  spec.limits = args.limits;
  spec.loop_stall_ms = args.loop_stall_ms;
  if (args.hang_window_ms > 0) spec.hang_detection = HangOptions{.window = std::chrono::milliseconds(args.hang_window_ms)};
  else spec.hang_detection.reset();
  if (args.seed) spec.env.merge(stress::env({*args.seed, args.depth, args.points}));
  return spec;
}

// DOT as is; SVG through Graphviz's dot when the file asks for it, written next to the file
// and renamed over it once dot succeeded (output_file.hpp).
void write_graph(const std::string& file, const HangReport& hang) {
  const auto dot = to_dot(hang);
  if (!file.ends_with(".svg")) return write_output_file(file, dot);
  const auto dot_file = temporary_sibling(file), svg_file = temporary_sibling(file);
  write_output_file(dot_file, dot);
  RunSpec spec;
  spec.argv = {"dot", "-Tsvg", "-o", svg_file.string(), dot_file.string()};
  spec.hang_detection.reset();
  spec.track_leftovers = false;
  std::optional<RunResult> run;
  try {
    run = run_program(spec);
  } catch (const HarnessError&) {
  }
  std::error_code ec;
  std::filesystem::remove(dot_file, ec);
  if (!run || run->exit_code != 0) {
    std::filesystem::remove(svg_file, ec);
    throw HarnessError(fmt::format("--graph: dot could not write '{}'{}", file, run ? "" : " (is Graphviz installed?)"));
  }
  commit_output_file(svg_file, file);
}

bool write_or_report(const std::function<void()>& write) {
  try {
    write();
    return true;
  } catch (const HarnessError& e) {
    fmt::print(stderr, "conclab: {}\n", e.what());
    return false;
  }
}

// The captured streams as files, for the raw sanitizer text the findings were read from.
void keep_output(const std::filesystem::path& dir, const RunResult& run) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw HarnessError(fmt::format("--keep-output: cannot make '{}': {}", dir.string(), ec.message()));
  write_output_file(dir / "stdout.txt", run.out.text);
  write_output_file(dir / "stderr.txt", run.err.text);
}

}  // namespace conclab::cli
