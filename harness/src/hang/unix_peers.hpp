// unix_peers: the other end of a UNIX socket, from the kernel (sock_diag over netlink,
// UNIX_DIAG_PEER): a socketpair's two ends have inodes of their own, and only the kernel knows
// which one is whose peer.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace conclab {

// "socket:[4711]" -> 4711; nullopt for anything else.
std::optional<std::uint64_t> socket_inode(std::string_view fd_target);

// The inode of the peer of the UNIX socket `inode`; nullopt when it is not a UNIX socket, has no
// peer (unconnected, or the peer is closed), or the kernel cannot be asked.
std::optional<std::uint64_t> unix_peer(std::uint64_t inode);

}  // namespace conclab
