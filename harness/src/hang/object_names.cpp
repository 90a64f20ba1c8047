// Names what a thread waits on by where it sits: a global or static variable by its ELF symbol,
// otherwise the heap or a thread's stack; a pipe or a socket by who holds its other end.
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "hang/hang.hpp"
#include "hang/stacks.hpp"

namespace conclab {
namespace {

struct Mapping {
  std::uint64_t start = 0, end = 0, offset = 0;
  std::string path;  // a file, "[heap]", "[stack]", or empty for anonymous memory
};

std::vector<Mapping> mappings_of(pid_t pid) {
  std::vector<Mapping> maps;
  std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string range, perms, offset, device, inode, path;
    if (!(fields >> range >> perms >> offset >> device >> inode)) continue;
    std::getline(fields >> std::ws, path);
    Mapping m;
    const auto dash = range.find('-');
    if (dash == std::string::npos) continue;
    m.start = std::stoull(range.substr(0, dash), nullptr, 16);
    m.end = std::stoull(range.substr(dash + 1), nullptr, 16);
    m.offset = std::stoull(offset, nullptr, 16);
    m.path = path;
    maps.push_back(std::move(m));
  }
  return maps;
}

bool is_fixed_position(const std::string& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  Elf64_Ehdr header{};
  const auto n = ::pread(fd, &header, sizeof header, 0);
  ::close(fd);
  return n == sizeof header && header.e_type == ET_EXEC;
}

// Where `address` sits: a module and the address the module's symbol table uses, or a kind of
// memory ("heap", "stack").
struct Place {
  std::string module;
  std::uint64_t file_address = 0;
  std::string memory;
};

Place place_of(const std::vector<Mapping>& maps, const procfs::ProcessSample& p, std::uint64_t address) {
  for (std::size_t i = 0; i < maps.size(); ++i) {
    const auto& m = maps[i];
    if (address < m.start || address >= m.end) continue;
    // A large .bss continues past the file's last page as anonymous memory right after it.
    const auto* file = &m;
    if (m.path.empty() && i > 0 && maps[i - 1].end == m.start && maps[i - 1].path.starts_with('/')) file = &maps[i - 1];
    if (file->path.starts_with('/')) {
      std::uint64_t base = 0;  // where the module's first byte is loaded
      for (const auto& other : maps)
        if (other.path == file->path && other.offset == 0) base = other.start;
      return {file->path, is_fixed_position(file->path) ? address : address - base, {}};
    }
    if (m.path == "[stack]") return {{}, 0, "stack"};
    for (const auto& t : p.threads)
      if (t.user_sp >= m.start && t.user_sp < m.end) return {{}, 0, "stack"};
    return {{}, 0, "heap"};
  }
  return {{}, 0, {}};
}

// llvm-symbolizer's DATA lookups, one call for a module: the names in order, "" where none.
std::vector<std::string> data_symbols(const std::string& module, const std::vector<std::uint64_t>& addresses) {
  std::vector<std::string> args{"--obj=" + module, "--demangle"};
  for (auto a : addresses) args.push_back(fmt::format("DATA {:#x}", a));
  std::string text = run_tool("llvm-symbolizer", args);
  if (text.empty()) text = run_tool("llvm-symbolizer-14", args);
  // Each answer: the name (or "??"), "start size", and an empty line.
  std::vector<std::string> names;
  std::istringstream lines(text);
  for (std::string name, range, blank; std::getline(lines, name) && std::getline(lines, range);) {
    names.push_back(name == "??" ? "" : name);
    std::getline(lines, blank);
  }
  if (names.size() != addresses.size()) names.assign(addresses.size(), "");
  return names;
}

// "fd 5 of pid 41, fd 4 of pid 42": the descriptors of the tree open on `object` in the mode
// asked for (writers or readers; a socket is open both ways). The waiter's own count: a reader
// that holds its pipe's write end itself is the classic bug.
std::string holders_named(const std::vector<procfs::ProcessSample>& tree, const std::string& object, bool writers) {
  constexpr std::size_t kNamed = 4;
  std::vector<std::string> named;
  std::size_t more = 0;
  for (const auto& p : tree) {
    for (const auto& fd : p.fds) {
      if (fd.target != object || !fd.open_for(writers)) continue;
      if (named.size() < kNamed) named.push_back(fmt::format("fd {} of pid {}", fd.fd, p.pid));
      else ++more;
    }
  }
  if (named.empty()) return "none in the run";
  std::string text;
  for (const auto& n : named) text += (text.empty() ? "" : ", ") + n;
  if (more > 0) text += fmt::format(" and {} more", more);
  return text;
}

// The other end of a pipe or socket wait, by the descriptors that hold it.
void name_other_end(const std::vector<procfs::ProcessSample>& tree, Wait& w) {
  if (w.waits_for == "pipe_read") w.object += " (write end: " + holders_named(tree, w.object, true) + ")";
  else if (w.waits_for == "pipe_write") w.object += " (read end: " + holders_named(tree, w.object, false) + ")";
  else if (w.waits_for.starts_with("socket_") && !w.peer.empty())
    w.object += " (peer " + w.peer + ": " + holders_named(tree, w.peer, true) + ")";
}

}  // namespace

void name_objects(const std::vector<procfs::ProcessSample>& tree, std::vector<Wait>& waits) {
  std::map<pid_t, std::vector<Mapping>> maps;
  std::map<std::string, std::vector<std::pair<Wait*, std::uint64_t>>> by_module;
  for (auto& w : waits) {
    name_other_end(tree, w);
    if (w.address == 0 || (w.waits_for != "mutex" && w.waits_for != "futex")) continue;
    const auto process = std::find_if(tree.begin(), tree.end(), [&](const auto& p) { return p.pid == w.thread.pid; });
    if (process == tree.end()) continue;
    if (!maps.count(w.thread.pid)) maps[w.thread.pid] = mappings_of(w.thread.pid);
    const auto place = place_of(maps[w.thread.pid], *process, w.address);
    if (!place.module.empty()) by_module[place.module].emplace_back(&w, place.file_address);
    else if (!place.memory.empty()) w.object += " (" + place.memory + ")";
  }
  for (auto& [module, asked] : by_module) {
    std::vector<std::uint64_t> addresses;
    for (const auto& [w, a] : asked) addresses.push_back(a);
    const auto names = data_symbols(module, addresses);
    for (std::size_t i = 0; i < asked.size(); ++i) {
      auto& w = *asked[i].first;
      const auto kind = w.object.substr(0, w.object.find(' '));
      const auto rest = w.object.substr(w.object.find(" 0x") + 1);  // "0x..." and what follows it
      if (!names[i].empty()) w.object = fmt::format("{} {} ({})", kind, names[i], rest);
      else w.object += " (in " + module.substr(module.rfind('/') + 1) + ")";
    }
  }
}

}  // namespace conclab
