// A participant's attempt at ipc_deadlock/pipes_both_full, used by harness/tests/exercise_test.cpp:
// both processes read first, then write: still stuck (each waits for the other's end of file).
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

// Reads the peer's snapshot to its end first, then sends ours.
std::string exchange(int to_peer, int from_peer, const std::string& snapshot) {
  std::string received;
  char buffer[65536];
  for (ssize_t n; (n = read(from_peer, buffer, sizeof buffer)) > 0;) received.append(buffer, n);
  for (std::size_t sent = 0; sent < snapshot.size();) {
    const ssize_t n = write(to_peer, snapshot.data() + sent, snapshot.size() - sent);
    if (n < 0) fail("write");
    sent += n;
  }
  close(to_peer);
  return received;
}

int main() {
  int to_child[2], to_parent[2];
  if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(to_parent, O_CLOEXEC) != 0) fail("pipe2");
  const pid_t child = fork();
  if (child < 0) fail("fork");
  if (child == 0) {
    close(to_child[1]);  // each process keeps only its own ends: EOF comes when the peer closes
    close(to_parent[0]);
    const std::string snapshot(kSnapshotBytes, 'c');
    const std::string received = exchange(to_parent[1], to_child[0], snapshot);
    _exit(received == std::string(kSnapshotBytes, 'p') ? 0 : 1);
  }
  close(to_child[0]);
  close(to_parent[1]);
  const std::string snapshot(kSnapshotBytes, 'p');
  const std::string received = exchange(to_child[1], to_parent[0], snapshot);
  close(to_parent[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (int failed = expect_eq(received.size(), kSnapshotBytes, "bytes from the child")) {
    return failed;
  }
  return expect_eq(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0, "child's exit status");
}
