// Bug: a parent and its forked child each write a 1 MiB snapshot into the pipe to the other
//   before reading the other's. A Linux pipe holds 64 KiB: once both are full, each write() waits
//   for a read the other process will do only after its own write. Both block in write() forever,
//   while the parent's logger thread, which touches no pipe, ticks on every 10 ms.
// Symptom: hangs on every run, no schedule needed (16 times what a pipe holds, both ways), and
//   the parent never looks dead: its logger keeps running.
// Fix: exchange() drains while it writes: a reader thread receives the peer's snapshot while the
//   calling thread sends ours, in both processes.
// Tools: no detector looks across processes; conclab's hang explainer finds the cycle of the two
//   writers while the logger runs: an ipc_deadlock under release, TSan and ASan.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <string>
#include <system_error>
#include <thread>

#include "conclab/invariant.hpp"

using conclab::fixture::expect_eq;
using namespace std::chrono_literals;

constexpr long kSnapshotBytes = 1 << 20;

[[noreturn]] void fail(const char* call) {
  throw std::system_error(errno, std::generic_category(), call);
}

// Ticks every 10 ms until told to stop, as a progress logger does; it touches no pipe.
void logger(const std::atomic<bool>& stop, std::atomic<long>& ticks) {
  while (!stop.load()) {
    ticks.fetch_add(1);
    std::this_thread::sleep_for(10ms);
  }
}

// Receives the peer's snapshot until it closes its end.
std::string receive_all(int from_peer) {
  std::string received;
  char buffer[65536];
  for (ssize_t n; (n = read(from_peer, buffer, sizeof buffer)) > 0;) received.append(buffer, n);
  return received;
}

// Sends our snapshot to the peer, then receives the peer's.
std::string exchange(int to_peer, int from_peer, const std::string& snapshot) {
  for (std::size_t sent = 0; sent < snapshot.size();) {
    // Once the pipe is full, write() waits for the peer to read; the peer reads after its write.
    const ssize_t n = write(to_peer, snapshot.data() + sent, snapshot.size() - sent);
    if (n < 0) fail("write");
    sent += n;
  }
  close(to_peer);  // end of file for the peer
  return receive_all(from_peer);
}

int main() {
  int to_child[2], to_parent[2];
  if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(to_parent, O_CLOEXEC) != 0) fail("pipe2");
  const pid_t child = fork();  // before any thread starts: the child may then start its own
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
  std::atomic<bool> stop_logger{false};
  std::atomic<long> ticks{0};
  std::thread log(logger, std::cref(stop_logger), std::ref(ticks));
  const std::string snapshot(kSnapshotBytes, 'p');
  const std::string received = exchange(to_child[1], to_parent[0], snapshot);
  close(to_parent[0]);
  int status = 0;
  waitpid(child, &status, 0);
  stop_logger = true;
  log.join();
  std::printf("logger ticked %ld times\n", ticks.load());
  if (int failed = expect_eq(received.size(), kSnapshotBytes, "bytes from the child")) {
    return failed;
  }
  return expect_eq(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0, "child's exit status");
}
