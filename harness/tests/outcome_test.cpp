// The outcome vocabulary (outcome.hpp): names, priorities, signal names, and which frames are the
// program's own (what conclab shows first and fingerprints).
#include <gtest/gtest.h>

#include <csignal>
#include <vector>

#include "core/outcome.hpp"

namespace conclab {
namespace {

// Library, runtime and unsymbolized frames are skipped, clang's roundabout header paths included,
// and GoogleTest's own sources built into a test binary.
TEST(OwnFrames, SkipsLibraries) {
  const std::vector<Frame> frames{
      {"pthread_mutex_lock", "", 0, "c_lo"},
      {"__gthread_mutex_lock(pthread_mutex_t*)",
       "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/x86_64-linux-gnu/c++/12/bits/gthr-default.h", 749,
       "c_lo"},
      {"void std::__invoke_impl<void, void (*)()>()",
       "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/bits/invoke.h", 61, "c_lo"},
      {"operator new(unsigned long)", "../../../../src/libsanitizer/asan/asan_new_delete.cpp", 95, ""},
      {"std::mutex::lock()", "/src/lock.cpp", 10, ""},
      {"helper()", "/src/lib.cpp", 4, "libstdc++.so.6"},
      {"__libc_start_call_main", "csu/../sysdeps/nptl/libc_start_call_main.h", 58, "libc.so.6"},
      {"lock_ab()", "/src/lock.cpp", 3, "c_lo"},
      {"void testing::internal::HandleExceptionsInMethodIfSupported<testing::Test, void>()",
       "/usr/src/googletest/googletest/src/gtest.cc", 2635, "c_lo"},
      {"testing::Test::Run()", "/work/third_party/googletest/googletest/src/gtest.cc", 2680, "c_lo"},
      {"main", "/src/lock.cpp", 5, "c_lo"},
      {"<null>", "<null>", 0, ""},
  };
  const auto own = own_frames(frames);
  ASSERT_EQ(own.size(), 2u);
  EXPECT_EQ(own[0].function, "lock_ab()");
  EXPECT_EQ(own[1].function, "main");
  EXPECT_EQ(own_frames(frames, 1).size(), 1u);
  EXPECT_TRUE(own_frames(frames, 0).empty());
}

// Every outcome's name reads back as that outcome; unknown names do not.
TEST(OutcomeNames, RoundTrip) {
  EXPECT_EQ(all_outcomes().size(), 29u);
  for (Outcome outcome : all_outcomes()) EXPECT_EQ(outcome_from_string(to_string(outcome)), outcome);
  EXPECT_EQ(to_string(Outcome::heap_use_after_free), "heap_use_after_free");
  EXPECT_FALSE(outcome_from_string("data-race").has_value());
  EXPECT_FALSE(outcome_from_string("").has_value());
}

// Groups from highest to lowest; outcomes in one group rank alike.
TEST(OutcomePriority, Order) {
  const std::vector<std::vector<Outcome>> groups{
      {Outcome::tool_error},
      {Outcome::deadlock, Outcome::ipc_deadlock, Outcome::hang},
      {Outcome::heap_use_after_free, Outcome::double_free, Outcome::heap_buffer_overflow, Outcome::stack_buffer_overflow,
       Outcome::global_buffer_overflow, Outcome::stack_use_after_return, Outcome::stack_use_after_scope,
       Outcome::memory_error},
      {Outcome::data_race}, {Outcome::lock_order_inversion, Outcome::thread_safety_warning, Outcome::lint_warning}, {Outcome::mutex_misuse}, {Outcome::signal_unsafe_call},
      {Outcome::undefined_behavior}, {Outcome::crash}, {Outcome::loop_stall}, {Outcome::timeout}, {Outcome::thread_leak, Outcome::orphan_process},
      {Outcome::memory_leak, Outcome::ipc_leak}, {Outcome::wrong_result}, {Outcome::exit_nonzero}, {Outcome::clean},
  };
  std::size_t listed = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    listed += groups[g].size();
    for (Outcome outcome : groups[g]) {
      EXPECT_EQ(priority(outcome), priority(groups[g].front())) << to_string(outcome);
      if (g + 1 < groups.size()) {
        EXPECT_GT(priority(outcome), priority(groups[g + 1].front())) << to_string(outcome);
      }
    }
  }
  EXPECT_EQ(listed, all_outcomes().size());
}

// Signal numbers by their usual names; numbers without one still get a name.
TEST(SignalName, KnownAndUnknown) {
  EXPECT_EQ(signal_name(11), "SIGSEGV");
  EXPECT_EQ(signal_name(SIGABRT), "SIGABRT");
  EXPECT_EQ(signal_name(42), "SIG42");
}

}  // namespace
}  // namespace conclab
