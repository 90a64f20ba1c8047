#include "judge/report_text.hpp"

#include <algorithm>
#include <charconv>

namespace conclab::reports::detail {
namespace {

// Length of the well-formed UTF-8 sequence that starts s (non-empty), 0 when it is not one.
std::size_t utf8_length(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  const std::size_t n = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
  if (n == 0 || s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i)
    if ((byte(i) & 0xC0) != 0x80) return 0;
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
  if ((lead == 0xE0 && byte(1) < 0xA0) || (lead == 0xED && byte(1) > 0x9F) || (lead == 0xF0 && byte(1) < 0x90) ||
      (lead == 0xF4 && byte(1) > 0x8F))
    return 0;
  return n;
}

}  // namespace

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// Findings end up in JSON reports and terminals: replace control characters and malformed UTF-8,
// which a crashing program may well have written, with '?'.
std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    // Printable ASCII, nearly all of a report, is copied a run at a time: a byte at a time made
    // this the judge's hottest loop on long stacks.
    const auto run = std::find_if(s.begin(), s.end(), [](char c) {
      const auto byte = static_cast<unsigned char>(c);
      return byte < 0x20 || byte >= 0x7F;
    });
    if (run != s.begin()) {
      const auto n = static_cast<std::size_t>(run - s.begin());
      out.append(s.substr(0, n));
      s.remove_prefix(n);
      continue;
    }
    const auto n = utf8_length(s);
    const auto c = static_cast<unsigned char>(s.front());
    if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7F))) {
      out += c == '\t' ? ' ' : '?';
      s.remove_prefix(1);
      continue;
    }
    out.append(s.substr(0, n));
    s.remove_prefix(n);
  }
  return out;
}

std::string one_line(std::string_view s) {
  s = trim(s);
  if (s.size() <= kMaxSummary) return printable(s);
  return printable(s.substr(0, kMaxSummary)) + "...";
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view digits) {
  int value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return error == std::errc{} ? value : 0;
}

}  // namespace conclab::reports::detail
