#include "hang/unix_peers.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

namespace conclab {

std::optional<std::uint64_t> socket_inode(std::string_view fd_target) {
  constexpr std::string_view prefix = "socket:[";
  if (!fd_target.starts_with(prefix) || !fd_target.ends_with(']')) return std::nullopt;
  const auto digits = fd_target.substr(prefix.size(), fd_target.size() - prefix.size() - 1);
  std::uint64_t inode = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), inode);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return inode;
}

std::optional<std::uint64_t> unix_peer(std::uint64_t inode) {
  if (inode == 0 || inode > UINT32_MAX) return std::nullopt;  // the request carries 32 bits
  const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return std::nullopt;
  // The kernel answers at once; the limit only bounds a kernel that never does.
  const timeval limit{0, 200'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  struct {
    nlmsghdr header;
    unix_diag_req request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST;  // one socket, by inode (no dump)
  message.request.sdiag_family = AF_UNIX;
  message.request.udiag_states = ~0u;
  message.request.udiag_ino = static_cast<std::uint32_t>(inode);
  message.request.udiag_show = UDIAG_SHOW_PEER;
  message.request.udiag_cookie[0] = message.request.udiag_cookie[1] = ~0u;  // INET_DIAG_NOCOOKIE: any
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  std::optional<std::uint64_t> peer;
  if (::sendto(fd, &message, sizeof message, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) ==
      static_cast<ssize_t>(sizeof message)) {
    alignas(nlmsghdr) char buffer[8192];
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      auto* h = reinterpret_cast<nlmsghdr*>(buffer);
      int left = static_cast<int>(n);
      for (; NLMSG_OK(h, left) && !peer; h = NLMSG_NEXT(h, left)) {
        if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len < NLMSG_LENGTH(sizeof(unix_diag_msg))) break;
        const auto* answer = static_cast<const unix_diag_msg*>(NLMSG_DATA(h));
        if (answer->udiag_ino != inode) continue;
        int attributes_left = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *answer));
        auto* attribute = reinterpret_cast<rtattr*>(const_cast<unix_diag_msg*>(answer) + 1);
        for (; RTA_OK(attribute, attributes_left); attribute = RTA_NEXT(attribute, attributes_left)) {
          if (attribute->rta_type != UNIX_DIAG_PEER || RTA_PAYLOAD(attribute) < sizeof(std::uint32_t)) continue;
          std::uint32_t value = 0;
          std::memcpy(&value, RTA_DATA(attribute), sizeof value);
          if (value != 0) peer = value;
        }
      }
    }
  }
  ::close(fd);
  return peer;
}

}  // namespace conclab
