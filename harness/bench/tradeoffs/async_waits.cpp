// The async alternative: N loopback TCP connections, each mostly waiting, served three ways:
// a thread per connection, a process per connection (pre-forked, each accepts one), and one Asio
// event loop on one thread. A client loop (this thread, epoll) sends a 64-byte request on every
// connection, then collects the N echoes: one iteration = one such round, items = requests.
// Counters: setup_us_per_conn (start the servers, connect, first echo) and server_pss_kib_per_conn
// (PSS the servers added: our growth for threads and Asio, the children's sum for processes).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "common.hpp"

namespace tradeoffs {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr std::size_t kMessage = 64;

void echo_until_eof(int fd) {
  char buffer[kMessage];
  while (read_all(fd, buffer, kMessage)) write_all(fd, buffer, kMessage);
  ::close(fd);
}

class AsioSession : public std::enable_shared_from_this<AsioSession> {
 public:
  explicit AsioSession(tcp::socket socket) : socket_(std::move(socket)) {}
  void read() {
    asio::async_read(socket_, asio::buffer(buffer_), [self = shared_from_this()](auto ec, std::size_t) {
      if (!ec) asio::async_write(self->socket_, asio::buffer(self->buffer_), [self](auto ec2, std::size_t) {
        if (!ec2) self->read();
      });
    });
  }

 private:
  tcp::socket socket_;
  char buffer_[kMessage];
};

void Serve(benchmark::State& state, const std::string& model) {
  const int n = static_cast<int>(state.range(0));
  const long pss_before = smaps_kib(::getpid(), "Pss");
  const auto start = now_ns();
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, SOMAXCONN) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    std::abort();
  auto accept_one = [listener] {
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) std::abort();
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
  };
  std::vector<std::thread> threads;
  std::vector<pid_t> children;
  asio::io_context io;
  if (model == "threads")
    for (int i = 0; i < n; ++i) threads.emplace_back([accept_one] { echo_until_eof(accept_one()); });
  else if (model == "processes")
    for (int i = 0; i < n; ++i) children.push_back(fork_child([accept_one] { return echo_until_eof(accept_one()), 0; }));
  else
    threads.emplace_back([&io, accept_one, n] {
      for (int i = 0; i < n; ++i) std::make_shared<AsioSession>(tcp::socket(io, tcp::v4(), accept_one()))->read();
      io.run();
    });
  std::vector<int> clients(n);
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  for (int i = 0; i < n; ++i) {
    clients[i] = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(clients[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(clients[i], reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
    epoll_event ev{EPOLLIN, {.u32 = static_cast<std::uint32_t>(i)}};
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, clients[i], &ev);
  }
  char message[kMessage] = {};
  std::vector<epoll_event> events(n);
  auto round = [&] {
    for (int fd : clients) write_all(fd, message, kMessage);
    for (int answered = 0; answered < n;) {
      const int ready = ::epoll_wait(epoll, events.data(), n, -1);
      for (int e = 0; e < ready; ++e, ++answered) read_all(clients[events[e].data.u32], message, kMessage);
    }
  };
  round();
  state.counters["setup_us_per_conn"] = static_cast<double>(now_ns() - start) / 1e3 / n;
  long pss = smaps_kib(::getpid(), "Pss") - pss_before;
  for (pid_t child : children) pss += smaps_kib(child, "Pss");
  state.counters["server_pss_kib_per_conn"] = static_cast<double>(pss) / n;
  for (auto _ : state) round();
  state.SetItemsProcessed(state.iterations() * n);
  for (int fd : clients) ::close(fd);  // every server sees EOF and ends
  for (auto& t : threads) t.join();
  for (pid_t child : children) reap(child);
  ::close(epoll), ::close(listener);
}

}  // namespace

void register_benchmarks() {
  const std::vector<std::int64_t> counts = quick ? std::vector<std::int64_t>{16, 64} : std::vector<std::int64_t>{16, 128, 512};
  for (std::string model : {"threads", "processes", "asio"}) {
    auto* b = add("async_waits/" + model, [model](benchmark::State& s) { Serve(s, model); }, 5)->ArgName("connections");
    for (auto n : counts) b->Arg(n);
  }
}

}  // namespace tradeoffs
