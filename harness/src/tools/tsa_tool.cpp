#include "tools/tsa_tool.hpp"

#include <fmt/format.h>

#include "core/files.hpp"

#include <algorithm>

namespace conclab::tsa {
namespace {

constexpr compile::Reading kReading{kTool, "clang", Outcome::thread_safety_warning, is_thread_safety};

}  // namespace

bool is_thread_safety(const Diagnostic& d) { return d.flags.find("-Wthread-safety") != std::string::npos; }

std::vector<Diagnostic> parse(std::string_view clang_output) { return compile::parse(clang_output); }

std::optional<std::string> unavailable() {
  if (!on_path(kCompiler))
    return fmt::format("{} is not installed (apt-get install clang-14, or run ci/install-deps.sh)", kCompiler);
  if (!std::filesystem::exists(kLibcxxHeader))
    return fmt::format("libc++ 14's headers are missing ({}; apt-get install libc++-14-dev libc++abi-14-dev)",
                       kLibcxxHeader);
  return std::nullopt;
}

std::vector<std::string> command(const std::filesystem::path& source_dir, const std::filesystem::path& file,
                                 bool werror, const std::vector<std::string>& extra) {
  std::vector<std::string> argv{std::string(kCompiler),
                                "-std=c++20",
                                "-fsyntax-only",
                                "-stdlib=libc++",
                                "-D_LIBCPP_ENABLE_THREAD_SAFETY_ANNOTATIONS",
                                "-Wthread-safety",
                                "-fno-color-diagnostics",
                                "-fno-caret-diagnostics",
                                "-I" + (source_dir / "fixtures" / "include").string()};
  if (werror) argv.emplace_back("-Werror=thread-safety");
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(file.string());
  return argv;
}

Judgement classify(const RunResult& run) { return compile::classify(run, kReading); }

Check judge(const Judgement& judgement, const Expectation& expected) {
  return compile::judge(judgement, expected, Outcome::thread_safety_warning);
}

CaseRun run_case(const Case& c, const std::string& variant, const Expectation& expected) {
  if (const auto why = unavailable()) throw HarnessError("tsa: " + *why);
  const auto [source_dir, source] = compile::source_of(c, variant, kTool);
  return compile::run(command(source_dir, source, expected.outcome == Outcome::clean, expected.args), expected,
                      tsa::classify, tsa::judge);
}

}  // namespace conclab::tsa
