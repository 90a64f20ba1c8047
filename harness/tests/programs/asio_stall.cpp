// An Asio event loop built with BOOST_ASIO_ENABLE_HANDLER_TRACKING (so it prints `@asio|...` lines
// on stderr) for conclab's loop_stall tests. A timer ticks every 10 ms, as a connection's traffic
// would; one posted handler stands for a request:
//   asio_stall stall     the request's handler blocks 300 ms (a synchronous call): ticks wait
//   asio_stall offload   the same 300 ms run on a pool thread, the result posted back: no tick waits
//   asio_stall quiet     the handler blocks 300 ms but nothing else is scheduled: no one waits
//   asio_stall ticks     no request, 100 ticks (1 s) while the pool's thread idles: nothing stuck
#include <boost/asio.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

namespace asio = boost::asio;
using namespace std::chrono_literals;

void slow_io() { std::this_thread::sleep_for(300ms); }

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "stall";
  asio::io_context loop;
  asio::thread_pool pool(1);
  asio::steady_timer tick(loop);
  int ticks = 0;
  const bool ticking = std::strcmp(mode, "quiet") != 0;
  std::function<void()> arm = [&] {
    tick.expires_after(10ms);
    tick.async_wait([&](boost::system::error_code ec) {
      if (!ec && ++ticks < (std::strcmp(mode, "ticks") == 0 ? 100 : 40)) arm();
    });
  };
  if (ticking) arm();
  if (std::strcmp(mode, "ticks") != 0) asio::post(loop, [&] {
    if (std::strcmp(mode, "offload") == 0) {
      asio::post(pool, [&] { slow_io(); asio::post(loop, [] { std::puts("request done"); }); });
    } else {
      slow_io();
      std::puts("request done");
    }
  });
  loop.run();
  pool.join();
  std::printf("%d ticks\n", ticks);
  return 0;
}
