// Unlocks a mutex nobody locked, then destroys one still locked.
#include <pthread.h>
int main() {
  pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_unlock(&a);
  pthread_mutex_lock(&b);
  pthread_mutex_destroy(&b);
  return 0;
}
