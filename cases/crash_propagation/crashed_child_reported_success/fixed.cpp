// Bug: the importer reads each worker's wait status with WEXITSTATUS() alone. A worker killed by a
//   signal never exited: its status holds the signal number, and the exit-code bits read 0.
// Symptom: record 2 is malformed and its worker dies of SIGABRT (an uncaught exception), yet every
//   run reports "4 imported, 0 failed".
// Fix: ask WIFSIGNALED() first and count the death as a failure, naming WTERMSIG().
// Tools: nothing for a detector to see; conclab reports the importer's own check (wrong_result).
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>

#include "conclab/invariant.hpp"

constexpr int kRecords = 4;
const char* const kQuantities[kRecords] = {"12", "7", "x9", "30"};  // record 2 is malformed
constexpr int kMalformed = 1;

[[noreturn]] void fail(const char* call) {
  throw std::system_error(errno, std::generic_category(), call);
}

// Runs in the child: imports one record. std::stoi throws std::invalid_argument on "x9", nothing
// catches it, and std::terminate() calls abort(): the worker dies of SIGABRT.
[[noreturn]] void import_record(const char* quantity) {
  const int parsed = std::stoi(quantity);
  _exit(parsed > 0 ? 0 : 1);  // 1: a quantity the importer rejects
}

int main() {
  pid_t workers[kRecords];
  for (int record = 0; record < kRecords; ++record) {
    workers[record] = fork();
    if (workers[record] < 0) fail("fork");
    if (workers[record] == 0) import_record(kQuantities[record]);
  }
  int imported = 0, failed = 0;
  for (int record = 0; record < kRecords; ++record) {
    int status = 0;
    if (waitpid(workers[record], &status, 0) < 0) fail("waitpid");
    if (WIFSIGNALED(status)) {  // killed: no exit code at all
      std::printf("record %d: worker died of SIG%s\n", record, sigabbrev_np(WTERMSIG(status)));
      ++failed;
      continue;
    }
    const int exit_code = WEXITSTATUS(status);  // WIFEXITED(status) now: without WUNTRACED, no stops
    std::printf("record %d: worker exited with %d\n", record, exit_code);
    ++(exit_code == 0 ? imported : failed);
  }
  std::printf("%d imported, %d failed\n", imported, failed);
  return conclab::fixture::expect_eq(failed, kMalformed, "records that failed to import");
}
