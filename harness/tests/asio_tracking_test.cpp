// loop_stall (judge/asio_tracking.hpp): Asio's handler tracking read as handlers that held the
// event loop while others waited; and a real Asio program, run as conclab runs any program.
#include <gtest/gtest.h>

#include "judge/asio_tracking.hpp"
#include "judge/verdict.hpp"
#include "run/spawn.hpp"
#include "test_support.hpp"

namespace conclab {
namespace {

// A timer created at .000 waits while handler 2 runs from .010 to .410; handler 4 is slow too, but
// nothing waits for it; handler 5 takes 50 ms.
constexpr const char* kTracking =
    "@asio|1700000000.000000|0*1|deadline_timer@0x7ffd1.async_wait\n"
    "@asio|1700000000.001000|0*2|io_context@0x7ffd2.post\n"
    "@asio|1700000000.010000|>2|\n"
    "request started\n"
    "@asio|1700000000.410000|<2|\n"
    "@asio|1700000000.410100|>1|ec=system:0\n"
    "@asio|1700000000.410200|1*4|io_context@0x7ffd2.post\n"
    "@asio|1700000000.410300|1*5|io_context@0x7ffd2.post\n"
    "@asio|1700000000.410400|<1|\n"
    "@asio|1700000000.410500|>5|\n"
    "@asio|1700000000.460500|<5|\n"
    "@asio|1700000000.460600|>4|\n"
    "@asio|1700000000.960600|<4|\n";

TEST(AsioTracking, ASlowHandlerWithOthersWaitingIsAStall) {
  const auto slow = reports::slow_handlers(kTracking, 100);
  ASSERT_EQ(slow.size(), 1u);
  EXPECT_EQ(slow[0].id, "2");
  EXPECT_EQ(slow[0].operation, "io_context@0x7ffd2.post");
  EXPECT_NEAR(slow[0].duration_ms(), 400, 0.01);
  EXPECT_EQ(slow[0].waiting, 1);  // the timer's handler; 4 was created after 2 left
  const auto findings = reports::parse_loop_stalls(kTracking, 100);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, Outcome::loop_stall);
  EXPECT_EQ(findings[0].summary,
            "handler 2 (io_context@0x7ffd2.post) ran 400 ms (limit 100 ms) while 1 other handler waited");
  // A lower limit names handler 4 as well? No: nothing waited for it. Handler 5 (50 ms) did hold 4.
  const auto lower = reports::slow_handlers(kTracking, 40);
  ASSERT_EQ(lower.size(), 2u);
  EXPECT_EQ(lower[1].id, "5");
  EXPECT_TRUE(reports::slow_handlers(kTracking, 1000).empty());
}

TEST(AsioTracking, OtherTextAndMalformedLinesAreSkipped) {
  EXPECT_TRUE(reports::parse_loop_stalls("no tracking here\n", 100).empty());
  EXPECT_TRUE(reports::parse_loop_stalls("", 100).empty());
  const std::string broken = "@asio|\n@asio|x|>1|\n@asio|1.0|>|\n@asio|1.0|>a|\n@asio|1.0|*1|\n@asio|-1.0|>1|\n"
                             "@asio|1.0|>1|\n@asio|99.0|<1|\n";  // 1 runs 98 s, nobody created to wait
  EXPECT_TRUE(reports::parse_loop_stalls(broken, 100).empty());
  EXPECT_TRUE(reports::slow_handlers(std::string(1 << 20, '|'), 1).empty());
}

// The judge reads the stalls from a run's stderr with the run's limit; loop_stall outranks a timeout
// (it says why the program ran out of time).
TEST(AsioTracking, ClassifyUsesTheRunsLimit) {
  RunResult run;
  run.exit_code = 0;
  run.err.text = kTracking;
  run.loop_stall_ms = 100;
  EXPECT_EQ(classify(run).outcome, Outcome::loop_stall);
  run.loop_stall_ms = 500;
  EXPECT_EQ(classify(run).outcome, Outcome::clean);
  run.loop_stall_ms = 100;
  run.timed_out = true;
  EXPECT_EQ(classify(run).outcome, Outcome::loop_stall);
}

RunResult run_loop(const char* mode) {
  RunSpec spec;
  spec.argv = {testing::program("asio_stall"), mode};
  spec.timeout = std::chrono::seconds(30);
  return run_program(spec);
}

// A real loop: blocking 300 ms in a handler while a timer ticks is a stall; the same work handed to a
// pool is not, nor a slow handler with nothing else scheduled.
TEST(AsioTracking, RealLoopStallsOnlyWhenSomethingWaits) {
  const auto stalled = run_loop("stall");
  const auto j = classify(stalled);
  EXPECT_EQ(j.outcome, Outcome::loop_stall) << stalled.err.text.substr(0, 2000);
  ASSERT_FALSE(j.findings.empty());
  EXPECT_NE(j.findings[0].summary.find("io_context@"), std::string::npos) << j.findings[0].summary;
  EXPECT_EQ(classify(run_loop("offload")).outcome, Outcome::clean);
  EXPECT_EQ(classify(run_loop("quiet")).outcome, Outcome::clean);
}

// A loop in epoll_wait whose timer wakes it every 10 ms, beside an idle pool thread, is not stuck:
// each wake is progress though it uses less CPU than a clock tick (judged a hang 4 times in 25
// before the whole-tree check also counted times scheduled).
TEST(AsioTracking, ATickingLoopBesideAnIdlePoolIsNoHang) {
  const auto run = run_loop("ticks");
  EXPECT_FALSE(run.hang.has_value()) << run.err.text.substr(0, 500);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.text.find("100 ticks"), std::string::npos);
}

}  // namespace
}  // namespace conclab
