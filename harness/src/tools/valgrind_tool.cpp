#include "tools/valgrind_tool.hpp"
#include "core/files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/build_info.hpp"
#include "run/detector_env.hpp"
#include "judge/valgrind_reports.hpp"

namespace conclab::valgrind {
namespace {

// A blocked program under valgrind can look busy for a moment (valgrind's scheduler hands its
// lock round, symbolizes a report); 2 s of stillness is still far below any time limit.
constexpr std::chrono::milliseconds kHangWindow{2000};

}  // namespace

bool is_tool(std::string_view tool) { return tool == "helgrind" || tool == "drd"; }

std::vector<std::string> wrap(std::string_view tool, const std::vector<std::string>& argv) {
  if (!is_tool(tool)) throw HarnessError(fmt::format("'{}' is not a valgrind tool (helgrind, drd)", tool));
  std::vector<std::string> wrapped = {
      "valgrind",
      fmt::format("--tool={}", tool),
      fmt::format("--error-exitcode={}", kErrorExitCode),
      "--fullpath-after=",     // full source paths: the program's own frames are told apart
      "--num-callers=30",
      "--trace-children=yes",  // a case that execs still runs under the tool
  };
  const auto suppressions = std::filesystem::path(build_info::kSourceDir) / "harness" / "valgrind" / "conclab.supp";
  if (std::filesystem::exists(suppressions)) wrapped.push_back("--suppressions=" + suppressions.string());
  wrapped.push_back("--");
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

Judgement classify(const RunResult& run) {
  auto found = parse(run.err.text);
  Judgement j = conclab::classify(run);
  if (found.empty()) return j;
  // Valgrind's exit status 97 says "I reported errors": explained by them, not exit_nonzero.
  if (run.exit_code == kErrorExitCode)
    std::erase_if(j.findings, [](const Finding& f) { return f.kind == Outcome::exit_nonzero; });
  j.findings.insert(j.findings.begin(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  j.outcome = Outcome::clean;
  for (const auto& f : j.findings)
    if (priority(f.kind) > priority(j.outcome)) j.outcome = f.kind;
  return j;
}

CaseRun run_case(const Catalog& catalog, const Case& c, const std::string& variant, std::string_view tool) {
  return run_case(catalog, c, variant, tool, c.manifest.expectation(variant, tool));
}

CaseRun run_case(const Catalog& catalog, const Case& c, const std::string& variant, std::string_view tool,
                 const Expectation& expected) {
  RunSpec spec;
  spec.argv = wrap(tool, case_argv(catalog, c, variant, expected));
  const double seconds = expected.timeout_s.value_or(c.manifest.timeout_s * kTimeScale);
  spec.timeout = std::chrono::milliseconds(std::llround(seconds * 1000));
  spec.loop_stall_ms = c.manifest.loop_stall_ms * kTimeScale;  // every handler runs that much slower
  spec.env = detector_env();
  spec.hang_detection = HangOptions{.window = kHangWindow};
  spec.limits.cpu_seconds = std::max<std::uint64_t>(spec.limits.cpu_seconds, static_cast<std::uint64_t>(seconds) + 10);
  return run_and_judge(spec, expected, valgrind::classify);
}

std::optional<std::string> unavailable() {
  if (on_path("valgrind")) return std::nullopt;
  return "valgrind is not installed (apt-get install valgrind, or run ci/install-deps.sh)";
}

}  // namespace conclab::valgrind
