// Bug: an exporter streams a 1.3 MB report into a pipe to a preview process that shows the first
//   five rows and quits, like `head -n 5`. Writing to a pipe nobody reads any more raises SIGPIPE,
//   whose default action kills the exporter: silently, before its error handling ever runs.
// Symptom: the exporter dies of SIGPIPE on every run (a shell shows exit status 141), no message.
// Fix: ignore SIGPIPE; the write then fails with EPIPE, which here means "the reader is done".
// Tools: release, ASan and TSan all see the kernel kill the process with SIGPIPE: a crash.
#include <sys/wait.h>

#include <boost/asio.hpp>
#include <boost/process/v2.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include "conclab/invariant.hpp"

namespace asio = boost::asio;
namespace bp = boost::process::v2;

constexpr int kRows = 50000;  // about 1.3 MB: 20 times what a pipe holds (64 KiB)
constexpr int kPreviewRows = 5;

// The preview process: shows the first rows, then quits without reading the rest.
int run_preview() {
  std::string line;
  for (int row = 0; row < kPreviewRows && std::getline(std::cin, line); ++row) {
    std::cout << "preview: " << line << '\n';
  }
  return 0;  // exiting closes the pipe's only read end
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--preview") return run_preview();
  // A write to a pipe nobody reads now fails with EPIPE instead of killing us. (SIG_IGN survives
  // exec, so the preview inherits it too: harmless for a process that only reads.)
  std::signal(SIGPIPE, SIG_IGN);
  std::string report;
  for (int row = 0; row < kRows; ++row) {
    report += "order-" + std::to_string(row) + ",widget,3,19.99\n";
  }

  asio::io_context io;
  asio::writable_pipe to_preview(io);
  // Re-executes this program as the preview; its stdin is the pipe's read end.
  bp::process preview(io, "/proc/self/exe", {"--preview"}, bp::process_stdio{to_preview, {}, {}});

  bool failed = false;
  asio::async_write(to_preview, asio::buffer(report),
                    [&](const boost::system::error_code& error, std::size_t written) {
                      if (error == asio::error::broken_pipe) {  // EPIPE: the reader is done
                        std::printf("preview closed after %zu of %zu bytes\n", written,
                                    report.size());
                      } else if (error) {
                        std::fprintf(stderr, "export failed after %zu bytes: %s\n", written,
                                     error.message().c_str());
                        failed = true;
                      }
                      to_preview.close();  // end of file for the preview
                    });
  int status = -1;
  preview.async_wait([&](const boost::system::error_code&, int) {
    status = preview.native_exit_code();  // the wait status: exit code or signal
  });
  io.run();
  if (failed) return 1;
  return conclab::fixture::expect_eq(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0,
                                     "preview's exit status");
}
