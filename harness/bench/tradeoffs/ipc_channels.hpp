// The four channels of the IPC section, each a pair of one-way links (there and back):
//  - queue: a bounded mutex+condition-variable queue of byte vectors between two threads;
//  - pipe, UNIX socket (socketpair, SOCK_STREAM): kernel buffers between two processes;
//  - shm ring: a single-producer single-consumer byte ring in POSIX shared memory (shm_open, named
//    with our pid, unlinked as soon as it is mapped) between two processes; a waiting side spins
//    briefly, then sleeps on a futex (shm_ring.hpp). Every link copies a message twice (in, out), as
//    a pipe does.
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
#include "shm_ring.hpp"

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

// Two rings in one MAP_SHARED mapping, one per direction (shm_ring.hpp has the protocol).
class RingLink : public Link {
 public:
  using Ring = ShmRing<FutexOps>;
  RingLink(Ring* out, Ring* in) : out_(out), in_(in) {}
  void send(const char* data, std::size_t size) override { out_->send(data, size); }
  void recv(char* data, std::size_t size) override { in_->recv(data, size); }

 private:
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
