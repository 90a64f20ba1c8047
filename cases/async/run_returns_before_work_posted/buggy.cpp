// Bug: a worker thread runs an io_context, and main posts the requests to it after starting the
//   worker. io_context::run() returns as soon as the loop has no work, and with nothing posted yet
//   it has none: run() returns at once, and the requests main posts later are never run.
// Symptom: none of the requests is handled (0 of 5); a gate makes main post only after run()
//   returned, the order a worker that starts faster than main posts gets anyway.
// Fix: an executor_work_guard counts as work: make it before starting the worker, so run() waits
//   for handlers; reset it once every request is posted, so run() returns when they are done.
// Tools: no detector sees it (no race, valid memory): the program's own check fails under all three.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr int kRequests = 5;
int requests_handled = 0;  // written by the worker's handlers, read by main after join()

conclab::fixture::Gate run_returned;  // the worker's io_context::run() came back

int main() {
  asio::io_context loop;
  std::thread worker([&loop] {
    loop.run();  // returns once the loop has no work left: no handler, no work guard
    run_returned.open();
  });
  // Main posts only after run() returned, as a slower main would. With work to wait for, run()
  // does not return until it is done: the gate stays closed and main goes on after the 200 ms
  // soft limit (the wait gives up once the worker is seen blocked, not running, past it).
  run_returned.wait(200ms);
  for (int r = 0; r < kRequests; ++r) asio::post(loop, [] { ++requests_handled; });
  worker.join();
  return conclab::fixture::expect_eq(requests_handled, kRequests, "requests handled");
}
