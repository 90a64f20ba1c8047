// TSan thread leak: start_and_forget() creates a joinable thread that nobody joins.
#include <pthread.h>

void* work(void*) { return nullptr; }

void start_and_forget() {
  pthread_t thread;
  pthread_create(&thread, nullptr, work, nullptr);
}

int main() {
  start_and_forget();
  return 0;
}
