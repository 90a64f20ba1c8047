#include "judge/gtest_output.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>

#include "judge/report_text.hpp"

namespace conclab::gtest {
namespace {

using reports::detail::for_each_line;

// GoogleTest's failure text as kept: at most 12 lines of 300 bytes (a failure can print a whole container).
struct FailureText {
  std::string text;
  std::size_t lines = 0;
  // Keeps one more line; false once the text is full.
  bool add(std::string_view line) {
    if (lines == 12) return false;
    text += std::string(line.substr(0, 300)) + "\n";
    ++lines;
    return true;
  }
};

// The line without GoogleTest's "  # GetParam() = ..." / "  # TypeParam = ..." comment and trailing blanks.
std::string_view without_comment(std::string_view line) {
  if (const auto hash = line.find("  #"); hash != std::string_view::npos) line = line.substr(0, hash);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

bool disabled(std::string_view suite, std::string_view test) {
  // A suite of a parameterized or typed test reads "Prefix/DISABLED_Suite/0": any part counts.
  const auto part_disabled = [](std::string_view name) {
    for (std::size_t at = 0; at <= name.size();) {
      const auto slash = std::min(name.find('/', at), name.size());
      if (name.substr(at, slash - at).starts_with("DISABLED_")) return true;
      at = slash + 1;
    }
    return false;
  };
  return part_disabled(suite) || part_disabled(test);
}


// GoogleTest's status tag for NAME: "[  FAILED  ] NAME (3 ms)" or "[  FAILED  ] NAME, where GetParam() = 1 (0 ms)".
bool is_status_line(std::string_view line, std::string_view tag, std::string_view name) {
  if (!line.starts_with(tag)) return false;
  line.remove_prefix(tag.size());
  if (!line.starts_with(name)) return false;
  line.remove_prefix(name.size());
  return line.empty() || line.starts_with(" (") || line.starts_with(", where") || line == "\r";
}

}  // namespace

std::vector<std::string> parse_list(std::string_view list_output, bool with_disabled) {
  std::vector<std::string> tests;
  std::string suite;  // empty until the first suite line
  for_each_line(list_output, [&](std::string_view raw) {
    const auto line = without_comment(raw);
    if (line.empty()) return true;
    if (line.front() != ' ') {
      // "Suite." opens a suite; any other unindented line is not part of the list.
      suite = line.back() == '.' && line.find(' ') == std::string_view::npos ? std::string(line.substr(0, line.size() - 1))
                                                                             : std::string();
      return true;
    }
    if (suite.empty() || !line.starts_with("  ")) return true;
    const auto test = line.substr(2);
    if (test.empty() || test.find(' ') != std::string_view::npos) return true;
    if (with_disabled || !disabled(suite, test)) tests.push_back(suite + "." + std::string(test));
    return true;
  });
  return tests;
}

TestResult parse_result(std::string_view stdout_text, std::string_view name) {
  TestResult result;
  bool in_test = false;      // between "[ RUN      ] NAME" and its status line
  bool in_failure = false;   // copying the first failure's text
  FailureText failure;
  // With --gtest_repeat the test runs several times: it failed if any iteration did.
  for_each_line(stdout_text, [&](std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (is_status_line(line, "[ RUN      ] ", name)) {
      result.ran = in_test = true;
      return true;
    }
    if (!in_test) return true;  // another test's lines, or the summary at the end
    if (is_status_line(line, "[  FAILED  ] ", name)) result.failed = true;
    else if (is_status_line(line, "[  SKIPPED ] ", name)) result.skipped = true;
    else if (is_status_line(line, "[       OK ] ", name)) result.passed = true;
    else {
      if (failure.text.empty() && line.ends_with(": Failure")) in_failure = true;
      if (in_failure) failure.add(line);
      return true;
    }
    in_test = in_failure = false;
    return true;
  });
  result.unfinished = in_test;
  result.failure = std::move(failure.text);
  return result;
}

std::string first_failure(std::string_view stdout_text) {
  FailureText failure;
  for_each_line(stdout_text, [&](std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (failure.text.empty() && !line.ends_with(": Failure")) return true;
    return !line.starts_with("[") && failure.add(line);  // up to GoogleTest's next status line
  });
  return std::move(failure.text);
}

std::string failure_headline(const std::string& failure) {
  const auto first_end = failure.find('\n');
  std::string headline = failure.substr(0, first_end);
  if (first_end == std::string::npos) return headline;
  const auto second_end = failure.find('\n', first_end + 1);
  const auto second = failure.substr(first_end + 1, second_end == std::string::npos ? std::string::npos : second_end - first_end - 1);
  if (!second.empty()) headline += " — " + second;
  return headline;
}

std::vector<std::string> without_selection(const std::vector<std::string>& args) {
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    // GoogleTest takes its flags with one dash or two.
    const std::string_view flag = a.starts_with("--") ? std::string_view(a).substr(1) : std::string_view(a);
    if (flag == "-gtest_list_tests" || flag.starts_with("-gtest_list_tests=") || flag.starts_with("-gtest_filter=")) continue;
    if (flag == "-gtest_filter") {
      ++i;  // and its value
      continue;
    }
    kept.push_back(a);
  }
  return kept;
}

std::string file_name(std::string_view test_name) {
  std::string name(test_name);
  for (auto& c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) c = '_';
  if (name.size() <= 120) return name;
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a of the whole name: two long names stay apart
  for (const unsigned char c : test_name) hash = (hash ^ c) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return name.substr(0, 100) + "-" + hex;
}

}  // namespace conclab::gtest
