#include "run/interrupt.hpp"
#include "core/files.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>

namespace conclab {

void notify_subscribers(int signo);

namespace {

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM};

std::atomic<int> received{0};
int signal_pipe[2] = {-1, -1};
pid_t harness_pid = 0;  // a child between fork and exec runs our handler too, not as conclab

struct Delivery {
  int signo;
  pid_t sender;  // 0 when the kernel or a terminal sent it
};

// Async-signal-safe: one write of a few bytes to a pipe is atomic; the watcher thread decides.
void on_signal(int signo, siginfo_t* info, void*) {
  const int saved_errno = errno;
  if (::getpid() != harness_pid) {  // a run's child before its exec: the signal's own effect
    ::signal(signo, SIG_DFL);
    ::raise(signo);
    errno = saved_errno;
    return;
  }
  const Delivery d{signo, info != nullptr && info->si_code <= 0 ? info->si_pid : 0};
  if (::write(signal_pipe[1], &d, sizeof d) < 0) {
    // The pipe is full only under a flood of signals; the first ones were enough.
  }
  errno = saved_errno;
}

void on_broken_pipe(int) {}

std::mutex state_mutex;
std::set<StopSubscription*> subscribers;
std::vector<SignalFromRun> from_runs;


// The id of the run of ours `pid` belongs to: its cgroup ("conclab-<our pid>-<n>", limits.cpp)
// or its CONCLAB_RUN_ID. Empty for anybody else, or when it is gone already.
std::string run_of_sender(pid_t pid) {
  if (pid <= 0 || pid == ::getpid()) return {};
  const std::string ours = std::to_string(::getpid()) + "-";
  const std::string proc = "/proc/" + std::to_string(pid);
  const std::string cgroups = read_file(proc + "/cgroup").value_or("");
  const auto at = cgroups.find("/conclab-" + ours);
  if (at != std::string::npos) {
    const auto id = at + 9;
    return cgroups.substr(id, cgroups.find_first_of("/\n", id) - id);
  }
  const std::string environ = read_file(proc + "/environ").value_or("");
  constexpr std::string_view kKey = "CONCLAB_RUN_ID=";
  for (std::size_t start = 0; start < environ.size();) {
    const auto end = std::min(environ.find('\0', start), environ.size());
    const std::string_view entry(environ.data() + start, end - start);
    if (entry.starts_with(kKey) && entry.substr(kKey.size()).starts_with(ours))
      return std::string(entry.substr(kKey.size()));
    start = end + 1;
  }
  return {};
}

void watch_signals() {
  for (;;) {
    Delivery d{};
    const ssize_t n = ::read(signal_pipe[0], &d, sizeof d);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof d)) return;
    if (auto run_id = run_of_sender(d.sender); !run_id.empty()) {
      std::lock_guard lock(state_mutex);
      from_runs.push_back({d.signo, d.sender, std::move(run_id)});
      continue;
    }
    int none = 0;
    if (received.compare_exchange_strong(none, d.signo)) notify_subscribers(d.signo);
  }
}

}  // namespace

void notify_subscribers(int signo) {
  std::lock_guard lock(state_mutex);
  for (auto* s : subscribers) {
    if (s->fired_) continue;
    s->fired_ = true;
    s->on_stop_(signo);
  }
}

void install_stop_watch() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  harness_pid = ::getpid();
  if (::pipe2(signal_pipe, O_CLOEXEC) != 0) return;
  ::fcntl(signal_pipe[1], F_SETFL, O_NONBLOCK);
  struct sigaction stop {};
  stop.sa_sigaction = on_signal;
  stop.sa_flags = SA_SIGINFO | SA_RESTART;
  sigfillset(&stop.sa_mask);
  sigset_t unblock;
  sigemptyset(&unblock);
  for (int signo : kStopSignals) {
    ::sigaction(signo, &stop, nullptr);
    sigaddset(&unblock, signo);
  }
  struct sigaction pipe_action {};
  pipe_action.sa_handler = on_broken_pipe;
  ::sigaction(SIGPIPE, &pipe_action, nullptr);
  sigaddset(&unblock, SIGPIPE);
  std::thread(watch_signals).detach();
  // A signal pending since before main (a parent had blocked it) arrives now, handled.
  ::pthread_sigmask(SIG_UNBLOCK, &unblock, nullptr);
}

std::optional<int> stop_signal() {
  const int signo = received.load();
  return signo != 0 ? std::optional<int>(signo) : std::nullopt;
}

StopSubscription::StopSubscription(std::function<void(int)> on_stop) : on_stop_(std::move(on_stop)) {
  {
    std::lock_guard lock(state_mutex);
    subscribers.insert(this);
  }
  // A stop requested before the subscription: notify_subscribers() ran without us.
  if (const auto signo = stop_signal()) {
    std::lock_guard lock(state_mutex);
    if (!fired_) {
      fired_ = true;
      on_stop_(*signo);
    }
  }
}

StopSubscription::~StopSubscription() {
  std::lock_guard lock(state_mutex);
  subscribers.erase(this);
}

std::vector<SignalFromRun> take_signals_from_run(const std::string& run_id) {
  std::lock_guard lock(state_mutex);
  std::vector<SignalFromRun> taken;
  std::erase_if(from_runs, [&](const SignalFromRun& s) {
    if (s.run_id != run_id) return false;
    taken.push_back(s);
    return true;
  });
  return taken;
}

}  // namespace conclab
