// A GoogleTest suite built with TSan, for `conclab run --gtest`: one test races, one fails, one is
// clean, one skips itself, one is disabled, a parameterized pair is clean, one ends the process in
// its middle (exit status 0), and one suite's set-up fails outside any test body.
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

namespace {

long balance = 0;  // Ledger.Racy's two threads add to it without a lock

void deposit() {
  for (int i = 0; i < 1000; ++i) balance += 1;
}

TEST(Ledger, Racy) {
  std::thread a(deposit), b(deposit);
  a.join();
  b.join();
  EXPECT_GT(balance, 0);
}

TEST(Ledger, Failing) {
  const long fees = 40 + 2;
  EXPECT_EQ(fees, 40) << "the fee table lost an entry";
}

TEST(Ledger, Clean) {
  long total = 0;
  std::thread t([&total] { total = 7; });
  t.join();
  EXPECT_EQ(total, 7);
}

TEST(Ledger, Skipped) { GTEST_SKIP() << "needs a network"; }

TEST(Ledger, DISABLED_NeverRuns) { FAIL() << "a disabled test ran"; }

TEST(Ledger, ExitsEarly) {
  EXPECT_EQ(balance, -1) << "an overdraft was expected";
  std::_Exit(0);  // GoogleTest never gets to say the test failed
}

class Audit : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { FAIL() << "the audit log could not be opened"; }
};
TEST_F(Audit, Opens) { SUCCEED(); }

class Sizes : public ::testing::TestWithParam<int> {};
TEST_P(Sizes, Positive) { EXPECT_GE(GetParam(), 0); }
INSTANTIATE_TEST_SUITE_P(Small, Sizes, ::testing::Values(0, 1));

}  // namespace
