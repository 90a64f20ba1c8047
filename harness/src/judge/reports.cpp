#include "judge/reports.hpp"

#include "judge/report_stacks.hpp"
#include "judge/report_text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <csignal>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

// Plain string scanning rather than std::regex: the text is untrusted, lines can be megabytes
// long, and a backtracking regex can overflow the stack on such input. Every step below is a
// bounded scan of one line, so parsing is linear in the size of the text.

namespace conclab::reports {
namespace {

using namespace std::string_view_literals;
using namespace detail;
constexpr auto npos = std::string_view::npos;

struct Location {
  std::string_view file;  // empty for "<null>"
  int line = 0;
};

// "file:line", "file:line:col", "<null>", or (ASan, line unknown) a bare path; else not a location.
std::optional<Location> parse_location(std::string_view token) {
  if (token == "<null>") return Location{};
  const auto colon = token.rfind(':');
  if (colon != npos && all_digits(token.substr(colon + 1))) {
    std::string_view file = token.substr(0, colon);
    std::string_view line = token.substr(colon + 1);
    if (const auto before = file.rfind(':'); before != npos && all_digits(file.substr(before + 1))) {
      line = file.substr(before + 1);  // the last number was the column
      file = file.substr(0, before);
    }
    return Location{file, to_int(line)};
  }
  if (token.find('/') != npos && token.find_first_of("()") == npos) return Location{token, 0};
  return std::nullopt;
}

// Takes a trailing "(BuildId: ...)" off s (clang's runtimes print it after the module).
void drop_build_id(std::string_view& s) {
  const auto at = s.rfind("(BuildId: ");
  if (at != npos && s.ends_with(')')) s = trim(s.substr(0, at));
}

// Takes a trailing "(module+0xOFFSET)" or "(0xPC)" off s and returns the module's file name.
// Any other trailing parentheses belong to the function's signature and stay.
std::string_view take_module(std::string_view& s) {
  const auto open = s.rfind('(');
  if (open == npos || !s.ends_with(')')) return {};
  const std::string_view inside = s.substr(open + 1, s.size() - open - 2);
  const auto plus = inside.rfind("+0x");
  if (plus == npos && !inside.starts_with("0x")) return {};
  s = trim(s.substr(0, open));
  if (plus == npos) return {};
  std::string_view module = inside.substr(0, plus);
  if (const auto slash = module.rfind('/'); slash != npos) module.remove_prefix(slash + 1);
  return module;
}

// One stack line. TSan: "#0 function file:line[:col] (module+0xOFF) [(BuildId: ...)]", with
// "<null>" for an unknown function or file. ASan, LSan and UBSan: "#0 0xPC in function
// file:line[:col]" or "#0 0xPC in function (module+0xOFF)". Function names hold spaces and
// parentheses, so the location is found from the right.
std::optional<Frame> parse_frame(std::string_view line) {
  std::string_view s = trim(line);
  if (!s.starts_with('#')) return std::nullopt;
  s.remove_prefix(1);
  const auto digits_end = s.find_first_not_of("0123456789");
  if (digits_end == 0 || digits_end == npos || s[digits_end] != ' ') return std::nullopt;
  s = trim(s.substr(digits_end));
  if (s.starts_with("0x")) {
    const auto space = s.find(' ');
    s = space == npos ? ""sv : trim(s.substr(space));
    if (s.starts_with("in ")) s.remove_prefix(3);
  }
  drop_build_id(s);
  Frame frame;
  frame.module = printable(take_module(s));
  const auto space = s.rfind(' ');
  std::string_view function = s;
  if (const auto location = parse_location(space == npos ? s : s.substr(space + 1))) {
    frame.file = printable(location->file);
    frame.line = location->line;
    function = space == npos ? ""sv : trim(s.substr(0, space));
  }
  if (function != "<null>") frame.function = printable(function);
  return frame;
}

std::optional<int> signal_number(std::string_view abbrev) {
  for (int signo = 1; signo < NSIG; ++signo) {
    const char* name = sigabbrev_np(signo);
    if (name != nullptr && abbrev == name) return signo;
  }
  return std::nullopt;
}

// TSan's warning kinds other than races ("data race", "data race on vptr ...", "race on external
// object", "Swift access race"), which are all data_race.
Outcome tsan_outcome(std::string_view what) {
  constexpr std::array<std::pair<std::string_view, Outcome>, 12> kKinds{{
      {"lock-order-inversion", Outcome::lock_order_inversion},
      {"thread leak", Outcome::thread_leak},
      {"signal-unsafe call", Outcome::signal_unsafe_call},
      {"signal handler spoils errno", Outcome::signal_unsafe_call},
      {"heap-use-after-free", Outcome::heap_use_after_free},  // also "... (virtual call vs free)"
      {"unlock of an unlocked mutex", Outcome::mutex_misuse},
      {"destroy of a locked mutex", Outcome::mutex_misuse},
      {"double lock of a mutex", Outcome::mutex_misuse},
      {"read lock of a write locked mutex", Outcome::mutex_misuse},
      {"read unlock of a write locked mutex", Outcome::mutex_misuse},
      {"use of an invalid mutex", Outcome::mutex_misuse},
      {"mutex held in the wrong context", Outcome::mutex_misuse},
  }};
  for (const auto& [prefix, outcome] : kKinds)
    if (what.starts_with(prefix)) return outcome;
  return Outcome::data_race;
}

// An "ERROR: <Sanitizer>: <what> on ..." kind that is not a fatal signal.
Outcome memory_outcome(std::string_view what) {
  constexpr std::array<std::pair<std::string_view, Outcome>, 7> kKinds{{
      {"heap-use-after-free", Outcome::heap_use_after_free},
      {"attempting double-free", Outcome::double_free},
      {"heap-buffer-overflow", Outcome::heap_buffer_overflow},
      {"stack-buffer-overflow", Outcome::stack_buffer_overflow},
      {"global-buffer-overflow", Outcome::global_buffer_overflow},
      {"stack-use-after-return", Outcome::stack_use_after_return},
      {"stack-use-after-scope", Outcome::stack_use_after_scope},
  }};
  for (const auto& [name, outcome] : kKinds)
    if (what == name) return outcome;
  return Outcome::memory_error;
}

constexpr std::size_t kMaxStacks = 32;  // per report: TSan prints at most a dozen

// The report being read.
struct Report {
  Finding finding;
  std::string what;            // the tool's name for the problem: "data race", "SEGV", a UBSan message
  std::string tool_summary;    // the SUMMARY line without "SUMMARY: <Sanitizer>: "
  std::optional<Frame> place;  // UBSan: the location printed on the runtime-error line
  bool unterminated = false;   // UBSan runtime errors end with their stack, without a SUMMARY
  bool in_stack = false;       // the last line read was a frame
  std::string title;           // the last line that was not a frame: the title of the next stack
};

Report tsan_warning(std::string_view rest) {
  Report report;
  report.title = one_line(rest);
  report.what = rest.substr(0, rest.rfind(" (pid="));
  report.finding.kind = tsan_outcome(report.what);
  report.finding.tool = "tsan";
  return report;
}

// "ERROR: <Sanitizer>: <rest>": memory errors, fatal signals ("SEGV on unknown address") and leaks.
Report sanitizer_error(std::string_view rest, std::string_view tool) {
  Report report;
  report.title = one_line(rest);
  report.finding.tool = tool;
  report.what = rest.substr(0, rest.find(" on "));
  if (tool == "lsan" && rest.starts_with("detected memory leaks")) {
    report.finding.kind = Outcome::memory_leak;
  } else if (const auto signo = signal_number(report.what)) {
    report.finding.kind = Outcome::crash;
    report.finding.signal = signo;
  } else {
    report.finding.kind = memory_outcome(report.what);
  }
  return report;
}

// "<file>:<line>:<col>: runtime error: <message>"; the location may be "<unknown>".
Report ubsan_error(std::string_view line, std::size_t at, std::size_t message_at) {
  Report report;
  report.finding.kind = Outcome::undefined_behavior;
  report.finding.tool = "ubsan";
  report.what = line.substr(message_at);
  report.unterminated = true;
  std::string_view where = trim(line.substr(0, at));
  if (const auto space = where.rfind(' '); space != npos) where.remove_prefix(space + 1);  // program output before it
  if (const auto location = parse_location(where); location && !location->file.empty())
    report.place = Frame{"", printable(location->file), location->line, ""};
  return report;
}

std::optional<Report> start_report(std::string_view line) {
  constexpr std::string_view kTsanWarning = "WARNING: ThreadSanitizer: ";
  if (const auto at = line.find(kTsanWarning); at != npos) return tsan_warning(line.substr(at + kTsanWarning.size()));
  constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kErrors{{
      {"ERROR: AddressSanitizer: ", "asan"},
      {"ERROR: LeakSanitizer: ", "lsan"},
      {"ERROR: ThreadSanitizer: ", "tsan"},
      {"ERROR: UndefinedBehaviorSanitizer: ", "ubsan"},
  }};
  for (const auto& [header, tool] : kErrors)
    if (const auto at = line.find(header); at != npos) return sanitizer_error(line.substr(at + header.size()), tool);
  constexpr std::string_view kRuntimeError = ": runtime error: ";
  if (const auto at = line.find(kRuntimeError); at != npos) return ubsan_error(line, at, at + kRuntimeError.size());
  return std::nullopt;
}

// "SUMMARY: ThreadSanitizer: data race /x.cpp:3 in main" -> "data race /x.cpp:3 in main".
void take_summary(Report& report, std::string_view line) {
  const auto colon = line.find(": ", "SUMMARY: "sv.size());
  if (colon == npos) return;
  std::string_view body = trim(line.substr(colon + 2));
  if (report.finding.kind == Outcome::memory_leak) {
    // LSan's SUMMARY gives the totals ("4 byte(s) leaked in 1 allocation(s).") but no place.
    if (body.ends_with('.')) body.remove_suffix(1);
    report.what = body;
  } else if (!report.unterminated) {
    report.tool_summary = body;  // clang's UBSan SUMMARY repeats the location only: the message is better
  }
}

// Reads one more line of an open report; true when the report is complete.
bool feed(Report& report, std::string_view line) {
  auto& stacks = report.finding.stacks;
  if (auto frame = parse_frame(line)) {
    if (!report.in_stack) {
      if (stacks.size() == kMaxStacks) return false;
      stacks.push_back(describe_stack(report.title, stacks.empty()));
    }
    report.in_stack = true;
    stacks.back().frames.push_back(std::move(*frame));
    return false;
  }
  report.in_stack = false;
  const std::string_view text = trim(line);
  if (!text.empty()) report.title = one_line(text);
  if (const auto located = location_of(text); !located.empty() && report.finding.location.empty())
    report.finding.location = located;
  if (text.starts_with("SUMMARY: ")) {
    take_summary(report, text);
    return true;
  }
  return report.unterminated;
}

std::string place_of(const Frame& frame) {
  std::string place = frame.file;
  if (frame.line > 0) place += ":" + std::to_string(frame.line);
  if (!frame.function.empty()) place += " in " + frame.function;
  return place;
}

// The tool's SUMMARY line when it points into the program's own code. Otherwise (TSan names
// gthr-default.h for a lock-order inversion, clang's runtimes name a module, LSan and UBSan
// name no place) the problem and the first frame of the program's own code, in the same shape.
std::string summarize(const Report& report) {
  const auto own = own_frames(report.finding.frames, 1);
  if (own.empty()) return one_line(report.tool_summary.empty() ? report.what : report.tool_summary);
  // Only within what one_line keeps: a search of the whole line is quadratic on a long line
  // ("AAA...:1" in a line of A's took minutes).
  if (std::string_view(report.tool_summary).substr(0, kMaxSummary).find(own.front().file + ":") != npos)
    return one_line(report.tool_summary);
  return one_line(report.what + " " + place_of(own.front()));
}

Finding finish(Report&& report) {
  auto& stacks = report.finding.stacks;
  if (stacks.empty() && report.place) {
    stacks.push_back(describe_stack(one_line(report.what), true));
    stacks.back().frames.push_back(std::move(*report.place));
  }
  if (!stacks.empty()) report.finding.frames = stacks.front().frames;
  report.finding.summary = summarize(report);
  return std::move(report.finding);
}

}  // namespace

std::vector<Finding> parse(std::string_view text) {
  std::vector<Finding> findings;
  // A plain Report and a flag, not std::optional<Report>: g++ 12 -O2 warns falsely that the
  // optional's strings may be used uninitialized.
  Report open;
  bool reading = false;
  const auto close = [&] {
    if (reading) findings.push_back(finish(std::move(open)));
    reading = false;
  };
  for_each_line(text, [&](std::string_view line) {
    if (auto started = start_report(line)) {
      close();  // a report cut short by the next one still counts
      open = std::move(*started);
      reading = true;
    } else if (reading && feed(open, line)) {
      close();
    }
  });
  close();
  return findings;
}

std::vector<Finding> parse_program_markers(std::string_view text) {
  constexpr std::string_view kMarker = "CONCLAB_WRONG_RESULT:";
  std::vector<Finding> findings;
  for_each_line(text, [&](std::string_view line) {
    if (const auto at = line.find(kMarker); at != npos)
      findings.push_back({Outcome::wrong_result, "program", one_line(line.substr(at + kMarker.size())), {}, {}});
  });
  return findings;
}

}  // namespace conclab::reports
