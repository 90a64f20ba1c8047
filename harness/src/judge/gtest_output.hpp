// gtest_output: what a GoogleTest binary prints, read so that `conclab run --gtest` can judge
// each test as its own run: the list of its tests, and what one test's run said of it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace conclab::gtest {

// The tests `PROG --gtest_list_tests` printed, as full names ("Suite.Test", "Inst/Suite.Test/0"),
// in its order. Tests whose suite or name starts with DISABLED_ are left out unless
// `with_disabled` (the user passed --gtest_also_run_disabled_tests). Lines that are not part of
// a test list (a banner the program's main prints first) are skipped.
std::vector<std::string> parse_list(std::string_view list_output, bool with_disabled);

// What GoogleTest printed on stdout of one test's run.
struct TestResult {
  bool ran = false;      // "[ RUN      ] NAME" was printed
  bool passed = false;   // "[       OK ] NAME"
  bool failed = false;   // "[  FAILED  ] NAME"
  bool skipped = false;  // "[  SKIPPED ] NAME"
  bool unfinished = false;  // it started and printed no status line: the run ended inside it
  // (With --gtest_repeat a test runs several times; each flag says whether any run of it did so.)
  // GoogleTest's failure text from its first "file:line: Failure" line on (at most 12 lines of
  // 300 bytes each); empty when it printed none.
  std::string failure;
};
TestResult parse_result(std::string_view stdout_text, std::string_view name);

// The first failure GoogleTest printed anywhere in `stdout_text` (for one outside any test body: a
// failed SetUpTestSuite or global environment), in the same shape as TestResult::failure.
std::string first_failure(std::string_view stdout_text);

// One line for a failed test: "tests.cpp:42: Failure — Expected equality of these values:".
std::string failure_headline(const std::string& failure);

// The program's arguments without those that select tests (--gtest_filter=..., --gtest_filter
// VALUE, --gtest_list_tests): conclab selects one test per run itself.
std::vector<std::string> without_selection(const std::vector<std::string>& args);

// A folder name for a test: '/' and other awkward characters as '_'; a name longer than 120
// bytes is cut to 100 and ends in a hash of the whole (a parameterized test's name can pass 255).
std::string file_name(std::string_view test_name);

}  // namespace conclab::gtest
