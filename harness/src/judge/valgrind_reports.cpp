#include "judge/valgrind_reports.hpp"

#include "judge/report_text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string>

// Like reports.cpp: plain bounded scans of one line at a time, no std::regex, linear in the text.

namespace conclab::valgrind {
namespace {

constexpr auto npos = std::string_view::npos;
constexpr std::size_t kMaxText = 1000;  // bytes kept of a header, a function or a file name

using reports::detail::trim;  // the same blanks as the sanitizer parsers trim

// Valgrind prints ASCII; anything else (a crashing program's bytes) becomes '?', so findings stay
// valid UTF-8 for JSON reports.
std::string printable(std::string_view s) {
  std::string out(s.substr(0, kMaxText));
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F) c = '?';
  }
  if (s.size() > kMaxText) out += "...";
  return out;
}

// "==1234== text" -> "text" ("==1234==" alone -> ""); nullopt for any other line (program output,
// "--1234--" valgrind notes).
std::optional<std::string_view> valgrind_body(std::string_view line) {
  if (!line.starts_with("==")) return std::nullopt;
  const auto end = line.find("==", 2);
  if (end == npos || end == 2) return std::nullopt;
  const auto pid = line.substr(2, end - 2);
  if (!std::all_of(pid.begin(), pid.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  auto body = line.substr(end + 2);
  if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
  if (!body.empty() && body.front() == ' ') body.remove_prefix(1);  // the one space after the prefix
  return body;
}

// Valgrind's own sources (hg_intercepts.c, drd_pthread_intercepts.c, vg_replace_malloc.c) and
// its preloaded modules are not the program's code.
bool is_valgrind_place(std::string_view file_or_module) {
  constexpr std::array kParts{"hg_intercepts.c", "drd_pthread_intercepts.c", "vg_replace_", "vgpreload_",
                              "/valgrind/"};
  return std::any_of(kParts.begin(), kParts.end(),
                     [&](const char* part) { return file_or_module.find(part) != npos; });
}

// "at 0x4849D2C: fn (file.cpp:30)", "by 0x109F00: fn (in /usr/lib/libstdc++.so.6.0.30)",
// "at 0x1234: ??? (in /path)", "by 0x1234: fn" (no place).
std::optional<Frame> parse_frame(std::string_view body) {
  std::string_view s = trim(body);
  if (!(s.starts_with("at 0x") || s.starts_with("by 0x"))) return std::nullopt;
  const auto colon = s.find(": ");
  if (colon == npos) return std::nullopt;
  s = trim(s.substr(colon + 2));
  Frame frame;
  if (s.ends_with(')')) {
    // The place is the last parenthesised group that is not part of the function's signature:
    // find its '(' by matching from the right.
    int depth = 0;
    std::size_t open = npos;
    for (std::size_t i = s.size(); i-- > 0;) {
      if (s[i] == ')') ++depth;
      else if (s[i] == '(' && --depth == 0) {
        open = i;
        break;
      }
    }
    if (open != npos && open > 0 && s[open - 1] == ' ') {
      const std::string_view place = s.substr(open + 1, s.size() - open - 2);
      if (place.starts_with("in ")) {
        std::string_view module = place.substr(3);
        if (const auto slash = module.rfind('/'); slash != npos) module.remove_prefix(slash + 1);
        frame.module = printable(module);
        s = trim(s.substr(0, open));
      } else if (const auto c = place.rfind(':'); c != npos && c + 1 < place.size() &&
                                                    std::all_of(place.begin() + c + 1, place.end(),
                                                                [](char ch) { return ch >= '0' && ch <= '9'; })) {
        frame.file = printable(place.substr(0, c));
        std::from_chars(place.data() + c + 1, place.data() + place.size(), frame.line);
        s = trim(s.substr(0, open));
      }
    }
  }
  if (s != "???") frame.function = printable(s);
  if (is_valgrind_place(frame.file) || is_valgrind_place(frame.module)) {
    frame.module = "valgrind";  // keeps the name, but never one of the program's own frames
    frame.file.clear();
    frame.line = 0;
  }
  return frame;
}

enum class Tool { unknown, helgrind, drd };

// The outcome an error header announces, or nullopt for any other line (context, announcements).
// `after_blank`: the line follows an empty one, as an error's header does.
std::optional<Outcome> header_outcome(std::string_view text, Tool tool, bool after_blank) {
  if (tool != Tool::drd) {
    if (text.starts_with("Possible data race")) return Outcome::data_race;
    if (text.starts_with("Thread #")) {
      if (text.find(" was created") != npos || text.find("is the program's root thread") != npos) return std::nullopt;
      if (text.find("lock order \"") != npos && text.ends_with("violated")) return Outcome::lock_order_inversion;
      return Outcome::mutex_misuse;  // unlocked a not-locked lock, re-lock, pthread_* failed, still holds ...
    }
  }
  if (tool != Tool::helgrind) {
    if (text.starts_with("Conflicting load by thread") || text.starts_with("Conflicting store by thread"))
      return Outcome::data_race;
    if (!after_blank || text.find("was first observed") != npos || text.starts_with("Command:")) return std::nullopt;
    constexpr std::array kLockWords{"mutex",     "Mutex",     "lock",      "Lock",    "condition variable",
                                    "Condition", "semaphore", "Semaphore", "barrier", "Barrier"};
    if (std::any_of(kLockWords.begin(), kLockWords.end(), [&](const char* w) { return text.find(w) != npos; }))
      return Outcome::mutex_misuse;
  }
  return std::nullopt;
}

std::string summarize(const Finding& f, std::string_view header, std::string_view tool) {
  std::string summary = std::string(tool) + ": " + printable(header);
  const auto own = own_frames(f.frames, 1);
  if (!own.empty()) {
    summary += " " + own.front().file + ":" + std::to_string(own.front().line);
    if (!own.front().function.empty()) summary += " in " + own.front().function;
  }
  return summary;
}

// Valgrind failing the program rather than reporting on it, as a tool_error summary (without the
// tool's name), or nullopt: "--PID-- WARNING: unhandled amd64-linux syscall: 434" (the program got
// ENOSYS) and the launcher's own "valgrind: ..." errors ("... failed in UME ...": an exec'd
// program could not be started).
constexpr std::string_view kCouldNotStart = "valgrind could not start a program";
constexpr int kMaxToolErrors = 8;

std::optional<std::string> tool_error(std::string_view line) {
  if (line.starts_with("valgrind: ")) return std::string(kCouldNotStart) + ": " + printable(line.substr(10));
  if (!line.starts_with("--")) return std::nullopt;
  constexpr std::string_view kUnhandled = "WARNING: unhandled ";
  const auto at = line.find(kUnhandled);
  const auto colon = line.rfind(": ");
  if (at == npos || colon == npos || colon < at || line.find(" syscall", at) == npos) return std::nullopt;
  int number = -1;
  const auto digits = line.substr(colon + 2);
  std::from_chars(digits.data(), digits.data() + digits.size(), number);
  constexpr std::array<std::pair<int, const char*>, 6> kNames{
      {{424, "pidfd_send_signal"}, {434, "pidfd_open"}, {435, "clone3"}, {436, "close_range"}, {438, "pidfd_getfd"}, {439, "faccessat2"}}};
  std::string name;
  for (const auto& [n, known] : kNames)
    if (n == number) name = std::string(" (") + known + ")";
  return "valgrind does not know syscall " + printable(trim(digits)) + name + ": the program got ENOSYS";
}

}  // namespace

std::vector<Finding> parse(std::string_view text) {
  std::vector<Finding> findings;
  Tool tool = Tool::unknown;
  bool after_blank = true;
  struct Open {
    Finding finding;
    std::string header;
    bool stack_started = false, stack_done = false;
  };
  std::optional<Open> open;
  int tool_errors = 0;
  const auto close = [&] {
    if (!open) return;
    open->finding.summary = summarize(open->finding, open->header, open->finding.tool);
    findings.push_back(std::move(open->finding));
    open.reset();
  };
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == npos ? text.size() : end + 1);

    if (const auto failure = tool_error(line)) {
      const char* name = tool == Tool::drd ? "drd" : "helgrind";  // as below: unknown is helgrind
      const std::string summary = std::string(name) + ": " + *failure;
      // One finding per syscall, and one for the launcher (its first line says what failed).
      const auto launcher = [](std::string_view s) { return s.find(kCouldNotStart) != npos; };
      const bool seen = std::any_of(findings.begin(), findings.end(), [&](const Finding& f) {
        return f.kind == Outcome::tool_error && (f.summary == summary || (launcher(f.summary) && launcher(summary)));
      });
      // At most kMaxToolErrors of them: the scan above stays short whatever the text holds.
      if (!seen && tool_errors < kMaxToolErrors) {
        findings.push_back({Outcome::tool_error, name, summary, {}, std::nullopt});
        ++tool_errors;
      }
      continue;
    }
    const auto body = valgrind_body(line);
    if (!body) continue;  // program output interleaved with the report
    const std::string_view trimmed = trim(*body);
    if (trimmed.empty() || trimmed.starts_with("----")) {
      after_blank = true;
      if (open && open->stack_started) open->stack_done = true;
      continue;
    }
    if (trimmed.starts_with("Helgrind, a thread error detector")) tool = Tool::helgrind;
    if (trimmed.starts_with("drd, a thread error detector")) tool = Tool::drd;

    if (auto frame = parse_frame(*body)) {
      if (open && !open->stack_done) {
        open->stack_started = true;
        open->finding.frames.push_back(std::move(*frame));
      }
      after_blank = false;
      continue;
    }
    if (open && open->stack_started) open->stack_done = true;
    const bool indented = body->starts_with(' ');
    if (!indented) {
      if (const auto outcome = header_outcome(trimmed, tool, after_blank)) {
        close();
        open.emplace();
        open->finding.kind = *outcome;
        // Unknown tool: DRD's race header says "Conflicting", Helgrind's anything else.
        const bool drd = tool == Tool::drd || (tool == Tool::unknown && trimmed.starts_with("Conflicting"));
        open->finding.tool = drd ? "drd" : "helgrind";
        open->header = std::string(trimmed.substr(0, kMaxText));
      }
    }
    after_blank = false;
  }
  close();
  return findings;
}

}  // namespace conclab::valgrind
