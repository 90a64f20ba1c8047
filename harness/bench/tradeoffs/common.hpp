// What the tradeoffs benchmarks share: the quick/full switch, registration with the medians we
// report, pinning, forking a child that can never outlive us, full reads and writes, futexes, and
// /proc memory figures. Each section (one .cpp) defines register_benchmarks(); common.cpp has main.
#pragma once

#include <benchmark/benchmark.h>
#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace tradeoffs {

// --quick (CI): smaller sizes, fewer repetitions; each binary then runs in a few seconds.
extern bool quick;

// Defined by each section; called once the command line is parsed.
void register_benchmarks();

// A benchmark with the defaults every section uses: wall-clock time (or, with `manual_time`, what
// the benchmark passes to SetIterationTime), `reps` repetitions (3 in quick mode) reported as
// aggregates only (the report reads the median), a short minimum time or, when `iterations` > 0,
// that many iterations per repetition.
benchmark::internal::Benchmark* add(const std::string& name, std::function<void(benchmark::State&)> fn,
                                    int reps = 7, int iterations = 0, bool manual_time = false);

// Pins the calling thread to one CPU; -1 restores every CPU the process started with.
void pin_to(int cpu);

// Forks a child that runs `body` and _exits with its return value. The child gets SIGKILL if we
// die, and never writes a core file. Aborts if fork fails.
pid_t fork_child(const std::function<int()>& body);
// Waits for `pid`, retrying on EINTR; returns the wait status.
int reap(pid_t pid);

void write_all(int fd, const void* data, std::size_t size);
// Reads exactly `size` bytes; returns false on EOF before the first byte.
bool read_all(int fd, void* data, std::size_t size);

// Futex wait/wake on a 32-bit word; not PRIVATE, so they also work on memory shared between processes.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected);
void futex_wake(std::atomic<std::uint32_t>& word, int count = 1);

// A field of /proc/<pid>/smaps_rollup ("Pss", "Rss") or /proc/<pid>/status ("VmPTE"), in KiB.
long smaps_kib(pid_t pid, const char* field);
long status_kib(pid_t pid, const char* field);

// Memory mapped and touched page by page (4 KiB pages: no transparent huge pages), so that a fork
// has that much to copy the page tables of. One at a time: asking for another size replaces it.
void ballast(std::size_t mib);

std::int64_t now_ns();
// Burns CPU for `ns` nanoseconds.
void busy_for(std::int64_t ns);

}  // namespace tradeoffs
