#include "tools/compile_diagnostics.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cctype>
#include <filesystem>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "judge/report_text.hpp"

namespace conclab::compile {
namespace {

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

// clang on a case that pulls in Boost.Asio takes a few seconds; two cores shared with other jobs.
constexpr std::chrono::seconds kCompileTimeout{180};

std::string location(const Diagnostic& d) {
  return fmt::format("{}:{}", std::filesystem::path(d.file).filename().string(), d.line);
}

// The identifier (with its `::` qualifiers) that starts at the diagnostic's column, or "".
std::string name_at(const Diagnostic& d) {
  // Only a source file: not a device, a FIFO or something huge that a stray line could name.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(d.file, ec) || std::filesystem::file_size(d.file, ec) > (8u << 20) || ec)
    return {};
  const auto text = read_file(d.file);
  if (!text || d.line < 1 || d.column < 1) return {};
  std::size_t start = 0;
  for (int line = 1; line < d.line; ++line) {
    start = text->find('\n', start);
    if (start == std::string::npos) return {};
    ++start;
  }
  const auto end_of_line = std::min(text->find('\n', start), text->size());
  std::size_t at = start + static_cast<std::size_t>(d.column - 1), end = at;
  const auto is_name = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == ':'; };
  while (end < end_of_line && is_name((*text)[end])) ++end;
  return at < end ? text->substr(at, end - at) : std::string();
}

std::string summary_with_name_and_check(const Diagnostic& d) {
  const auto name = name_at(d);
  return fmt::format("{}: {}{}{} [{}]", location(d), d.message, name.empty() ? "" : ": ", name, d.flags);
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

Judgement classify(const RunResult& run, const Reading& reading) {
  Judgement j;
  const std::string tool(reading.tool);
  std::optional<Finding> failed;  // the file did not compile: not the analysis speaking
  // clang prints its diagnostics on stderr, clang-tidy on stdout.
  for (const auto& d : parse(run.out.text + run.err.text)) {
    if (reading.is_finding(d)) {
      j.findings.push_back({reading.warning, tool,
                            reports::detail::one_line(reading.names_what_and_check
                                                          ? summary_with_name_and_check(d)
                                                          : fmt::format("{}: {}", location(d), d.message)),
                            {Frame{.function = "", .file = reports::detail::printable(d.file), .line = d.line, .module = ""}},
                            std::nullopt});
    } else if (d.severity == "error" && !failed) {
      failed = Finding{Outcome::exit_nonzero, tool,
                       reports::detail::one_line(
                           fmt::format("{} could not compile it: {}: {}", reading.program, location(d), d.message)),
                       {}, std::nullopt};
    }
  }
  if (run.timed_out) {
    j.findings.push_back({Outcome::timeout, "watchdog", fmt::format("{} did not finish in time", reading.program), {},
                          std::nullopt});
  } else if (run.signal) {
    j.signal = run.signal;
    j.findings.push_back(
        {Outcome::crash, tool, fmt::format("{} died of {}", reading.program, signal_name(*run.signal)), {}, run.signal});
  } else if (failed) {
    j.findings.push_back(std::move(*failed));
  } else if (run.exit_code.value_or(0) != 0 && j.findings.empty()) {
    j.findings.push_back({Outcome::exit_nonzero, tool, fmt::format("{} exited {}", reading.program, *run.exit_code),
                          {}, std::nullopt});
  }
  for (const auto& f : j.findings)
    if (priority(f.kind) > priority(j.outcome)) j.outcome = f.kind;
  // A compile that failed outright says nothing about the analysis, whatever it warned before.
  if (failed && !run.timed_out && !run.signal) j.outcome = Outcome::exit_nonzero;
  return j;
}

Check judge(const Judgement& judgement, const Expectation& expected, Outcome warning) {
  if (judgement.outcome != expected.outcome) {
    const auto* why = judgement.deciding();
    return {false, fmt::format("expected {}, got {}{}", to_string(expected.outcome), to_string(judgement.outcome),
                               why != nullptr ? " (" + why->summary + ")" : "")};
  }
  if (expected.outcome != warning) return {true, std::string(to_string(expected.outcome))};
  std::vector<std::string> problems;
  for (const auto& text : expected.warnings) {
    const bool seen = std::any_of(judgement.findings.begin(), judgement.findings.end(), [&](const Finding& f) {
      return f.kind == warning && f.summary.find(text) != std::string::npos;
    });
    if (!seen) problems.push_back(fmt::format("declared warning not reported: \"{}\"", text));
  }
  for (const auto& f : judgement.findings) {
    if (f.kind != warning) continue;
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

Source source_of(const Case& c, const std::string& variant, std::string_view tool) {
  auto file = c.dir / (variant + ".cpp");
  if (!std::filesystem::exists(file)) throw HarnessError(fmt::format("{}: {} does not exist", tool, file.string()));
  return {(c.dir / ".." / ".." / "..").lexically_normal(), std::move(file)};
}

CaseRun run(std::vector<std::string> argv, const Expectation& expected, Classifier classifier, Judge judge_with) {
  RunSpec spec;
  spec.argv = std::move(argv);
  spec.timeout = kCompileTimeout;
  spec.hang_detection.reset();   // a compiler is busy, never waiting on anything of ours
  spec.track_leftovers = false;  // a helper of the harness, like eu-stack: it writes nothing
  spec.limits.cpu_seconds = std::max<std::uint64_t>(spec.limits.cpu_seconds, 300);
  return run_and_judge(spec, expected, classifier, judge_with);
}

}  // namespace conclab::compile
