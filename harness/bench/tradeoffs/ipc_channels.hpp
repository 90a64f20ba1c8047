// The four channels of the IPC section, each a pair of one-way links (there and back):
//  - queue: a bounded mutex+condition-variable queue of byte vectors between two threads;
//  - pipe, UNIX socket (socketpair, SOCK_STREAM): kernel buffers between two processes;
//  - shm ring: a single-producer single-consumer byte ring in POSIX shared memory (shm_open, named
//    with our pid, unlinked as soon as it is mapped) between two processes; a waiting side spins
//    briefly, then sleeps on a futex. Every link copies a message twice (in, out), as a pipe does.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "common.hpp"

namespace tradeoffs {

struct Link {
  virtual ~Link() = default;
  virtual void send(const char* data, std::size_t size) = 0;
  virtual void recv(char* data, std::size_t size) = 0;
};

class QueueLink : public Link {
 public:
  void send(const char* data, std::size_t size) override {
    std::unique_lock lock(m_);
    space_.wait(lock, [&] { return bytes_ == 0 || bytes_ + size <= kBound; });
    queue_.emplace_back(data, data + size);
    bytes_ += size;
    ready_.notify_one();
  }
  void recv(char* data, std::size_t size) override {  // messages are received whole, as sent
    std::unique_lock lock(m_);
    ready_.wait(lock, [&] { return !queue_.empty(); });
    std::vector<char> message = std::move(queue_.front());
    queue_.pop_front();
    bytes_ -= message.size();
    space_.notify_one();
    lock.unlock();
    std::memcpy(data, message.data(), std::min(size, message.size()));
  }

 private:
  static constexpr std::size_t kBound = 1 << 20;
  std::mutex m_;
  std::condition_variable ready_, space_;
  std::deque<std::vector<char>> queue_;
  std::size_t bytes_ = 0;
};

class FdLink : public Link {  // a pipe pair or one end of a socketpair
 public:
  FdLink(int read_fd, int write_fd) : in_(read_fd), out_(write_fd) {}
  void send(const char* data, std::size_t size) override { write_all(out_, data, size); }
  void recv(char* data, std::size_t size) override {
    if (!read_all(in_, data, size)) std::abort();
  }

 private:
  int in_, out_;
};

class RingLink : public Link {
 public:
  static constexpr std::uint32_t kBytes = 1 << 20;
  struct Ring {
    alignas(64) std::atomic<std::uint32_t> head{0};  // bytes written, mod 2^32
    alignas(64) std::atomic<std::uint32_t> tail{0};  // bytes read
    alignas(64) std::atomic<std::uint32_t> sleeping{0};  // 1: reader waits on head, 2: writer on tail
    alignas(64) char data[kBytes];
  };
  RingLink(Ring* out, Ring* in) : out_(out), in_(in) {}

  void send(const char* data, std::size_t size) override {
    for (std::size_t done = 0; done < size;) {
      const std::uint32_t head = out_->head.load(std::memory_order_relaxed);
      const std::uint32_t tail = out_->tail.load(std::memory_order_acquire);
      if (head - tail == kBytes) {
        wait_change(*out_, out_->tail, tail, 2);
        continue;
      }
      const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(kBytes - (head - tail), size - done));
      copy_in(out_->data, head % kBytes, data + done, n);
      publish(*out_, out_->head, head + n, 1);
      done += n;
    }
  }
  void recv(char* data, std::size_t size) override {
    for (std::size_t done = 0; done < size;) {
      const std::uint32_t tail = in_->tail.load(std::memory_order_relaxed);
      const std::uint32_t head = in_->head.load(std::memory_order_acquire);
      if (head == tail) {
        wait_change(*in_, in_->head, head, 1);
        continue;
      }
      const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(head - tail, size - done));
      copy_out(data + done, in_->data, tail % kBytes, n);
      publish(*in_, in_->tail, tail + n, 2);
      done += n;
    }
  }

 private:
  static void copy_in(char* ring, std::uint32_t at, const char* from, std::uint32_t n) {
    const std::uint32_t first = std::min(n, kBytes - at);
    std::memcpy(ring + at, from, first);
    std::memcpy(ring, from + first, n - first);
  }
  static void copy_out(char* to, const char* ring, std::uint32_t at, std::uint32_t n) {
    const std::uint32_t first = std::min(n, kBytes - at);
    std::memcpy(to, ring + at, first);
    std::memcpy(to + first, ring, n - first);
  }
  // Dekker-style: we announce we sleep, then re-check; the other side stores, then checks for sleepers.
  static void wait_change(Ring& ring, std::atomic<std::uint32_t>& word, std::uint32_t seen, std::uint32_t bit) {
    for (int spin = 0; spin < 100; ++spin) {
      if (word.load(std::memory_order_acquire) != seen) return;
      __builtin_ia32_pause();
    }
    ring.sleeping.fetch_or(bit);
    if (word.load() == seen) futex_wait(word, seen);
    ring.sleeping.fetch_and(~bit);
  }
  // The first publisher to see the sleeper clears its bit and wakes it: one wake-up per sleep.
  static void publish(Ring& ring, std::atomic<std::uint32_t>& word, std::uint32_t value, std::uint32_t bit) {
    word.store(value);
    if ((ring.sleeping.load() & bit) && (ring.sleeping.fetch_and(~bit) & bit)) futex_wake(word);
  }
  Ring* out_;
  Ring* in_;
};

// Both ends of a channel; `near` is ours, `far` the peer's. `across_processes`: the peer is a
// forked child, which must close `near_fds`; we close `far_fds` once it runs.
struct Channel {
  std::unique_ptr<Link> near, far;
  bool across_processes = true;
  std::vector<int> near_fds, far_fds;
  void* mapping = nullptr;
  std::size_t mapping_bytes = 0;
  ~Channel() {
    for (int fd : near_fds) ::close(fd);
    for (int fd : far_fds) ::close(fd);
    if (mapping != nullptr) ::munmap(mapping, mapping_bytes);
  }
};

inline std::unique_ptr<Channel> make_channel(const std::string& kind) {
  auto c = std::make_unique<Channel>();
  if (kind == "queue") {
    auto there = std::make_shared<QueueLink>(), back = std::make_shared<QueueLink>();
    struct Half : Link {  // sends on one queue, receives on the other
      Half(std::shared_ptr<QueueLink> o, std::shared_ptr<QueueLink> i) : out(std::move(o)), in(std::move(i)) {}
      std::shared_ptr<QueueLink> out, in;
      void send(const char* d, std::size_t n) override { out->send(d, n); }
      void recv(char* d, std::size_t n) override { in->recv(d, n); }
    };
    c->near = std::make_unique<Half>(there, back);
    c->far = std::make_unique<Half>(back, there);
    c->across_processes = false;
  } else if (kind == "pipe") {
    int there[2], back[2];
    if (::pipe(there) != 0 || ::pipe(back) != 0) std::abort();
    c->near = std::make_unique<FdLink>(back[0], there[1]);
    c->far = std::make_unique<FdLink>(there[0], back[1]);
    c->near_fds = {back[0], there[1]}, c->far_fds = {there[0], back[1]};
  } else if (kind == "unix_socket") {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) std::abort();
    c->near = std::make_unique<FdLink>(fds[0], fds[0]);
    c->far = std::make_unique<FdLink>(fds[1], fds[1]);
    c->near_fds = {fds[0]}, c->far_fds = {fds[1]};
  } else {  // shm_ring
    static int serial = 0;
    const std::string name = "/conclab-tradeoffs-" + std::to_string(::getpid()) + "-" + std::to_string(serial++);
    const int fd = ::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) std::abort();
    c->mapping_bytes = 2 * sizeof(RingLink::Ring);
    const bool sized = ::ftruncate(fd, static_cast<off_t>(c->mapping_bytes)) == 0;
    c->mapping = ::mmap(nullptr, c->mapping_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::shm_unlink(name.c_str());  // both processes hold the mapping; the name is no longer needed
    ::close(fd);
    if (!sized || c->mapping == MAP_FAILED) std::abort();
    auto* rings = static_cast<RingLink::Ring*>(c->mapping);
    new (&rings[0]) RingLink::Ring, new (&rings[1]) RingLink::Ring;
    c->near = std::make_unique<RingLink>(&rings[0], &rings[1]);
    c->far = std::make_unique<RingLink>(&rings[1], &rings[0]);
  }
  return c;
}

}  // namespace tradeoffs
