// A participant's attempt at ipc_deadlock/pipes_both_full, used by harness/tests/exercise_test.cpp:
// the real fix, the participant's own way: poll(2) on both pipes, a non-blocking write end.
#include <fcntl.h>
#include <poll.h>
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

// Sends our snapshot to the peer while receiving the peer's, until it closes its end. Whichever
// pipe is ready gets served, so a full pipe to the peer never keeps us from draining its pipe.
std::string exchange(int to_peer, int from_peer, const std::string& snapshot) {
  fcntl(to_peer, F_SETFL, O_NONBLOCK);  // write() takes what fits and returns, never waits
  std::string received;
  char buffer[65536];
  std::size_t sent = 0;
  pollfd pipes[2] = {{to_peer, POLLOUT, 0}, {from_peer, POLLIN, 0}};  // fd -1: done, ignored
  while (pipes[0].fd >= 0 || pipes[1].fd >= 0) {
    if (poll(pipes, 2, -1) < 0) fail("poll");
    if (pipes[0].revents != 0) {
      const ssize_t n = write(to_peer, snapshot.data() + sent, snapshot.size() - sent);
      if (n < 0 && errno != EAGAIN) fail("write");
      if (n > 0) sent += n;
      if (sent == snapshot.size()) {
        close(to_peer);  // end of file for the peer
        pipes[0].fd = -1;
      }
    }
    if (pipes[1].revents != 0) {
      const ssize_t n = read(from_peer, buffer, sizeof buffer);
      if (n < 0) fail("read");
      if (n == 0) pipes[1].fd = -1;  // the peer closed its end: all received
      else received.append(buffer, n);
    }
  }
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
