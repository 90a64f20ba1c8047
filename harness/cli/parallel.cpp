#include "parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace conclab::cli {

void parallel_for(int jobs, std::size_t count, const std::function<bool()>& stopped,
                  const std::function<void(std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, jobs); ++t) {
    threads.emplace_back([&] {
      try {
        for (std::size_t i; !stopped() && (i = next++) < count;) work(i);
      } catch (...) {  // a harness error in one run stops the others, after they end
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = count;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace conclab::cli
