// report_text: the text handling the report parsers share (reports.cpp, report_stacks.cpp). The
// text is untrusted: every function here is a bounded, linear scan.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace conclab::reports::detail {

constexpr std::size_t kMaxSummary = 1000;  // bytes: a summary is one line of a report, not a dump

std::string_view trim(std::string_view s);

template <class Visit>
void for_each_line(std::string_view text, Visit visit) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    visit(text.substr(0, end));
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
