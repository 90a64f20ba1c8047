// IPC: latency (one iteration = a message there and the same message back) and throughput (a
// stream of messages one way, acknowledged once per batch) for an in-process queue between two
// threads and for a pipe, a UNIX socket and a shared-memory ring between two processes, at message
// sizes from 64 B to 1 MiB. The channels are in ipc_channels.hpp. Unpinned: the scheduler places
// both sides, as it would for a real program.
#include <thread>

#include "ipc_channels.hpp"

namespace tradeoffs {
namespace {

// The first byte of each message tells the peer what to do with it.
enum Op : char { kKeep = 0, kEcho = 1, kStop = 2 };

// Runs the far end of `channel` on a thread or in a forked child until it is told to stop.
class Peer {
 public:
  Peer(Channel& channel, std::size_t size) : channel_(channel), size_(size) {
    auto serve = [&channel, size] {
      std::vector<char> buffer(size);
      for (;;) {
        channel.far->recv(buffer.data(), size);
        if (buffer[0] == kStop) return 0;
        if (buffer[0] == kEcho) channel.far->send(buffer.data(), size);
      }
    };
    if (!channel.across_processes) {
      thread_ = std::thread(serve);
      return;
    }
    pid_ = fork_child([&channel, serve] {
      for (int fd : channel.near_fds) ::close(fd);
      return serve();
    });
    for (int fd : channel.far_fds) ::close(fd);
    channel.far_fds.clear();
  }
  ~Peer() {
    std::vector<char> stop(size_, kStop);
    channel_.near->send(stop.data(), size_);
    if (thread_.joinable()) thread_.join();
    if (pid_ > 0) reap(pid_);
  }
 private:
  Channel& channel_;
  std::thread thread_;
  pid_t pid_ = -1;
  std::size_t size_;
};

void Latency(benchmark::State& state, const std::string& kind) {
  const auto size = static_cast<std::size_t>(state.range(0));
  auto channel = make_channel(kind);
  std::vector<char> message(size, 'x');
  {
    Peer peer(*channel, size);
    for (auto _ : state) {
      message[0] = kEcho;
      channel->near->send(message.data(), size);
      channel->near->recv(message.data(), size);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 2 * size));
}

void Throughput(benchmark::State& state, const std::string& kind) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::size_t batch = std::max<std::size_t>(1, (quick ? (1u << 20) : (8u << 20)) / size);
  auto channel = make_channel(kind);
  std::vector<char> message(size, 'x');
  {
    Peer peer(*channel, size);
    for (auto _ : state) {
      for (std::size_t i = 0; i < batch; ++i) {
        message[0] = i + 1 == batch ? kEcho : kKeep;
        channel->near->send(message.data(), size);
      }
      channel->near->recv(message.data(), size);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * batch * size));
  state.counters["messages_per_batch"] = static_cast<double>(batch);
}

}  // namespace

void register_benchmarks() {
  std::vector<std::int64_t> sizes = {64, 1 << 10, 4 << 10, 64 << 10, 1 << 20};
  if (quick) sizes = {64, 64 << 10};
  for (std::string kind : {"queue", "pipe", "unix_socket", "shm_ring"}) {
    auto* latency = add("ipc_latency/" + kind, [kind](benchmark::State& s) { Latency(s, kind); });
    auto* throughput = add("ipc_throughput/" + kind, [kind](benchmark::State& s) { Throughput(s, kind); }, 5);
    for (auto size : sizes) latency->Arg(size), throughput->Arg(size);
    latency->ArgName("bytes"), throughput->ArgName("bytes");
  }
}

}  // namespace tradeoffs
