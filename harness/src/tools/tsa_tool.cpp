#include "tools/tsa_tool.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace conclab::tsa {
namespace {

// clang on a case that pulls in Boost.Asio takes a few seconds; two cores shared with other jobs.
constexpr std::chrono::seconds kCompileTimeout{180};

std::optional<int> number(std::string_view text) {
  int value = 0;
  if (text.empty() || text.size() > 9) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// `file:line:col` -> the three, or nullopt.
bool split_location(std::string_view where, Diagnostic& d) {
  const auto col_colon = where.rfind(':');
  if (col_colon == std::string_view::npos || col_colon == 0) return false;
  const auto line_colon = where.rfind(':', col_colon - 1);
  if (line_colon == std::string_view::npos || line_colon == 0) return false;
  const auto line = number(where.substr(line_colon + 1, col_colon - line_colon - 1));
  const auto column = number(where.substr(col_colon + 1));
  if (!line || !column) return false;
  d.file = std::string(where.substr(0, line_colon));
  d.line = *line;
  d.column = *column;
  return true;
}

std::optional<Diagnostic> parse_line(std::string_view line) {
  static constexpr std::string_view kSeverities[] = {": warning: ", ": error: ", ": fatal error: "};
  for (const auto marker : kSeverities) {
    const auto at = line.find(marker);
    if (at == std::string_view::npos) continue;
    Diagnostic d;
    if (!split_location(line.substr(0, at), d)) return std::nullopt;
    d.severity = marker == ": warning: " ? "warning" : "error";
    std::string_view message = line.substr(at + marker.size());
    if (message.ends_with(']')) {
      if (const auto open = message.rfind(" ["); open != std::string_view::npos) {
        d.flags = std::string(message.substr(open + 2, message.size() - open - 3));
        message = message.substr(0, open);
      }
    }
    d.message = std::string(message);
    return d;
  }
  return std::nullopt;
}

bool on_path(std::string_view program) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const auto dir = dirs.substr(0, colon);
    const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return false;
}

std::string location(const Diagnostic& d) {
  return fmt::format("{}:{}", std::filesystem::path(d.file).filename().string(), d.line);
}

}  // namespace

std::vector<Diagnostic> parse(std::string_view clang_output) {
  std::vector<Diagnostic> found;
  while (!clang_output.empty()) {
    const auto newline = clang_output.find('\n');
    const auto line = clang_output.substr(0, newline);
    if (auto d = parse_line(line)) found.push_back(std::move(*d));
    if (newline == std::string_view::npos) break;
    clang_output.remove_prefix(newline + 1);
  }
  return found;
}

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

Judgement classify(const RunResult& run) {
  Judgement j;
  std::optional<Finding> failed;  // clang could not compile the file: not the analysis speaking
  for (const auto& d : parse(run.err.text)) {
    if (d.thread_safety()) {
      j.findings.push_back({Outcome::thread_safety_warning, std::string(kTool),
                            fmt::format("{}: {}", location(d), d.message),
                            {Frame{.function = "", .file = d.file, .line = d.line, .module = ""}},
                            std::nullopt});
    } else if (d.severity == "error" && !failed) {
      failed = Finding{Outcome::exit_nonzero, std::string(kTool),
                       fmt::format("clang could not compile it: {}: {}", location(d), d.message), {}, std::nullopt};
    }
  }
  if (run.timed_out) {
    j.findings.push_back({Outcome::timeout, "watchdog", "clang did not finish in time", {}, std::nullopt});
  } else if (run.signal) {
    j.signal = run.signal;
    j.findings.push_back({Outcome::crash, std::string(kTool), "clang died of " + signal_name(*run.signal), {}, run.signal});
  } else if (failed) {
    j.findings.push_back(std::move(*failed));
  } else if (run.exit_code.value_or(0) != 0 && j.findings.empty()) {
    j.findings.push_back(
        {Outcome::exit_nonzero, std::string(kTool), fmt::format("clang exited {}", *run.exit_code), {}, std::nullopt});
  }
  for (const auto& f : j.findings)
    if (priority(f.kind) > priority(j.outcome)) j.outcome = f.kind;
  // A compile that failed outright says nothing about thread safety, whatever it warned before.
  if (failed && !run.timed_out && !run.signal) j.outcome = Outcome::exit_nonzero;
  return j;
}

Check judge(const Judgement& judgement, const Expectation& expected) {
  if (judgement.outcome != expected.outcome) {
    const auto* why = judgement.deciding();
    return {false, fmt::format("expected {}, got {}{}", to_string(expected.outcome), to_string(judgement.outcome),
                               why != nullptr ? " (" + why->summary + ")" : "")};
  }
  if (expected.outcome != Outcome::thread_safety_warning) return {true, std::string(to_string(expected.outcome))};
  std::vector<std::string> problems;
  for (const auto& text : expected.warnings) {
    const bool seen = std::any_of(judgement.findings.begin(), judgement.findings.end(), [&](const Finding& f) {
      return f.kind == Outcome::thread_safety_warning && f.summary.find(text) != std::string::npos;
    });
    if (!seen) problems.push_back(fmt::format("declared warning not reported: \"{}\"", text));
  }
  for (const auto& f : judgement.findings) {
    if (f.kind != Outcome::thread_safety_warning) continue;
    const bool declared = std::any_of(expected.warnings.begin(), expected.warnings.end(),
                                      [&](const std::string& text) { return f.summary.find(text) != std::string::npos; });
    if (!declared) problems.push_back(fmt::format("undeclared warning: {}", f.summary));
  }
  if (problems.empty())
    return {true, fmt::format("{} ({} declared warning{})", to_string(expected.outcome), expected.warnings.size(),
                              expected.warnings.size() == 1 ? "" : "s")};
  std::string reason = problems.front();
  if (problems.size() > 1) reason += fmt::format(" (and {} more)", problems.size() - 1);
  return {false, reason};
}

CaseRun run_case(const Case& c, const std::string& variant, const Expectation& expected) {
  if (const auto why = unavailable()) throw HarnessError("tsa: " + *why);
  const auto source = c.dir / (variant + ".cpp");
  if (!std::filesystem::exists(source)) throw HarnessError(fmt::format("tsa: {} does not exist", source.string()));
  const auto source_dir = (c.dir / ".." / ".." / "..").lexically_normal();
  RunSpec spec;
  spec.argv = command(source_dir, source, expected.outcome == Outcome::clean, expected.args);
  spec.timeout = kCompileTimeout;
  spec.hang_detection.reset();   // a compiler is busy, never waiting on anything of ours
  spec.track_leftovers = false;  // a helper of the harness, like eu-stack: it writes nothing
  spec.limits.cpu_seconds = std::max<std::uint64_t>(spec.limits.cpu_seconds, 300);
  return run_and_judge(spec, expected, tsa::classify, tsa::judge);
}

}  // namespace conclab::tsa
