// Bug: a parent and its child each send a 1 MiB snapshot through the pipe to the other, then read
//   the other's. A Linux pipe holds 64 KiB: once both pipes are full, each write() waits for a
//   read the other process will do only after its own write. Both block in write() forever.
// Symptom: hangs on every run, no schedule needed (16 times what a pipe holds, both ways).
// Fix: exchange() sends and receives at once: a non-blocking write end and poll(2) on both pipes.
// Tools: no detector looks across processes; conclab reports an ipc_deadlock under all three.
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

// Sends our snapshot to the peer, then receives the peer's, until it closes its end.
std::string exchange(int to_peer, int from_peer, const std::string& snapshot) {
  for (std::size_t sent = 0; sent < snapshot.size();) {
    // Once the pipe is full, write() waits for the peer to read; the peer reads after its write.
    const ssize_t n = write(to_peer, snapshot.data() + sent, snapshot.size() - sent);
    if (n < 0) fail("write");
    sent += n;
  }
  close(to_peer);  // end of file for the peer
  std::string received;
  char buffer[65536];
  for (ssize_t n; (n = read(from_peer, buffer, sizeof buffer)) > 0;) received.append(buffer, n);
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
