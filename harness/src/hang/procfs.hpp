// procfs: what /proc tells about a process tree — its processes, their threads' waits and CPU
// time, their file descriptors — and a word of a process's memory.
#pragma once

#include <fcntl.h>

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace conclab::procfs {

struct ProcessEntry {
  pid_t pid = 0, ppid = 0, pgrp = 0;
  char state = '?';
};

// Every process on the machine (pid, parent, group, state); those that vanish while read are skipped.
std::vector<ProcessEntry> process_table();

struct ThreadSample {
  pid_t tid = 0;
  std::string name;          // /proc/PID/task/TID/comm
  char state = '?';          // R, S, D, T, t, Z...
  std::string wchan;         // kernel function it sleeps in, "0" when running
  long syscall = -2;         // -1: in user space (running); -2: unknown
  std::array<std::uint64_t, 6> args{};
  std::uint64_t user_sp = 0;  // the user-space stack pointer, next to last field of .../syscall
  std::uint64_t user_ip = 0;  // the user-space instruction pointer, last field of .../syscall
  std::uint64_t cpu_ticks = 0;  // utime + stime
};

struct FdEntry {
  int fd = 0;
  std::string target;  // readlink of /proc/PID/fd/N: "pipe:[123]", "socket:[9]", a path...
  int flags = 0;       // from fdinfo: O_RDONLY / O_WRONLY / O_RDWR in the low bits
  // Open for writing (`writing`) or for reading: O_RDWR is both (a socket always is).
  bool open_for(bool writing) const {
    const int mode = flags & O_ACCMODE;
    return mode == O_RDWR || mode == (writing ? O_WRONLY : O_RDONLY);
  }
};

struct ProcessSample {
  pid_t pid = 0, ppid = 0;
  std::string name;
  std::vector<ThreadSample> threads;
  std::vector<FdEntry> fds;  // filled only by sample_tree(..., with_fds = true)
};

// The process `root` and every descendant of it, with their threads (and fds when asked).
std::vector<ProcessSample> sample_tree(pid_t root, bool with_fds);

// A process's open descriptors (what sample_tree(..., true) fills in).
std::vector<FdEntry> fds_of(pid_t pid);

// How many times a thread has run on a CPU (the third field of /proc/PID/task/TID/schedstat):
// unlike CPU time in ticks, it moves whenever the thread wakes at all. nullopt when unreadable.
std::optional<std::uint64_t> times_run(pid_t pid, pid_t tid);

// What a process's fds point at ("pipe:[123]", "socket:[9]", paths).
std::set<std::string> open_targets(pid_t pid);

// Reads a 32-bit word of another process's memory (needs ptrace rights: a parent, or root).
std::optional<std::uint32_t> read_u32(pid_t pid, std::uint64_t address);
// Reads a NUL-terminated string (at most 4096 bytes) of another process's memory.
std::optional<std::string> read_string(pid_t pid, std::uint64_t address);

}  // namespace conclab::procfs
