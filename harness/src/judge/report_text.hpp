// report_text: the text handling the report parsers share (reports.cpp, report_stacks.cpp). The
// text is untrusted: every function here is a bounded, linear scan.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

namespace conclab::reports::detail {

constexpr std::size_t kMaxSummary = 1000;  // bytes: a summary is one line of a report, not a dump

std::string_view trim(std::string_view s);

// Each line of text, without its '\n'. A visitor that returns bool stops the scan with false.
template <class Visit>
void for_each_line(std::string_view text, Visit visit) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    if constexpr (std::is_same_v<decltype(visit(text)), bool>) {
      if (!visit(text.substr(0, end))) return;
    } else {
      visit(text.substr(0, end));
    }
    if (end == std::string_view::npos) return;
    text.remove_prefix(end + 1);
  }
}

// s with control characters and malformed UTF-8 replaced by '?' (findings reach JSON and terminals).
std::string printable(std::string_view s);

// s trimmed, printable, cut after kMaxSummary bytes ("..." marks the cut).
std::string one_line(std::string_view s);

bool all_digits(std::string_view s);
int to_int(std::string_view digits);  // 0 when it is not a number that fits

}  // namespace conclab::reports::detail
