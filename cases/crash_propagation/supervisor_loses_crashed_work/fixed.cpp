// Bug: a supervisor runs four batches of orders, a worker process each, and files the total each
//   worker prints. Batch 2's worker dies of SIGSEGV (a null price: "figs" left the catalog), and
//   the supervisor, taking "the worker ended" for "the batch is done", never asks how it ended.
// Symptom: 3 batch totals instead of 4, every run, and nothing says why.
// Fix: check each worker's wait status (WIFSIGNALED on native_exit_code()); rerun a crashed batch.
// Tools: the crash stays inside its worker; release, ASan and TSan see only the short tally.
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <boost/asio.hpp>
#include <boost/process/v2.hpp>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "conclab/invariant.hpp"

namespace asio = boost::asio;
namespace bp = boost::process::v2;

struct Order { const char* sku; long quantity; };
constexpr int kBatchCount = 4;
const std::vector<Order> kBatches[kBatchCount] = {
    {{"apple", 3}, {"bread", 1}}, {{"cheese", 2}, {"apple", 10}},
    {{"dates", 1}, {"figs", 4}, {"bread", 2}}, {{"bread", 5}}};
const std::map<std::string_view, long> kCatalog = {
    {"apple", 45}, {"bread", 250}, {"cheese", 799}, {"dates", 1299}};  // cents

// The price of a SKU, or nullptr when the catalog has none. (Out of line, so that the optimizer
// cannot turn the null dereference below into a trap instruction: this case is about SIGSEGV.)
[[gnu::noinline]] const long* find_price(std::string_view sku) {
  const auto it = kCatalog.find(sku);
  return it == kCatalog.end() ? nullptr : &it->second;
}

// The worker process: prices its batch, prints the total; in quarantine, sets bad orders aside.
int run_worker(int batch, std::string_view mode) {
  const bool quarantine = mode == "--quarantine";
  // A sanitizer's handler would print a SEGV report on the stderr we share with the supervisor;
  // with the default action the kernel just kills this process, and the supervisor sees a signal.
  signal(SIGSEGV, SIG_DFL);
  long total = 0;
  for (const Order& order : kBatches[batch]) {
    const long* price = find_price(order.sku);
    if (quarantine && price == nullptr) {
      std::fprintf(stderr, "batch %d: set aside %ld x %s\n", batch, order.quantity, order.sku);
      continue;
    }
    total += order.quantity * *price;  // "figs": SIGSEGV
  }
  std::printf("total %ld\n", total);
  return 0;
}

// A worker process running one batch (this program, re-executed), and what it printed.
struct Worker {
  Worker(asio::io_context& io, int batch, bool quarantine)
      : out(io),
        process(io, "/proc/self/exe",
                {"--worker", std::to_string(batch), quarantine ? "--quarantine" : "--trust"},
                bp::process_stdio{{}, out, {}}) {}
  asio::readable_pipe out;  // the worker's stdout
  bp::process process;
  std::string output;
};

// Runs `batch` in a fresh worker; files the total it printed, or reruns the batch if it crashed.
void supervise(asio::io_context& io, int batch, std::map<int, long>& totals, bool quarantine) {
  auto worker = std::make_shared<Worker>(io, batch, quarantine);
  asio::async_read(worker->out, asio::dynamic_buffer(worker->output), [=, &io, &totals](auto...) {
    worker->process.async_wait([=, &io, &totals](auto...) {  // end of file: reap it
      // How did it end? exit_code() folds a signal into a number; the wait status tells them apart.
      const int status = worker->process.native_exit_code();
      if (WIFSIGNALED(status)) {
        std::printf("batch %d: worker died of SIG%s\n", batch, sigabbrev_np(WTERMSIG(status)));
        if (!quarantine) supervise(io, batch, totals, true);  // once: a crash again is a failure
        return;
      }
      long total = 0;
      if (std::sscanf(worker->output.c_str(), "total %ld", &total) == 1) totals[batch] = total;
    });
  });
}

int main(int argc, char** argv) {
  if (argc == 4 && std::string_view(argv[1]) == "--worker") {
    return run_worker(std::stoi(argv[2]), argv[3]);
  }
  asio::io_context io;
  std::map<int, long> totals;
  for (int batch = 0; batch < kBatchCount; ++batch) supervise(io, batch, totals, false);
  io.run();
  for (const auto& [batch, total] : totals) std::printf("batch %d: %ld cents\n", batch, total);
  return conclab::fixture::expect_eq(totals.size(), kBatchCount, "batch totals");
}
