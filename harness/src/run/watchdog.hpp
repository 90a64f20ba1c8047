// watchdog: the time limit of a run, on the run's event loop. Only spawn.cpp needs it, so only
// spawn.cpp parses Boost.Asio for it.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>

namespace conclab {

// Ends a run that outlives its limit: SIGTERM (and SIGCONT, for a stopped child) to the whole
// process group, then SIGKILL to the group once the grace period has passed.
class Watchdog {
 public:
  Watchdog(boost::asio::io_context& io, pid_t pgid, std::chrono::milliseconds limit,
           std::chrono::milliseconds grace);
  void arm();
  // Called when the limit is reached, before the group is signalled (the run is still as it was).
  void on_expire(std::function<void()> last_look) { last_look_ = std::move(last_look); }
  void disarm();      // the run ended by itself
  void expire_now();  // end the run at once (the harness itself was told to stop)
  bool fired() const { return fired_; }

 private:
  void escalate();
  void terminate_group();

  pid_t pgid_;
  std::chrono::milliseconds limit_, grace_;
  boost::asio::steady_timer timer_;
  std::function<void()> last_look_;
  bool fired_ = false;
};

}  // namespace conclab
