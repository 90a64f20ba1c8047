// The shared helpers of common.hpp and the main of every tradeoffs benchmark: `--quick` picks the
// CI sizes, `--idle-child` is the process the memory section spawns, and the JSON context gets
// the machine (CPU model, online CPUs, kernel, memory, load at start).
#include "common.hpp"

#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace tradeoffs {

bool quick = false;

namespace {
cpu_set_t start_cpus;
void* ballast_ptr = nullptr;
std::size_t ballast_bytes = 0;

std::string field_of(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0) {
      const auto colon = line.find(':');
      const auto start = line.find_first_not_of(" \t", colon + 1);
      return start == std::string::npos ? "" : line.substr(start);
    }
  return "";
}
}  // namespace

benchmark::internal::Benchmark* add(const std::string& name, std::function<void(benchmark::State&)> fn, int reps,
                                    int iterations, bool manual_time) {
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [fn](benchmark::State& state) { fn(state); })
                ->Repetitions(quick ? 3 : reps)
                ->ReportAggregatesOnly(true);
  if (manual_time) b->UseManualTime();
  else b->UseRealTime();
  return iterations > 0 ? b->Iterations(iterations) : b->MinTime(quick ? 0.01 : 0.2);
}

void pin_to(int cpu) {
  cpu_set_t set = start_cpus;
  if (cpu >= 0) {
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
  }
  if (::sched_setaffinity(0, sizeof set, &set) != 0) std::abort();
}

pid_t fork_child(const std::function<int()>& body) {
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) std::abort();
  if (pid > 0) return pid;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(1);
  ::prctl(PR_SET_DUMPABLE, 0);  // a crashing child leaves no core file (core_pattern may be "core")
  ::_exit(body());
}

int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) std::abort();
  return status;
}

void write_all(int fd, const void* data, std::size_t size) {
  auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) std::abort();
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

bool read_all(int fd, void* data, std::size_t size) {
  auto* p = static_cast<char*>(data);
  for (std::size_t got = 0; got < size;) {
    const ssize_t n = ::read(fd, p + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) std::abort();
    if (n == 0) {
      if (got == 0) return false;
      std::abort();
    }
    got += static_cast<std::size_t>(n);
  }
  return true;
}

void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT, expected, nullptr, nullptr, 0);
}

void futex_wake(std::atomic<std::uint32_t>& word, int count) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE, count, nullptr, nullptr, 0);
}

long smaps_kib(pid_t pid, const char* field) {
  return std::atol(field_of("/proc/" + std::to_string(pid) + "/smaps_rollup", field).c_str());
}

long status_kib(pid_t pid, const char* field) {
  return std::atol(field_of("/proc/" + std::to_string(pid) + "/status", field).c_str());
}

void ballast(std::size_t mib) {
  const std::size_t bytes = mib << 20;
  if (bytes == ballast_bytes) return;
  if (ballast_ptr != nullptr) ::munmap(ballast_ptr, ballast_bytes);
  ballast_ptr = nullptr;
  ballast_bytes = bytes;
  if (bytes == 0) return;
  ballast_ptr = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (ballast_ptr == MAP_FAILED) std::abort();
  ::madvise(ballast_ptr, bytes, MADV_NOHUGEPAGE);
  for (std::size_t off = 0; off < bytes; off += 4096) static_cast<volatile char*>(ballast_ptr)[off] = 1;
}

std::int64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

void busy_for(std::int64_t ns) {
  const auto end = now_ns() + ns;
  while (now_ns() < end) {
  }
}

}  // namespace tradeoffs

int main(int argc, char** argv) {
  using namespace tradeoffs;
  if (argc == 3 && std::strcmp(argv[1], "--idle-child") == 0) {  // memory section: one more process
    std::vector<char> touched(static_cast<std::size_t>(std::atol(argv[2])) << 10, 1);
    char byte = touched.empty() ? 'r' : touched.back();
    write_all(1, &byte, 1);  // ready
    while (::read(0, &byte, 1) > 0) {
    }
    return 0;
  }
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i)
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    else args.push_back(argv[i]);
  int count = static_cast<int>(args.size());
  args.push_back(nullptr);
  ::sched_getaffinity(0, sizeof start_cpus, &start_cpus);
  rlimit files{};  // the async section holds two descriptors per connection
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  utsname uts{};
  ::uname(&uts);
  std::ifstream loadavg("/proc/loadavg");
  std::string load;
  std::getline(loadavg, load);
  benchmark::AddCustomContext("mode", quick ? "quick" : "full");
  benchmark::AddCustomContext("cpu_model", field_of("/proc/cpuinfo", "model name"));
  benchmark::AddCustomContext("online_cpus", std::to_string(::sysconf(_SC_NPROCESSORS_ONLN)));
  benchmark::AddCustomContext("kernel", std::string(uts.sysname) + " " + uts.release + " " + uts.version);
  benchmark::AddCustomContext("mem_total", field_of("/proc/meminfo", "MemTotal"));
  benchmark::AddCustomContext("loadavg_at_start", load);
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 2;
  register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  ballast(0);
  return 0;
}
