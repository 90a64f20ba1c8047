// A program conclab has never seen: a worker thread writes through a null pointer.
// The volatile keeps the compiler from proving the store undefined and dropping it.
#include <thread>

int main() {
  int* volatile target = nullptr;
  std::thread worker([&] { *target = 42; });
  worker.join();
  return 0;
}
