// Bug: the producer publishes a price table in a POSIX shared-memory object for a consumer
//   process. Both close the descriptor and munmap the table, but nobody calls shm_unlink(): like
//   a file, the object lives on under its name in /dev/shm until someone unlinks it or reboots.
// Symptom: every run is correct and leaves its table behind: /dev/shm/conclab.<run>.prices.
// Fix: the producer owns the name (ShmName) and unlinks it when done, on every path out.
// Tools: no detector tracks named kernel objects (LSan sees the heap only); conclab: ipc_leak.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/process/v2.hpp>
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <string_view>

#include "conclab/invariant.hpp"
#include "conclab/ipc.hpp"

namespace bp = boost::process::v2;

constexpr int kItems = 512;
struct PriceTable {
  long cents[kItems];
};
constexpr long kTotal = kItems * (kItems + 1) / 2;  // item i costs i + 1 cents

// Owns a shared-memory object's name: unlinks it on every path out of the producer. Mappings and
// descriptors still open (the consumer's) keep working; the memory goes with the last of them.
struct ShmName {
  std::string name;
  ~ShmName() { shm_unlink(name.c_str()); }
};

// The consumer (this program, run with --consumer NAME): maps the table by its name, read-only.
int consume(const char* name) {
  const int fd = shm_open(name, O_RDONLY, 0);
  if (fd < 0) return 2;
  void* mapped = mmap(nullptr, sizeof(PriceTable), PROT_READ, MAP_SHARED, fd, 0);
  close(fd);  // the mapping stays valid without the descriptor
  if (mapped == MAP_FAILED) return 2;
  long total = 0;
  for (long cents : static_cast<const PriceTable*>(mapped)->cents) total += cents;
  munmap(mapped, sizeof(PriceTable));
  return conclab::fixture::expect_eq(total, kTotal, "total the consumer read");
}

int main(int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[1]) == "--consumer") return consume(argv[2]);
  const std::string name = conclab::fixture::ipc_name("prices");
  const int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0) return 2;
  const ShmName owner{name};  // created it, so it unlinks it
  void* mapped = MAP_FAILED;
  if (ftruncate(fd, sizeof(PriceTable)) == 0) {
    mapped = mmap(nullptr, sizeof(PriceTable), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  }
  close(fd);
  if (mapped == MAP_FAILED) return 2;
  auto* table = new (mapped) PriceTable;
  for (int i = 0; i < kItems; ++i) table->cents[i] = i + 1;
  munmap(mapped, sizeof(PriceTable));  // done writing; the object keeps the data
  int status = -1;
  try {
    boost::asio::io_context io;
    bp::process consumer(io, "/proc/self/exe", {"--consumer", name});
    consumer.wait();
    status = consumer.native_exit_code();  // a wait status: exit_code() would fold in signals
  } catch (const std::exception& error) {
    std::fprintf(stderr, "cannot run the consumer: %s\n", error.what());
  }
  return conclab::fixture::expect_eq(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0,
                                     "consumer's exit status");
}
