// Bug (fixed here): restock() held the inventory's std::mutex and called the public adjust(),
//   which locked the same non-recursive mutex again: the thread waited forever for itself.
// Symptom was a hang on the first restock(); now the delivery is booked and 27 apples remain.
// Fix: the work lives in a private adjust_locked() that expects the caller to hold the lock;
//   each public method takes the lock exactly once and calls it.
// Tools: release, ASan and TSan report nothing.
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "conclab/annotations.hpp"
#include "conclab/invariant.hpp"

class Inventory {
 public:
  // Adds `delta` (negative for a sale) to the stock of `item`.
  void adjust(const std::string& item, int delta) EXCLUDES(m_) {
    std::lock_guard lock(m_);
    adjust_locked(item, delta);
  }

  // Books a whole delivery at once, so no reader ever sees half of it.
  void restock(const std::vector<std::pair<std::string, int>>& delivery) {
    std::lock_guard lock(m_);
    for (const auto& [item, count] : delivery) adjust_locked(item, count);
  }

  int in_stock(const std::string& item) {
    std::lock_guard lock(m_);
    const auto found = stock_.find(item);
    return found == stock_.end() ? 0 : found->second;
  }

 private:
  // The caller holds m_. Public methods lock; private *_locked ones never do.
  void adjust_locked(const std::string& item, int delta) REQUIRES(m_) { stock_[item] += delta; }

  std::mutex m_;
  std::map<std::string, int> stock_ GUARDED_BY(m_);
};

int main() {
  Inventory inventory;
  inventory.adjust("apples", 10);
  std::thread till([&] { inventory.adjust("apples", -3); });
  std::thread loading_dock([&] { inventory.restock({{"apples", 20}, {"pears", 5}}); });
  till.join();
  loading_dock.join();
  return conclab::fixture::expect_eq(inventory.in_stock("apples"), 27, "apples in stock");
}
