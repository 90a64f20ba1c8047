// Bug: import jobs append to a shared ledger under a host-wide lock, a named POSIX semaphore.
//   Job 2's record is corrupt: std::stol throws, nothing catches it, and the job dies of SIGABRT
//   between sem_wait and sem_post. Nobody ever posts the semaphore again: job 3 waits forever.
// Symptom: "import 2 died of SIGABRT", then job 3 and the supervisor hang, every run.
// Fix: flock(2) on the ledger: the kernel releases the lock when its holder dies.
// Tools: no detector sees it (the lock is a counter in shared memory, not a mutex with an
//   owner); conclab reports a hang: job 3 waits on a futex that nobody alive will post.
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process/v2.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "conclab/invariant.hpp"
#include "conclab/ipc.hpp"

namespace bp = boost::process::v2;
using conclab::fixture::expect_eq;

constexpr int kJobs = 4;
const char* const kRecords[kJobs] = {"120", "75", "n/a", "30"};  // job 2's record is corrupt

[[noreturn]] void fail(const char* call) {
  throw std::system_error(errno, std::generic_category(), call);
}

const std::filesystem::path kLedger = conclab::fixture::run_temp_path("ledger.txt");

// One import job: parses its record and appends it to the ledger, under the ledger's lock.
int run_import(int job) {
  const int ledger = open(kLedger.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (ledger < 0 || flock(ledger, LOCK_EX) != 0) fail("open/flock");  // released if we die
  const long amount = std::stol(kRecords[job]);  // "n/a": throws; uncaught, that is SIGABRT
  const std::string line = std::to_string(job) + " " + std::to_string(amount) + "\n";
  if (write(ledger, line.data(), line.size()) < 0) return 1;
  close(ledger);  // releases the lock
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--import") == 0) return run_import(std::atoi(argv[2]));
  std::filesystem::remove(kLedger);  // a fresh ledger for this run
  boost::asio::io_context io;
  int imported = 0;
  for (int job = 0; job < kJobs; ++job) {  // one after the other; other tools take the lock too
    bp::process import(io, "/proc/self/exe", {"--import", std::to_string(job)});
    import.wait();
    const int status = import.native_exit_code();
    if (WIFSIGNALED(status)) {
      std::printf("import %d died of SIG%s\n", job, sigabbrev_np(WTERMSIG(status)));
    } else if (WEXITSTATUS(status) == 0) {
      ++imported;
    }
  }
  std::ifstream ledger(kLedger);
  int lines = 0;
  for (std::string line; std::getline(ledger, line);) ++lines;
  std::filesystem::remove(kLedger);
  if (int failed = expect_eq(lines, kJobs - 1, "ledger lines")) return failed;
  return expect_eq(imported, kJobs - 1, "imports that survive job 2");
}
