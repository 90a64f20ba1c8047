#include "run/spawn.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <boost/asio/io_context.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/process/v2/default_launcher.hpp>
#include <boost/process/v2/environment.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/start_dir.hpp>
#include <boost/process/v2/stdio.hpp>
#include <fmt/format.h>
#include <cstring>
#include <functional>
#include <mutex>

#include "run/interrupt.hpp"
#include "run/watch.hpp"
#include "run/watchdog.hpp"

extern char** environ;

namespace conclab {
namespace asio = boost::asio;
namespace bp = boost::process::v2;

namespace {

using Clock = std::chrono::steady_clock;

// How long output may still arrive after the program and its strays are gone: only a
// process that escaped the sweep can hold a pipe open that long.
constexpr auto kDrainLimit = std::chrono::seconds(1);

// Runs in the child between fork and exec: its own process group, so the watchdog can signal
// the whole tree at once; its limits (no core files, which a crashing case would otherwise leave
// behind; CPU time; file size) and its cgroup (processes, memory).
struct ChildSetup {
  const ChildLimits* limits;
  const std::vector<std::string>* cgroup_procs;
  pid_t harness;  // our pid, taken before the fork

  template <typename Launcher>
  bp::error_code on_exec_setup(Launcher&, const bp::filesystem::path&, const char* const*) {
    if (::setpgid(0, 0) != 0) return bp::error_code(errno, bp::system_category());
    // Should conclab be SIGKILLed, its direct child goes with it (the rest of the tree is in the
    // run's cgroup, which the next conclab empties and removes: limits.hpp). Checked after the
    // prctl: a parent that died before it would never send the signal.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != harness) return bp::error_code(ESRCH, bp::system_category());
    // Boost 1.81 leaves the child some of our descriptors (its close-all loop is off by one,
    // boostorg/process#360), among them the write ends of our own capture pipes: a daemon the
    // program starts would hold our pipes open. Close-on-exec for everything past stdio (not a
    // close: the launcher's own error pipe must survive until exec).
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    if (const int error = apply_rlimits(*limits)) return bp::error_code(error, bp::system_category());
    join_cgroups(*cgroup_procs);  // best effort: without it the run is only unlimited, not wrong
    return {};
  }

  // boostorg/process#285: when exec fails, the launcher returns the error without waiting for
  // the child it forked, which stays a zombie. Reap it here. (Variadic: Boost 1.81 probes
  // on_error with a different argument list than the one it calls it with.)
  template <typename Launcher, typename... Rest>
  void on_error(Launcher& launcher, Rest&&...) {
    if (launcher.pid <= 0) return;
    while (::waitpid(launcher.pid, nullptr, 0) == -1 && errno == EINTR) {
    }
  }
};

// Keeps the first part of a stream and its last quarter: sanitizer reports usually come last.
class CaptureBuffer {
 public:
  explicit CaptureBuffer(std::size_t limit) : head_limit_(limit - limit / 4), tail_limit_(limit / 4) {}

  void append(const char* data, std::size_t size) {
    total_ += size;
    const std::size_t to_head = std::min(size, head_limit_ - std::min(head_limit_, head_.size()));
    head_.append(data, to_head);
    tail_.append(data + to_head, size - to_head);
    if (tail_.size() > 2 * tail_limit_ + 65536) tail_.erase(0, tail_.size() - tail_limit_);
  }

  Capture finish(const char* stream_name) && {
    Capture capture;
    capture.total_bytes = total_;
    if (total_ > head_limit_ + tail_limit_) {
      const auto cut = total_ - head_.size() - tail_limit_;
      capture.truncated = true;
      capture.text = std::move(head_);
      capture.text += fmt::format("\n[conclab: {} bytes of {} cut here]\n", cut, stream_name);
      capture.text.append(tail_, tail_.size() - tail_limit_, tail_limit_);
    } else {
      capture.text = std::move(head_) + tail_;
    }
    return capture;
  }

 private:
  std::size_t head_limit_, tail_limit_;
  std::string head_, tail_;
  std::uint64_t total_ = 0;
};

// Reads one pipe to EOF without ever blocking the other: a chatty child cannot deadlock us.
class StreamReader {
 public:
  StreamReader(asio::io_context& io, std::size_t limit) : pipe(io), buffer_(limit) {}

  void start() {
    pipe.async_read_some(asio::buffer(chunk_), [this](const boost::system::error_code& ec, std::size_t n) {
      buffer_.append(chunk_.data(), n);
      if (ec) {
        done = true;
        return;
      }
      start();
    });
  }

  Capture finish(const char* name) && { return std::move(buffer_).finish(name); }

  asio::readable_pipe pipe;
  bool done = false;

 private:
  CaptureBuffer buffer_;
  std::array<char, 65536> chunk_{};
};

// The child's stdin (/dev/null) and the write ends of its stdout and stderr pipes, whose read ends
// go to our readers. Everything close-on-exec; dup2 in the child clears that for 0, 1 and 2.
class ChildStdio {
 public:
  ChildStdio(asio::readable_pipe& out_pipe, asio::readable_pipe& err_pipe) {
    int out_fds[2] = {-1, -1}, err_fds[2] = {-1, -1};
    in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in < 0 || ::pipe2(out_fds, O_CLOEXEC) != 0 || ::pipe2(err_fds, O_CLOEXEC) != 0) {
      const int error = errno;
      for (int fd : {in, out_fds[0], out_fds[1], err_fds[0], err_fds[1]})
        if (fd >= 0) ::close(fd);
      throw HarnessError(fmt::format("cannot make the child's stdio: {}", std::strerror(error)));
    }
    out_pipe.assign(out_fds[0]);
    err_pipe.assign(err_fds[0]);
    out = out_fds[1];
    err = err_fds[1];
  }
  ~ChildStdio() { close_child_ends(); }
  ChildStdio(const ChildStdio&) = delete;
  ChildStdio& operator=(const ChildStdio&) = delete;

  void close_child_ends() {
    for (int* fd : {&in, &out, &err}) {
      if (*fd >= 0) ::close(*fd);
      *fd = -1;
    }
  }

  int in = -1, out = -1, err = -1;
};

bp::filesystem::path resolve_executable(const std::string& program) {
  if (program.empty()) throw HarnessError("cannot run an empty program name");
  if (program.find('/') == std::string::npos) {
    auto found = bp::environment::find_executable(program);
    if (found.empty()) throw HarnessError(fmt::format("cannot run '{}': not found in PATH", program));
    return found;
  }
  if (::access(program.c_str(), F_OK) != 0)
    throw HarnessError(fmt::format("cannot run '{}': no such file", program));
  if (::access(program.c_str(), X_OK) != 0)
    throw HarnessError(fmt::format("cannot run '{}': not executable", program));
  return program;
}

std::vector<std::string> child_environment(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view kv(*entry);
    const auto key = kv.substr(0, kv.find('='));
    if (!overrides.count(std::string(key))) env.emplace_back(kv);
  }
  for (const auto& [key, value] : overrides) env.push_back(key + "=" + value);
  return env;
}

}  // namespace

RunResult run_program(const RunSpec& spec) {
  if (spec.argv.empty()) throw HarnessError("no program to run");
  const auto executable = resolve_executable(spec.argv.front());
  if (const auto signo = stop_signal()) {
    RunResult stopped;  // conclab was told to stop: nothing is started
    stopped.interrupted_by = signo;
    return stopped;
  }
  adopt_orphans();
  std::optional<RunSandbox> sandbox;
  auto env = spec.env;
  if (spec.track_leftovers) {
    sandbox.emplace();
    env.emplace("CONCLAB_RUN_ID", sandbox->run_id());
    env.emplace("TMPDIR", sandbox->temp_dir().string());
  }
  // Destroyed after the run's last process is gone (a cgroup with members cannot be removed).
  const ChildLimits limits = effective_limits(spec.limits, spec.timeout);
  std::optional<ChildCgroup> cgroup;
  if (sandbox) cgroup.emplace(sandbox->run_id(), limits);
  static const std::vector<std::string> no_cgroup;

  asio::io_context io;
  StreamReader out(io, spec.capture_limit), err(io, spec.capture_limit);
  const std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());
  const auto start = Clock::now();
  bp::error_code ec;
  // Our own descriptors, close-on-exec, passed to Boost as plain numbers: Boost 1.81's pipe and
  // /dev/null bindings close their descriptors in a destructor that can run twice, and with runs
  // in parallel threads the second close hits another run's fresh pipe (EBADF in its assign).
  ChildStdio stdio(out.pipe, err.pipe);
  bp::process child = [&] {
    // One launch at a time (a fork copies every descriptor of every thread into the child), and
    // no sweep of another run until this child is registered as a leader (watch.hpp).
    const auto table = hold_process_table();
    // The executor overload: in Boost 1.81 the io_context overload drops `ec` and throws instead.
    auto launched = bp::default_process_launcher{}(io.get_executor(), ec, executable, args,
                                                   bp::process_stdio{stdio.in, stdio.out, stdio.err},
                                                   bp::process_environment{child_environment(env)},
                                                   bp::process_start_dir{spec.working_dir.empty() ? "." : spec.working_dir},
                                                   ChildSetup{&limits, cgroup ? &cgroup->procs_files() : &no_cgroup, ::getpid()});
    if (!ec) register_leader(launched.id());
    return launched;
  }();
  stdio.close_child_ends();
  if (ec) throw HarnessError(fmt::format("cannot run '{}': {}", spec.argv.front(), ec.message()));

  const pid_t pgid = child.id();
  RunResult result;
  result.cpu_limit_s = limits.cpu_seconds;
  result.loop_stall_ms = spec.loop_stall_ms;
  bool exited = false;
  Watchdog watchdog(io, pgid, spec.timeout, spec.grace);
  asio::steady_timer drain_limit(io);
  // Ctrl-C, a CI's SIGTERM, a hang-up to the harness must not orphan the run: end it the way
  // the watchdog would, then let the caller exit with the signal's status (interrupt.hpp). A
  // stop requested before this point (even before the launch) is acted on at once.
  std::optional<HangMonitor> monitor;  // samples the tree; says what was stuck when the run is ended
  std::optional<StopSubscription> stop_request(std::in_place, [&](int signo) {
    asio::post(io, [&, signo] {
      if (exited) return;
      result.interrupted_by = signo;
      if (monitor && !result.hang) result.stuck = monitor->stuck_threads(Clock::now());
      watchdog.expire_now();
    });
  });
  // While the program runs, sample its tree; once it is stuck for good, explain it and end it.
  asio::steady_timer hang_sampler(io);
  std::function<void()> sample_later = [&] {
    hang_sampler.expires_after(spec.hang_detection->interval);
    hang_sampler.async_wait([&](const boost::system::error_code& ec) {
      if (ec || exited) return;
      if (auto report = monitor->sample(Clock::now())) {
        result.hang = std::move(report);
        watchdog.expire_now();
        return;
      }
      sample_later();
    });
  };
  if (spec.hang_detection) {
    monitor.emplace(pgid, *spec.hang_detection, sandbox ? sandbox->run_id() : std::string());
    sample_later();
    watchdog.on_expire([&] { result.stuck = monitor->stuck_threads(Clock::now()); });
  }
  out.start();
  err.start();
  watchdog.arm();
  // The handler's code is Boost's evaluated exit code, which folds a signal into a number;
  // native_exit_code() keeps the wait status that tells the two apart.
  child.async_wait([&](const boost::system::error_code& wait_ec, int) {
    const int status = child.native_exit_code();
    result.duration_s = std::chrono::duration<double>(Clock::now() - start).count();
    exited = true;
    watchdog.disarm();
    stop_request.reset();
    hang_sampler.cancel();
    unregister_leader(pgid);
    if (!wait_ec && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (!wait_ec && WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    // Whatever the leader left behind would hold our pipes open: end it now. When the leader
    // ended by itself, what is left of its tree outlived it: orphans, a finding.
    const bool by_itself = !watchdog.fired() && !result.hang && !result.interrupted_by;
    auto strays = end_strays(pgid, sandbox ? sandbox->run_id() : std::string(),
                             by_itself ? spec.let_strays_finish : std::chrono::milliseconds(0),
                             cgroup ? &*cgroup : nullptr);
    result.strays_killed = static_cast<int>(strays.size());
    if (by_itself) result.orphans = std::move(strays);
    drain_limit.expires_after(kDrainLimit);
    drain_limit.async_wait([&](const boost::system::error_code& timer_ec) {
      if (timer_ec) return;
      out.pipe.close();
      err.pipe.close();
    });
  });
  while (io.run_one()) {
    if (exited && out.done && err.done) drain_limit.cancel();
  }
  result.timed_out = watchdog.fired();
  if (sandbox) {
    result.leftovers = sandbox->collect();
    result.signalled_harness = take_signals_from_run(sandbox->run_id());
  }
  // The limit that ended or cut the run, the one that acted first when several did.
  if (result.timed_out) result.limit_hit = "time";
  else if (result.signal == SIGXCPU) result.limit_hit = "cpu";
  else if (result.signal == SIGXFSZ) result.limit_hit = "file_size";
  if (cgroup) {
    if (result.limit_hit.empty() && cgroup->memory_limit_hit()) result.limit_hit = "memory";
    else if (result.limit_hit.empty() && cgroup->process_limit_hit()) result.limit_hit = "processes";
    result.limits_applied = cgroup->describe();
  }
  result.out = std::move(out).finish("stdout");
  result.err = std::move(err).finish("stderr");
  return result;
}

}  // namespace conclab
