// Bug: transfer(), an asio::awaitable coroutine, locks the bank's std::mutex and co_awaits the
//   audit log's write with the lock still held. The io_context runs on one thread: while the first
//   transfer is suspended there, the loop starts the second, which locks the same mutex on the same
//   thread. The one thread that could resume the first transfer (and unlock) now waits for it.
// Symptom: hangs on every run, in the second transfer's lock; no schedule is needed (the loop runs
//   the coroutines in FIFO order: the second starts while the first waits for its log write).
// Fix: lock only around the synchronous update; co_await the log write after the lock's scope.
// Tools: no sanitizer reports anything (TSan included); conclab's hang explainer: the loop thread
//   waits for a mutex it owns itself; clang-tidy: misc-coroutine-hostile-raii on the lock_guard.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "conclab/annotations.hpp"
#include "conclab/invariant.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;

// The accounts, shared by every transfer; the mutex is there for the day io.run() gets threads.
struct Bank {
  std::mutex mutex;
  long balances[2] CONCLAB_GUARDED_BY(mutex) = {1000, 0};
  std::vector<std::string> audit_log;
  long balance(int account) {
    std::lock_guard lock(mutex);
    return balances[account];
  }
} bank;

// Writes one line to the audit log. The timer stands for the disk's latency: the coroutine is
// suspended meanwhile, and the loop runs whatever else is ready.
asio::awaitable<void> write_audit_line(std::string line) {
  asio::steady_timer disk(co_await asio::this_coro::executor, 1ms);
  co_await disk.async_wait(asio::use_awaitable);
  bank.audit_log.push_back(std::move(line));
}

// Moves `amount` from account `from` to account `to`, and logs it.
asio::awaitable<void> transfer(int from, int to, long amount) {
  std::lock_guard lock(bank.mutex);  // held to the end of the coroutine, across its co_await
  if (bank.balances[from] < amount) co_return;
  bank.balances[from] -= amount;
  bank.balances[to] += amount;
  co_await write_audit_line("moved " + std::to_string(amount));
}

int main() {
  asio::io_context io;  // one thread: the coroutines interleave at their co_awaits
  asio::co_spawn(io, transfer(0, 1, 100), asio::detached);
  asio::co_spawn(io, transfer(0, 1, 200), asio::detached);
  io.run();
  if (int failed = conclab::fixture::expect_eq(bank.balance(1), 300, "balance of account 1")) {
    return failed;
  }
  return conclab::fixture::expect_eq(static_cast<long long>(bank.audit_log.size()), 2, "log lines");
}
