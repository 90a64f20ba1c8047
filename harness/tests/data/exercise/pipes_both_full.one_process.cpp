// A participant's attempt at ipc_deadlock/pipes_both_full, used by harness/tests/exercise_test.cpp:
// the child is gone: no deadlock, but no second process either.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "conclab/invariant.hpp"

using conclab::fixture::expect_eq;

constexpr long kSnapshotBytes = 1 << 20;

[[noreturn]] void fail(const char* call) {
  throw std::system_error(errno, std::generic_category(), call);
}

int main() {
  // No child any more: "receive" what the child would have sent. Nothing can block now, and
  // nothing is exchanged either.
  const std::string snapshot(kSnapshotBytes, 'p');
  const std::string received(kSnapshotBytes, 'c');
  if (int failed = expect_eq(received.size(), kSnapshotBytes, "bytes from the child")) {
    return failed;
  }
  return expect_eq(snapshot.size() == received.size() ? 0 : 1, 0, "child's exit status");
}
