#include "judge/report_trim.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>

#include "judge/report_text.hpp"

namespace conclab::reports {
namespace {

using detail::trim;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

bool starts_a_report(std::string_view line) {
  static constexpr std::array<std::string_view, 4> kHeadlines{"WARNING: ThreadSanitizer", "ERROR: AddressSanitizer",
                                                              "ERROR: LeakSanitizer", "runtime error:"};
  for (const auto h : kHeadlines)
    if (line.find(h) != std::string_view::npos) return true;
  return false;
}

// "    #12 ..." : blanks, '#', digits, then a blank.
bool is_frame(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  if (i >= line.size() || line[i] != '#') return false;
  const auto first_digit = ++i;
  while (i < line.size() && is_digit(line[i])) ++i;
  return i > first_digit && i < line.size() && std::isspace(static_cast<unsigned char>(line[i]));
}

// The line number of the first "NAME:DIGITS" in the line; 0 when there is none (or it is absurd).
std::size_t line_in_own_file(std::string_view line, std::string_view name) {
  if (name.empty()) return 0;
  for (auto at = line.find(name); at != std::string_view::npos; at = line.find(name, at + 1)) {
    auto i = at + name.size();
    if (i >= line.size() || line[i] != ':') continue;
    const auto first = ++i;
    while (i < line.size() && is_digit(line[i])) ++i;
    if (i == first) continue;
    const auto digits = line.substr(first, i - first);
    if (digits.size() > 9) return 0;  // a line number, never an overflow
    return std::stoul(std::string(digits));
  }
  return 0;
}

// "#3 0x55d0c0ffee in f()" -> "#3 f()": the address means nothing to a participant.
std::string without_addresses(std::string_view line) {
  std::string out;
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == '#') {
      auto j = i + 1;
      while (j < line.size() && is_digit(line[j])) ++j;
      if (j > i + 1 && line.substr(j).starts_with(" 0x")) {
        auto k = j + 3;
        while (k < line.size() && is_hex(line[k])) ++k;
        if (k > j + 3 && line.substr(k).starts_with(" in ")) {
          out.append(line.substr(i, j - i));
          out += ' ';
          i = k + 4;
          continue;
        }
      }
    }
    out += line[i++];
  }
  return out;
}

}  // namespace

std::string trim_report(std::string_view err, std::string_view own_name, const std::vector<std::string>& own_lines,
                        std::size_t max_lines) {
  std::vector<std::string> out;
  int hidden = 0;
  auto flush_hidden = [&] {
    if (hidden > 0) out.push_back(fmt::format("      ({} in the libraries)", hidden == 1 ? "1 frame" : fmt::format("{} frames", hidden)));
    hidden = 0;
  };
  bool in_report = false, in_shadow = false;
  detail::for_each_line(err, [&](std::string_view raw) {
    if (!in_report) {
      if (!starts_a_report(raw)) return true;
      in_report = true;
    }
    const bool summary = raw.starts_with("SUMMARY:");
    if (raw.find("Shadow bytes around the buggy address") != std::string_view::npos) in_shadow = true;
    if (in_shadow && !summary) return true;
    if (trim(raw).empty() || raw.starts_with("=====")) {
      flush_hidden();
      return true;
    }
    if (is_frame(raw)) {
      const auto line = line_in_own_file(raw, own_name);
      if (line == 0) {
        ++hidden;
        return true;
      }
      flush_hidden();
      out.push_back(without_addresses(raw));
      if (line <= own_lines.size()) out.push_back(fmt::format("          {:>4} | {}", line, trim(own_lines[line - 1])));
      return true;
    }
    flush_hidden();
    out.emplace_back(raw);
    return !summary;
  });
  flush_hidden();
  std::string text;
  for (std::size_t i = 0; i < out.size() && i < max_lines; ++i) text += out[i] + "\n";
  if (out.size() > max_lines) text += fmt::format("... ({} more lines)\n", out.size() - max_lines);
  return text;
}

}  // namespace conclab::reports
