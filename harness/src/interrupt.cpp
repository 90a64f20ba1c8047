#include "interrupt.hpp"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <functional>
#include <thread>

namespace conclab {
namespace {

std::atomic<int> received{0};

struct StopWatch {
  boost::asio::io_context io;
  boost::asio::signal_set signals{io, SIGINT, SIGTERM};
  std::function<void()> wait = [this] {
    signals.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      int none = 0;
      received.compare_exchange_strong(none, signo);
      wait();
    });
  };
};

}  // namespace

void install_stop_watch() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  // Lives until exit on purpose: its registration is what keeps the signals caught. Held by a
  // static pointer, so LeakSanitizer sees it reachable.
  static StopWatch* const watch = new StopWatch;
  watch->wait();
  std::thread([] { watch->io.run(); }).detach();
}

std::optional<int> stop_signal() {
  const int signo = received.load();
  return signo != 0 ? std::optional<int>(signo) : std::nullopt;
}

}  // namespace conclab
