// ASan heap-use-after-free: read_after_free() returns a value read from a deleted int.
int read_after_free() {
  int* volatile p = new int(7);
  delete p;
  return *p;
}

int main() { return read_after_free(); }
