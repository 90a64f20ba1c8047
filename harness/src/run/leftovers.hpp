// leftovers: what a run leaves in the file system — POSIX shared memory and named semaphores in
// /dev/shm, files, FIFOs and sockets in its temp folder — found, reported and removed.
//
// Every run gets a run id (CONCLAB_RUN_ID) and its own temp folder (TMPDIR). Cases name their
// objects with the id (fixtures' ipc_name), so a /dev/shm entry carrying it belongs to that run
// however many runs are in flight: it is removed (a folder with all it holds). An entry that
// carries no id is the run's only maybe: another program on the machine may have made it while
// the run was in flight. It is reported when no other run of ours was in flight meanwhile, and
// never removed: conclab deletes nothing it cannot attribute to the run.
//
// A conclab killed with SIGKILL cannot remove its run's temp folder: the first run of the next
// conclab removes such folders of dead conclabs (named conclab.<pid>-<n>.XXXXXX, this user's,
// mode 0700, no live process with that pid), as limits.hpp does with their cgroups.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace conclab {

struct Leftover {
  std::string kind;  // "shm", "semaphore", "fifo", "socket", "file", "folder"
  std::string path;  // as found, e.g. /dev/shm/sem.conclab.42-1.lock
  bool removed = false;  // by conclab; false: not the run's for sure, or it could not be removed
};

class RunSandbox {
 public:
  // Makes the run id and temp folder and snapshots /dev/shm. Throws HarnessError when the temp
  // folder cannot be made.
  RunSandbox();
  ~RunSandbox();  // removes the temp folder, whatever happened
  RunSandbox(const RunSandbox&) = delete;
  RunSandbox& operator=(const RunSandbox&) = delete;

  const std::string& run_id() const { return run_id_; }
  const std::filesystem::path& temp_dir() const { return temp_dir_; }

  // Once every process of the run is gone: what it left, each removed after it was recorded.
  std::vector<Leftover> collect();

 private:
  std::string run_id_;
  std::filesystem::path temp_dir_;
  std::set<std::string> shm_before_;
  bool was_alone_at_start_ = false;
};

}  // namespace conclab
