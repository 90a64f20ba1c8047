#include "tools/tidy_tool.hpp"

#include <fmt/format.h>

#include "core/files.hpp"

#include "core/errors.hpp"

namespace conclab::tidy {
namespace {

constexpr compile::Reading kReading{kTool, "clang-tidy", Outcome::lint_warning, is_check, true};

}  // namespace

bool is_check(const compile::Diagnostic& d) {
  return d.severity == "warning" && !d.flags.empty() && !d.flags.starts_with("-W") &&
         !d.flags.starts_with("clang-diagnostic-");
}

std::optional<std::string> unavailable() {
  if (!on_path(kProgram))
    return fmt::format("{} is not installed (apt-get install clang-tidy-19, or run ci/install-deps.sh)", kProgram);
  return std::nullopt;
}

std::vector<std::string> command(const std::filesystem::path& source_dir, const std::filesystem::path& file,
                                 const std::vector<std::string>& extra) {
  // --config replaces any .clang-tidy on the way up from the case; warnings in headers are not ours.
  std::vector<std::string> argv{std::string(kProgram), "--quiet",
                                fmt::format("--config={{Checks: '{}', HeaderFilterRegex: ''}}", kChecks),
                                file.string(), "--", "-std=c++20", "-fno-color-diagnostics",
                                "-I" + (source_dir / "fixtures" / "include").string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

Judgement classify(const RunResult& run) { return compile::classify(run, kReading); }

Check judge(const Judgement& judgement, const Expectation& expected) {
  return compile::judge(judgement, expected, Outcome::lint_warning);
}

CaseRun run_case(const Case& c, const std::string& variant, const Expectation& expected) {
  if (const auto why = unavailable()) throw HarnessError(fmt::format("{}: {}", kTool, *why));
  const auto [source_dir, source] = compile::source_of(c, variant, kTool);
  return compile::run(command(source_dir, source, expected.args), expected, tidy::classify, tidy::judge);
}

}  // namespace conclab::tidy
