// Bug: a client and the inventory server it starts talk over a socketpair(AF_UNIX), and each side
//   waits for the other's hello before it sends its own. Both block in read() on the first line:
//   a protocol deadlock, no schedule needed.
// Symptom: nothing is exchanged; both processes hang, every run.
// Fix: the server speaks first (its greeting, then it reads), as in SMTP; the client answers.
// Tools: no detector looks across processes; conclab reports an ipc_deadlock under all three.
#include <sys/socket.h>
#include <unistd.h>

#include <boost/process/v2.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>

#include "conclab/invariant.hpp"

namespace bp = boost::process::v2;
using conclab::fixture::expect_eq;

[[noreturn]] void fail(const char* call) {
  throw std::system_error(errno, std::generic_category(), call);
}

// One line of the protocol, without its '\n'; empty at end of file.
std::string read_line(int fd) {
  std::string line;
  for (char c; read(fd, &c, 1) == 1 && c != '\n';) line += c;
  return line;
}

void send_line(int fd, std::string_view line) {
  const std::string framed = std::string(line) + '\n';
  if (write(fd, framed.data(), framed.size()) != static_cast<ssize_t>(framed.size())) fail("write");
}

// The server's side, on stdin/stdout (the socket, as under inetd): hello, then a reply per request.
int run_server() {
  send_line(STDOUT_FILENO, "HELLO inventory-server/1");  // the server speaks first
  if (read_line(STDIN_FILENO).rfind("HELLO ", 0) != 0) return 1;
  for (std::string request; !(request = read_line(STDIN_FILENO)).empty();) {
    send_line(STDOUT_FILENO, request == "STOCK bolt" ? "42" : "unknown");
  }
  return 0;
}

// The client's side of the handshake: returns the server's greeting.
std::string handshake(int sock) {
  std::string greeting = read_line(sock);  // waits for the server's hello
  send_line(sock, "HELLO stock-client/1");
  return greeting;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--server") == 0) return run_server();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) fail("socketpair");
  boost::asio::io_context io;
  bp::process server(io, "/proc/self/exe", {"--server"}, bp::process_stdio{sv[1], sv[1], {}});
  close(sv[1]);  // the server's end
  const std::string greeting = handshake(sv[0]);
  send_line(sv[0], "STOCK bolt");
  const std::string stock = read_line(sv[0]);
  close(sv[0]);  // end of file: the server's loop ends
  server.wait();
  std::printf("%s: %s bolts in stock\n", greeting.c_str(), stock.c_str());
  if (int failed = expect_eq(greeting == "HELLO inventory-server/1", 1, "server greeted")) {
    return failed;
  }
  if (int failed = expect_eq(std::atoi(stock.c_str()), 42, "bolts in stock")) return failed;
  return expect_eq(server.native_exit_code(), 0, "server's wait status");
}
