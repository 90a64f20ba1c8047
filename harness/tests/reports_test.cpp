// The sanitizer-report parsers, on reports that real programs print at test time (built by g++
// and by clang, whose runtimes print different formats) and on hand-made hostile input.
#include "judge/reports.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/outcome.hpp"
#include "run/spawn.hpp"

namespace conclab {
namespace {

// The options the harness gives its children, spelled out so that the *SAN_OPTIONS of whoever
// runs the tests cannot change the reports.
const std::map<std::string, std::string> kSanitizerOptions{
    {"TSAN_OPTIONS", "halt_on_error=0:second_deadlock_stack=1:report_thread_leaks=1"},
    {"ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1"},
    {"LSAN_OPTIONS", ""},
    {"UBSAN_OPTIONS", "print_stacktrace=1"},
};

// Runs the sample built by `compiler` (gcc|clang) and returns its stderr.
std::string sample_stderr(const std::string& compiler, const std::string& sample,
                          std::map<std::string, std::string> env = kSanitizerOptions) {
  RunSpec spec;
  spec.argv = {std::string(CONCLAB_SAMPLES_DIR) + "/" + compiler + "_" + sample};
  spec.env = std::move(env);
  spec.timeout = std::chrono::seconds(60);
  const RunResult run = run_program(spec);
  EXPECT_FALSE(run.timed_out) << spec.argv[0];
  return run.err.text;
}

// "bump()" and "ns::bump(int) const" -> the name before the parameter list.
std::string bare_name(const std::string& function) { return function.substr(0, function.find('(')); }

struct Expected {
  Outcome kind;
  std::string tool;
  std::string sample;    // file name without .cpp
  std::string function;  // the program's own function the first own frame must be in
};

// The first finding has the expected kind and tool, its summary names the sample's file, and its
// first own frame is in the sample's file, in the right function, at a known line.
void expect_report(const std::vector<Finding>& findings, const Expected& expected, const std::string& err) {
  ASSERT_FALSE(findings.empty()) << err;
  const Finding& finding = findings.front();
  EXPECT_EQ(to_string(finding.kind), to_string(expected.kind)) << err;
  EXPECT_EQ(finding.tool, expected.tool);
  const std::string file = expected.sample + ".cpp";
  EXPECT_NE(finding.summary.find("/" + file + ":"), std::string::npos) << finding.summary;
  EXPECT_EQ(finding.summary.find('\n'), std::string::npos);
  const auto own = own_frames(finding.frames, 1);
  ASSERT_EQ(own.size(), 1u) << err;
  EXPECT_TRUE(own.front().file.ends_with("/" + file)) << own.front().file;
  EXPECT_EQ(bare_name(own.front().function), expected.function) << own.front().function;
  EXPECT_GT(own.front().line, 0);
}

void expect_sample(const std::string& compiler, const Expected& expected) {
  const std::string err = sample_stderr(compiler, expected.sample);
  expect_report(reports::parse(err), expected, err);
}

class TsanReport : public ::testing::TestWithParam<std::string> {};
class AsanReport : public ::testing::TestWithParam<std::string> {};
class LsanReport : public ::testing::TestWithParam<std::string> {};
class UbsanReport : public ::testing::TestWithParam<std::string> {};

// Two threads bump a plain int: data_race in bump().
TEST_P(TsanReport, DataRace) {
  expect_sample(GetParam(), {Outcome::data_race, "tsan", "tsan_data_race", "bump"});
}

// a-then-b, later b-then-a: lock_order_inversion at the first acquisition, in lock_ab().
TEST_P(TsanReport, LockOrderInversion) {
  expect_sample(GetParam(), {Outcome::lock_order_inversion, "tsan", "tsan_lock_order", "lock_ab"});
}

// A thread never joined: thread_leak where it was created.
TEST_P(TsanReport, ThreadLeak) {
  expect_sample(GetParam(), {Outcome::thread_leak, "tsan", "tsan_thread_leak", "start_and_forget"});
}

// A null dereference under TSan: a crash that carries SIGSEGV.
TEST_P(TsanReport, Segv) {
  const std::string err = sample_stderr(GetParam(), "tsan_segv");
  const auto findings = reports::parse(err);
  expect_report(findings, {Outcome::crash, "tsan", "tsan_segv", "poke"}, err);
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings.front().signal, SIGSEGV);
}

// Reading a deleted int: heap_use_after_free in read_after_free().
TEST_P(AsanReport, HeapUseAfterFree) {
  expect_sample(GetParam(), {Outcome::heap_use_after_free, "asan", "asan_use_after_free", "read_after_free"});
}

// Reading one past a new[]'d array: heap_buffer_overflow in read_past_end().
TEST_P(AsanReport, HeapBufferOverflow) {
  expect_sample(GetParam(), {Outcome::heap_buffer_overflow, "asan", "asan_heap_overflow", "read_past_end"});
}

// Deleting twice: double_free, its own frame past the runtime's operator delete.
TEST_P(AsanReport, DoubleFree) {
  expect_sample(GetParam(), {Outcome::double_free, "asan", "asan_double_free", "free_twice"});
}

// One leaked int: a single memory_leak finding with LSan's totals and the allocation's stack.
TEST_P(LsanReport, Leak) {
  const std::string err = sample_stderr(GetParam(), "lsan_leak");
  const auto findings = reports::parse(err);
  expect_report(findings, {Outcome::memory_leak, "lsan", "lsan_leak", "make_orphan"}, err);
  EXPECT_EQ(findings.size(), 1u);
  ASSERT_FALSE(findings.empty());
  EXPECT_TRUE(findings.front().summary.starts_with("4 byte(s) leaked in 1 allocation(s)")) << findings.front().summary;
}

// INT_MAX + 1 with print_stacktrace=1: undefined_behavior, frames from the stack.
TEST_P(UbsanReport, SignedOverflowWithStack) {
  const std::string err = sample_stderr(GetParam(), "ubsan_signed_overflow");
  const auto findings = reports::parse(err);
  expect_report(findings, {Outcome::undefined_behavior, "ubsan", "ubsan_signed_overflow", "add"}, err);
  ASSERT_EQ(findings.size(), 1u) << err;
  EXPECT_TRUE(findings.front().summary.starts_with("signed integer overflow: 2147483647 + 1")) << findings.front().summary;
}

// Without a stack, the one frame is the location on the runtime-error line.
TEST_P(UbsanReport, SignedOverflowWithoutStack) {
  auto env = kSanitizerOptions;
  env["UBSAN_OPTIONS"] = "print_stacktrace=0";
  const std::string err = sample_stderr(GetParam(), "ubsan_signed_overflow", env);
  const auto findings = reports::parse(err);
  ASSERT_EQ(findings.size(), 1u) << err;
  ASSERT_EQ(findings.front().frames.size(), 1u) << err;
  const Frame& place = findings.front().frames.front();
  EXPECT_TRUE(place.file.ends_with("/ubsan_signed_overflow.cpp")) << place.file;
  EXPECT_EQ(place.line, 4);
  EXPECT_NE(findings.front().summary.find("/ubsan_signed_overflow.cpp:4"), std::string::npos);
}

// Test names end in /gcc or /clang rather than /0 or /1.
std::string compiler_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Compilers, TsanReport, ::testing::Values("gcc", "clang"), compiler_name);
INSTANTIATE_TEST_SUITE_P(Compilers, AsanReport, ::testing::Values("gcc", "clang"), compiler_name);
INSTANTIATE_TEST_SUITE_P(Compilers, LsanReport, ::testing::Values("gcc", "clang"), compiler_name);
INSTANTIATE_TEST_SUITE_P(Compilers, UbsanReport, ::testing::Values("gcc", "clang"), compiler_name);

// A g++ TSan race report as printed on Debian 12, shortened.
constexpr std::string_view kTsanRace = R"(==================
WARNING: ThreadSanitizer: data race (pid=3231)
  Read of size 4 at 0x55c6a2b3c094 by thread T2:
    #0 bump() /tmp/t/race.cpp:3 (g_race+0x1236)
    #1 void std::__invoke_impl<void, void (*)()>(std::__invoke_other, void (*&&)()) /usr/include/c++/12/bits/invoke.h:61 (g_race+0x1370)
    #2 <null> <null> (libstdc++.so.6+0xd44a2)

  Previous write of size 4 at 0x55c6a2b3c094 by thread T1:
    #0 bump() /tmp/t/race.cpp:3 (g_race+0x125a)

  Location is global 'counter' of size 4 at 0x55c6a2b3c094 (g_race+0x4094)

SUMMARY: ThreadSanitizer: data race /tmp/t/race.cpp:3 in bump()
==================
ThreadSanitizer: reported 1 warnings
)";

bool valid_utf8_without_controls(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return false;
    const std::size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

// Nothing printed, nothing found.
TEST(ReportParser, EmptyText) {
  EXPECT_TRUE(reports::parse("").empty());
  EXPECT_TRUE(reports::parse_program_markers("").empty());
}

// Random bytes, NULs and malformed UTF-8, alone and around report fragments: no crash, and what
// comes out is printable one-line text.
TEST(ReportParser, GarbageBytes) {
  std::mt19937 random(20240601);
  const std::vector<std::string> fragments{"WARNING: ThreadSanitizer: ", "ERROR: AddressSanitizer: ", ": runtime error: ",
                                           "    #0 ", " (", "+0x", "(BuildId: ", ":12:", "SUMMARY: ", "\n", "#1 0x"};
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const int pieces = static_cast<int>(random() % 200);
    for (int i = 0; i < pieces; ++i) {
      if (random() % 3 == 0) text += fragments[random() % fragments.size()];
      else text += static_cast<char>(random() % 256);
    }
    text += std::string("\0\xff\xfe\xc0\x80\xed\xa0\x80", 8);
    for (const Finding& finding : reports::parse(text)) {
      EXPECT_TRUE(valid_utf8_without_controls(finding.summary));
      for (const Frame& frame : finding.frames) EXPECT_TRUE(valid_utf8_without_controls(frame.function));
    }
    for (const Finding& finding : reports::parse_program_markers(text))
      EXPECT_TRUE(valid_utf8_without_controls(finding.summary));
  }
}

// A report cut at any byte: once its header line is whole, it is one data_race finding.
TEST(ReportParser, TruncatedReport) {
  const auto header_end = kTsanRace.find('\n', kTsanRace.find("WARNING")) + 1;
  for (std::size_t cut = 0; cut <= kTsanRace.size(); ++cut) {
    const auto findings = reports::parse(kTsanRace.substr(0, cut));
    if (cut < header_end - 1) continue;  // no header yet, or only part of it
    ASSERT_EQ(findings.size(), 1u) << "cut at " << cut;
    EXPECT_EQ(findings.front().kind, Outcome::data_race);
  }
  const auto mid_stack = kTsanRace.substr(0, kTsanRace.find("#1 void std::"));
  const auto findings = reports::parse(mid_stack);
  ASSERT_EQ(findings.size(), 1u);
  ASSERT_EQ(findings.front().frames.size(), 1u);
  EXPECT_EQ(findings.front().summary, "data race /tmp/t/race.cpp:3 in bump()");
}

// 1 MiB lines: as program output before a report, as a function name, as a UBSan message.
// Each is read in bounded time and gives bounded summaries.
TEST(ReportParser, HugeLines) {
  const std::string huge(1u << 20, '(');
  const auto start = std::chrono::steady_clock::now();
  const auto after_output = reports::parse(huge + "\n" + std::string(kTsanRace));
  const auto long_frame = reports::parse("WARNING: ThreadSanitizer: data race (pid=1)\n    #0 " + huge + " (x+0x1) (BuildId: " + huge + ")\n");
  const auto long_message = reports::parse("/src/a.cpp:1:2: runtime error: " + huge + "\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_EQ(after_output.size(), 1u);
  EXPECT_EQ(after_output.front().kind, Outcome::data_race);
  ASSERT_EQ(long_frame.size(), 1u);
  EXPECT_EQ(long_frame.front().frames.size(), 1u);
  EXPECT_EQ(long_frame.front().summary, "data race");
  ASSERT_EQ(long_message.size(), 1u);
  EXPECT_LT(long_message.front().summary.size(), 1100u);
}

// Found while fuzzing (harness/fuzz): an own frame's long path and a longer SUMMARY line of the
// same byte. The summary looked for "<path>:" in the whole SUMMARY line, which is quadratic: a
// few MiB of such stderr kept conclab busy for minutes.
TEST(ReportParser, LongPathInLongSummary) {
  const std::string path(1u << 20, 'A');
  const auto findings = reports::parse("WARNING: ThreadSanitizer: data race (pid=1)\n    #0 f " + path +
                                       ":1 (m+0x1)\n\nSUMMARY: ThreadSanitizer: " + std::string(2u << 20, 'A') + "\n");
  ASSERT_EQ(findings.size(), 1u);  // the quadratic search made this take minutes: the ctest time limit
                                   // catches a return of it, no timing is asserted here
  EXPECT_EQ(findings.front().kind, Outcome::data_race);
  EXPECT_LT(findings.front().summary.size(), 1100u);
}

// Program lines between reports and inside one: each report is still read whole.
TEST(ReportParser, InterleavedProgramOutput) {
  const std::string text = "worker 1 done\n" + std::string(kTsanRace) +
                           "progress: 50%\n"
                           "=================================================================\n"
                           "==77==ERROR: AddressSanitizer: heap-use-after-free on address 0x602 at pc 0x5 bp 0x7 sp 0x7\n"
                           "worker 2 says hi\n"
                           "READ of size 4 at 0x602000000010 thread T0\n"
                           "    #0 0x5653818902a7 in read_after_free() /src/uaf.cpp:4:10\n"
                           "    #1 0x5653818902d2 in main /src/uaf.cpp:9\n"
                           "\n"
                           "SUMMARY: AddressSanitizer: heap-use-after-free /src/uaf.cpp:4:10 in read_after_free()\n"
                           "bye\n";
  const auto findings = reports::parse(text);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].kind, Outcome::data_race);
  EXPECT_EQ(findings[1].kind, Outcome::heap_use_after_free);
  EXPECT_EQ(findings[1].summary, "heap-use-after-free /src/uaf.cpp:4:10 in read_after_free()");
  ASSERT_EQ(findings[1].frames.size(), 2u);
  EXPECT_EQ(findings[1].frames[0].line, 4);
}

// The header line of each report kind, and the outcome (and signal) it maps to.
TEST(ReportParser, KindMapping) {
  struct Case {
    std::string header;
    Outcome kind;
    std::optional<int> signal;
  };
  const std::vector<Case> cases{
      {"WARNING: ThreadSanitizer: data race on vptr (ctor/dtor vs virtual call) (pid=1)", Outcome::data_race, {}},
      {"WARNING: ThreadSanitizer: heap-use-after-free (virtual call vs free) (pid=1)", Outcome::heap_use_after_free, {}},
      {"WARNING: ThreadSanitizer: signal-unsafe call inside of a signal (pid=1)", Outcome::signal_unsafe_call, {}},
      {"WARNING: ThreadSanitizer: signal handler spoils errno (pid=1)", Outcome::signal_unsafe_call, {}},
      {"WARNING: ThreadSanitizer: unlock of an unlocked mutex (or by a wrong thread) (pid=1)", Outcome::mutex_misuse, {}},
      {"WARNING: ThreadSanitizer: destroy of a locked mutex (pid=1)", Outcome::mutex_misuse, {}},
      {"WARNING: ThreadSanitizer: double lock of a mutex (pid=1)", Outcome::mutex_misuse, {}},
      {"WARNING: ThreadSanitizer: read lock of a write locked mutex (pid=1)", Outcome::mutex_misuse, {}},
      {"WARNING: ThreadSanitizer: use of an invalid mutex (e.g. uninitialized or destroyed) (pid=1)", Outcome::mutex_misuse, {}},
      {"==9==ERROR: ThreadSanitizer: BUS on unknown address 0x1 (pc 0x2 bp 0x3 sp 0x4 T9)", Outcome::crash, SIGBUS},
      {"==9==ERROR: AddressSanitizer: stack-buffer-overflow on address 0x1 at pc 0x2", Outcome::stack_buffer_overflow, {}},
      {"==9==ERROR: AddressSanitizer: global-buffer-overflow on address 0x1 at pc 0x2", Outcome::global_buffer_overflow, {}},
      {"==9==ERROR: AddressSanitizer: stack-use-after-return on address 0x1 at pc 0x2", Outcome::stack_use_after_return, {}},
      {"==9==ERROR: AddressSanitizer: stack-use-after-scope on address 0x1 at pc 0x2", Outcome::stack_use_after_scope, {}},
      {"==9==ERROR: AddressSanitizer: stack-overflow on address 0x1 (pc 0x2 bp 0x3 sp 0x4 T0)", Outcome::memory_error, {}},
      {"==9==ERROR: AddressSanitizer: alloc-dealloc-mismatch (operator new [] vs operator delete) on 0x1", Outcome::memory_error, {}},
      {"==9==ERROR: AddressSanitizer: FPE on unknown address 0x1 (pc 0x2 bp 0x3 sp 0x4 T0)", Outcome::crash, SIGFPE},
      {"==9==ERROR: AddressSanitizer: ABRT on unknown address 0x1 (pc 0x2 bp 0x3 sp 0x4 T0)", Outcome::crash, SIGABRT},
      {"==9==ERROR: UndefinedBehaviorSanitizer: ILL on unknown address 0x1 (pc 0x2 bp 0x3 sp 0x4 T0)", Outcome::crash, SIGILL},
      {"<unknown>: runtime error: load of misaligned address", Outcome::undefined_behavior, {}},
  };
  for (const auto& c : cases) {
    const auto findings = reports::parse(c.header + "\n");
    ASSERT_EQ(findings.size(), 1u) << c.header;
    EXPECT_EQ(to_string(findings.front().kind), to_string(c.kind)) << c.header;
    EXPECT_EQ(findings.front().signal, c.signal) << c.header;
  }
}

// Stack lines of every format seen: function names with spaces and parentheses, modules, BuildIds.
TEST(ReportParser, FrameFormats) {
  const auto findings = reports::parse(
      "WARNING: ThreadSanitizer: data race (pid=1)\n"
      "    #0 main::$_0::operator()() const /tmp/t/race.cpp:3:32 (c_race+0xd44af) (BuildId: 4bb3aa)\n"
      "    #1 std::thread::_M_start_thread(std::unique_ptr<std::thread::_State>, void (*)()) <null> (libstdc++.so.6+0xd4578)\n"
      "    #2 0x55d1a in foo() /path/file.cpp:12:5\n"
      "    #3 0x7f12 in __libc_start_main (/lib/x86_64-linux-gnu/libc.so.6+0x27249)\n"
      "    #4 0x4c in __interceptor_free ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52\n"
      "    #5 0x7f13 (/lib/x86_64-linux-gnu/libc.so.6+0x29d90)\n"
      "    #6 <null> <null> (0x7f0000001)\n");
  ASSERT_EQ(findings.size(), 1u);
  const auto& frames = findings.front().frames;
  ASSERT_EQ(frames.size(), 7u);
  EXPECT_EQ(frames[0].function, "main::$_0::operator()() const");
  EXPECT_EQ(frames[0].file, "/tmp/t/race.cpp");
  EXPECT_EQ(frames[0].line, 3);
  EXPECT_EQ(frames[0].module, "c_race");
  EXPECT_EQ(frames[1].function, "std::thread::_M_start_thread(std::unique_ptr<std::thread::_State>, void (*)())");
  EXPECT_EQ(frames[1].file, "");
  EXPECT_EQ(frames[1].module, "libstdc++.so.6");
  EXPECT_EQ(frames[2].function, "foo()");
  EXPECT_EQ(frames[2].file, "/path/file.cpp");
  EXPECT_EQ(frames[2].line, 12);
  EXPECT_EQ(frames[3].function, "__libc_start_main");
  EXPECT_EQ(frames[3].module, "libc.so.6");
  EXPECT_EQ(frames[4].file, "../../../../src/libsanitizer/asan/asan_malloc_linux.cpp");
  EXPECT_EQ(frames[4].line, 52);
  EXPECT_EQ(frames[5].function, "");
  EXPECT_EQ(frames[5].module, "libc.so.6");
  EXPECT_EQ(frames[6].function, "");
  EXPECT_EQ(frames[6].module, "");
}

// A hand-made leak report: one finding for all its leaks, the first leak's stack.
TEST(ReportParser, LeakTotals) {
  const auto findings = reports::parse(
      "==5==ERROR: LeakSanitizer: detected memory leaks\n\n"
      "Direct leak of 8 byte(s) in 1 object(s) allocated from:\n"
      "    #0 0x7fa0610b94c8 in operator new(unsigned long) ../../../../src/libsanitizer/asan/asan_new_delete.cpp:95\n"
      "    #1 0x55a46f10a196 in make() /src/leak.cpp:2\n\n"
      "Indirect leak of 4 byte(s) in 1 object(s) allocated from:\n"
      "    #0 0x7fa0610b94c8 in operator new(unsigned long) ../../../../src/libsanitizer/asan/asan_new_delete.cpp:95\n"
      "    #1 0x55a46f10a1a0 in other() /src/leak.cpp:7\n\n"
      "SUMMARY: AddressSanitizer: 12 byte(s) leaked in 2 allocation(s).\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings.front().kind, Outcome::memory_leak);
  EXPECT_EQ(findings.front().summary, "12 byte(s) leaked in 2 allocation(s) /src/leak.cpp:2 in make()");
  EXPECT_EQ(findings.front().frames.size(), 2u);
}

// The program's own marker, in any stream, becomes wrong_result with the program's words.
TEST(ProgramMarkers, WrongResult) {
  const auto findings = reports::parse_program_markers(
      "starting\nCONCLAB_WRONG_RESULT: counter: expected 2000, got 1987\r\nother\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings.front().kind, Outcome::wrong_result);
  EXPECT_EQ(findings.front().tool, "program");
  EXPECT_EQ(findings.front().summary, "counter: expected 2000, got 1987");
  EXPECT_TRUE(reports::parse("CONCLAB_WRONG_RESULT: x\n").empty());  // parse() is for the sanitizers only
}

}  // namespace
}  // namespace conclab
