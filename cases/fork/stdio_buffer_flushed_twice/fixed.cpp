// Bug: the parent writes the report's header with fprintf, then forks a worker per shard that
//   appends its line and calls exit(). A FILE* on a file is fully buffered: at fork the header is
//   still in the parent's buffer, each child inherits a copy, and its exit() flushes it again.
// Symptom: the report starts with the header four times (once per worker, once for the parent).
// Fix: fflush(nullptr) before fork(): the children inherit empty buffers.
// Tools: no memory error, no race, each process alone is right; conclab: wrong_result.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "conclab/invariant.hpp"
#include "conclab/ipc.hpp"

constexpr int kShards = 3;

// The shard's work: a checksum of its rows (FNV-1a over the row numbers).
unsigned long checksum(int shard) {
  unsigned long hash = 14695981039346656037ul;
  for (long row = shard * 100000L; row < (shard + 1) * 100000L; ++row) {
    hash = (hash ^ row) * 1099511628211ul;
  }
  return hash;
}

int main() {
  const std::filesystem::path path = conclab::fixture::run_temp_path("report.txt");
  std::FILE* report = std::fopen(path.c_str(), "w");
  if (report == nullptr) return 2;
  std::fprintf(report, "# nightly checksum report, %d shards\n", kShards);
  pid_t workers[kShards];
  std::fflush(nullptr);  // empty every stdio buffer: a child must not inherit unwritten output
  for (int shard = 0; shard < kShards; ++shard) {
    if ((workers[shard] = fork()) < 0) return 2;
    if (workers[shard] == 0) {  // the worker: its line, then exit() flushes it
      std::fprintf(report, "shard %d: %016lx\n", shard, checksum(shard));
      std::exit(0);
    }
  }
  for (pid_t worker : workers) waitpid(worker, nullptr, 0);
  std::fclose(report);
  std::ifstream written(path);
  int headers = 0;
  for (std::string line; std::getline(written, line);) {
    std::cout << line << '\n';
    headers += line.starts_with("# ");
  }
  std::filesystem::remove(path);
  return conclab::fixture::expect_eq(headers, 1, "header lines in the report");
}
