#include "report.hpp"

#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace conclab::procsan {
namespace {

// backtrace() loads libgcc_s the first time, which allocates: do it while the process starts, so
// that later captures (in a fork child, say) only walk the stack.
__attribute__((constructor)) void prime_unwinder() {
  void* frame[1];
  backtrace(frame, 1);
}

struct Buffer {
  char text[8192];
  std::size_t used = 0;
  void add(const char* s) noexcept {
    const std::size_t n = std::strlen(s);
    const std::size_t room = sizeof text - used;
    const std::size_t take = n < room ? n : room;
    std::memcpy(text + used, s, take);
    used += take;
  }
};

// "    <label> #<i> <module>+0x<offset>" lines: addresses as offsets into their ELF file, which
// conclab resolves to function and file:line (llvm-symbolizer, addr2line) like any other report.
void add_stack(Buffer& out, const char* label, const Stack& stack) noexcept {
  for (int i = 0; i < stack.size; ++i) {
    Dl_info info{};
    char line[768];
    // Each frame is a return address, just after its call: one byte back is inside the call.
    const auto pc = reinterpret_cast<char*>(stack.frames[i]) - 1;
    if (dladdr(pc, &info) != 0 && info.dli_fname != nullptr && info.dli_fbase != nullptr)
      format(line, "    %s #%d %s+0x%lx\n", label, i, info.dli_fname,
             static_cast<unsigned long>(pc - static_cast<char*>(info.dli_fbase)));
    else
      format(line, "    %s #%d 0x%lx\n", label, i, reinterpret_cast<unsigned long>(pc));
    out.add(line);
  }
}

}  // namespace

void capture(Stack& stack) noexcept {
  void* frames[kMaxFrames + 8];
  const int n = backtrace(frames, kMaxFrames + 8);
  // The frames of procsan itself (this function, the interceptor, its helpers) come first: the
  // stack starts at the program's own call.
  Dl_info self{}, frame{};
  ::dladdr(reinterpret_cast<void*>(&report), &self);
  int own = 0;
  while (own < n && ::dladdr(frames[own], &frame) != 0 && frame.dli_fbase == self.dli_fbase) ++own;
  stack.size = n - own < kMaxFrames ? n - own : kMaxFrames;
  for (int i = 0; i < stack.size; ++i) stack.frames[i] = frames[i + own];
}

void report(const char* kind, const char* message, const Stack& at, const Stack* cause) noexcept {
  const char* file = std::getenv("CONCLAB_PROCSAN_LOG");
  Buffer out;
  char head[1024];
  out.add(format(head, "==procsan== %s pid %ld: %s\n", kind, static_cast<long>(::getpid()), message));
  add_stack(out, "at", at);
  if (cause != nullptr) add_stack(out, "cause", *cause);
  out.add("==procsan== end\n");
  const int fd = file != nullptr && *file != '\0' ? ::open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)
                                                  : ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
  if (fd < 0) return;
  [[maybe_unused]] const auto written = ::write(fd, out.text, out.used);
  ::close(fd);
}

}  // namespace conclab::procsan
