#include "run/watchdog.hpp"

#include <csignal>

namespace conclab {

Watchdog::Watchdog(boost::asio::io_context& io, pid_t pgid, std::chrono::milliseconds limit,
                   std::chrono::milliseconds grace)
    : pgid_(pgid), limit_(limit), grace_(grace), timer_(io) {}

void Watchdog::arm() {
  timer_.expires_after(limit_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) escalate();
  });
}

void Watchdog::disarm() { timer_.cancel(); }

void Watchdog::expire_now() {
  timer_.cancel();
  terminate_group();
}

void Watchdog::escalate() {
  fired_ = true;
  if (last_look_) last_look_();
  terminate_group();
}

void Watchdog::terminate_group() {
  ::kill(-pgid_, SIGTERM);
  ::kill(-pgid_, SIGCONT);  // a stopped process only acts on SIGTERM once continued
  timer_.expires_after(grace_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) ::kill(-pgid_, SIGKILL);
  });
}

}  // namespace conclab
