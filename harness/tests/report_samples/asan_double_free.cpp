// ASan double-free: free_twice() deletes the same int twice.
void free_twice() {
  int* volatile p = new int(1);
  delete p;
  delete p;
}

int main() { free_twice(); }
