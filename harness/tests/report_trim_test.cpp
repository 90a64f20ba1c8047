// The workshop's trimmed report (judge/report_trim), on a TSan report and on hostile text.
#include "judge/report_trim.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace conclab {
namespace {

bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

TEST(ReportTrim, KeepsWhatMatters) {
  const std::string file = "/home/ann/conclab-workshop/lost_update.cpp";
  const std::vector<std::string> own_lines{"int a;", "int b;", "void increment() {", "  counter = seen + 1;", "}"};
  const std::string report =
      "some program output\n"
      "==================\n"
      "WARNING: ThreadSanitizer: data race (pid=42)\n"
      "  Write of size 8 at 0x55 by thread T2:\n"
      "    #0 increment() " + file + ":4 (lost_update+0x24)\n"
      "    #1 std::thread::_State_impl::_M_run() /usr/include/c++/12/bits/std_thread.h:211 (lost_update+0x25)\n"
      "    #2 <null> <null> (libstdc++.so.6+0xd4)\n"
      "\n"
      "  Location is global 'counter' of size 8 at 0x55 (lost_update+0x51)\n"
      "\n"
      "SUMMARY: ThreadSanitizer: data race " + file + ":4 in increment()\n"
      "==================\n"
      "later output\n";
  const auto trimmed = reports::trim_report(report, "lost_update.cpp", own_lines);
  EXPECT_TRUE(contains(trimmed, "WARNING: ThreadSanitizer: data race")) << trimmed;
  EXPECT_TRUE(contains(trimmed, "#0 increment()")) << trimmed;
  EXPECT_TRUE(contains(trimmed, "4 | counter = seen + 1;")) << trimmed;  // the source line it points at
  EXPECT_TRUE(contains(trimmed, "(2 frames in the libraries)")) << trimmed;
  EXPECT_TRUE(contains(trimmed, "Location is global 'counter'")) << trimmed;
  EXPECT_TRUE(contains(trimmed, "SUMMARY: ThreadSanitizer")) << trimmed;
  EXPECT_FALSE(contains(trimmed, "libstdc++")) << trimmed;
  EXPECT_FALSE(contains(trimmed, "output")) << trimmed;
}

// Untrusted text (a participant's program writes to the same stream): a frame of a file with
// a similar name, a line number past the file or past INT_MAX, and the line limit.
TEST(ReportTrim, StrangeFramesAndTheLineLimit) {
  const std::vector<std::string> own_lines{"int a;"};
  std::string report = "WARNING: ThreadSanitizer: data race\n"
                       "    #0 f() /x/not_lost_update.cpp.bak:1 (a+0x1)\n"
                       "    #1 g() /x/lost_update.cpp:99999999999 (a+0x2)\n"
                       "    #2 0x55 in h() /x/lost_update.cpp:7\n"
                       "    #3 0x56 in k() /x/lost_update.cpp:1\n";
  for (int i = 0; i < 60; ++i) report += "  Mutex M" + std::to_string(i) + " created at:\n";
  const auto trimmed = reports::trim_report(report, "lost_update.cpp", own_lines, 10);
  EXPECT_TRUE(contains(trimmed, "#2 h() /x/lost_update.cpp:7")) << trimmed;  // the address is dropped
  EXPECT_TRUE(contains(trimmed, "#3 k()")) << trimmed;
  EXPECT_TRUE(contains(trimmed, "   1 | int a;")) << trimmed;                    // line 7 is past the file
  EXPECT_TRUE(contains(trimmed, "(2 frames in the libraries)")) << trimmed;     // #0 and #1
  EXPECT_TRUE(contains(trimmed, "more lines)")) << trimmed;
  EXPECT_EQ(std::count(trimmed.begin(), trimmed.end(), '\n'), 11) << trimmed;
}

}  // namespace
}  // namespace conclab
