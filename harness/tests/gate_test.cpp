// The gate's soft limit on a loaded machine: past the limit a wait goes on while the program is
// busy (an opener kept off the CPU is runnable, not blocked), and gives up once it is stalled.
// Each scenario runs as its own process group, as the harness runs a case (gate_probe.cpp).
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "run/spawn.hpp"
#include "test_support.hpp"

namespace conclab {
namespace {

struct Waited {
  int opened = -1;
  long ms = -1;
};

Waited probe(const std::string& scenario) {
  RunSpec spec;
  spec.argv = {testing::program("gate_probe"), scenario};
  spec.timeout = std::chrono::seconds(60);
  const auto run = run_program(spec);
  EXPECT_EQ(run.exit_code, 0) << run.out.text << run.err.text;
  std::smatch m;
  if (!std::regex_search(run.out.text, m, std::regex(R"(opened=(\d) waited_ms=(\d+))"))) {
    ADD_FAILURE() << "no result from gate_probe " << scenario << ": " << run.out.text << run.err.text;
    return {};
  }
  return {std::stoi(m[1]), std::stol(m[2])};
}

// An opener blocked on a lock the waiter holds (a fixed variant's case): the wait gives up at its
// 100 ms limit, long before the hard limit of ten times that.
TEST(GateLimit, GivesUpWhenTheOpenerIsBlocked) {
  const auto w = probe("blocked");
  EXPECT_EQ(w.opened, 0);
  EXPECT_GE(w.ms, 100);
  EXPECT_LT(w.ms, 1000) << "waited for the hard limit: the blocked opener was taken for busy";
}

// An opener that is still running when the 50 ms limit passes is waited for: it opens at 400 ms.
TEST(GateLimit, OutlastsTheLimitWhileTheOpenerRuns) {
  const auto w = probe("busy");
  EXPECT_EQ(w.opened, 1);
  EXPECT_GE(w.ms, 50);
}

// The same with the opener in a forked worker process (gates in shared memory).
TEST(GateLimit, OutlastsTheLimitWhileAWorkerProcessRuns) {
  const auto w = probe("forked");
  EXPECT_EQ(w.opened, 1);
}

// An opener that runs forever never opens: the wait ends at ten times its 50 ms limit.
TEST(GateLimit, GivesUpAtTheHardLimitWhenTheOpenerNeverStops) {
  const auto w = probe("endless");
  EXPECT_EQ(w.opened, 0);
  EXPECT_GE(w.ms, 500);
}

// A zero limit only looks: a closed gate answers false (no opener exists to wait for).
TEST(GateLimit, ZeroLimitOnlyLooks) { EXPECT_EQ(probe("look").opened, 0); }

}  // namespace
}  // namespace conclab
