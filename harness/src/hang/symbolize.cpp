// Source lines for frames eu-stack left without, from llvm-symbolizer or binutils addr2line.
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hang/stacks.hpp"

namespace conclab {
namespace {

// The address a symbolizer expects for the module's code at `where`: the offset from the load
// address for a position-independent module (its first segment sits at 0), the run-time address
// for a fixed-position executable. nullopt when the file is no ELF we can read.
std::optional<std::uint64_t> file_address(const CodeAddress& where) {
  const int fd = ::open(where.module.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  Elf64_Ehdr header{};
  const auto n = ::pread(fd, &header, sizeof header, 0);
  ::close(fd);
  if (n != sizeof header || std::string_view(reinterpret_cast<const char*>(header.e_ident), 4) != ELFMAG) return std::nullopt;
  return header.e_type == ET_EXEC ? where.load + where.offset : where.offset;
}

// One symbolized address: its frames, innermost (an inlined callee) first.
using Lookup = std::vector<Frame>;

std::vector<Lookup> with_llvm_symbolizer(const std::string& module, const std::vector<std::uint64_t>& addresses) {
  std::vector<std::string> args{"--obj=" + module, "--output-style=JSON", "--demangle"};
  for (auto a : addresses) args.push_back(fmt::format("{:#x}", a));
  std::vector<Lookup> lookups;
  for (const char* tool : {"llvm-symbolizer", "llvm-symbolizer-14"}) {
    const auto text = run_tool(tool, args);
    if (text.empty()) continue;
    try {
      for (const auto& item : nlohmann::json::parse(text)) {
        Lookup lookup;
        for (const auto& symbol : item.value("Symbol", nlohmann::json::array()))
          lookup.push_back(Frame{symbol.value("FunctionName", ""), symbol.value("FileName", ""), symbol.value("Line", 0), {}});
        lookups.push_back(std::move(lookup));
      }
    } catch (const nlohmann::json::exception&) {
      lookups.clear();
    }
    return lookups;
  }
  return lookups;
}

// binutils: "0x..." opens each address; then function and file:line pairs, one per inlined call.
std::vector<Lookup> with_addr2line(const std::string& module, const std::vector<std::uint64_t>& addresses) {
  std::vector<std::string> args{"-a", "-f", "-C", "-i", "-e", module};
  for (auto a : addresses) args.push_back(fmt::format("{:#x}", a));
  std::istringstream text(run_tool("addr2line", args));
  std::vector<Lookup> lookups;
  for (std::string line; std::getline(text, line);) {
    if (line.starts_with("0x")) {
      lookups.emplace_back();
    } else if (!lookups.empty()) {
      Frame frame;
      frame.function = line;
      if (std::getline(text, line)) parse_source_line(line.substr(0, line.find(" (")), frame);  // " (discriminator 2)"
      lookups.back().push_back(std::move(frame));
    }
  }
  return lookups;
}

bool has_line(const Frame& f) { return !f.file.empty() && f.file != "??" && f.line > 0; }

}  // namespace

void add_missing_lines(std::map<pid_t, std::vector<Frame>>& stacks, const std::vector<CodeAddress>& addresses) {
  std::map<std::string, std::vector<const CodeAddress*>> by_module;
  for (const auto& where : addresses) {
    const auto& frames = stacks[where.tid];
    if (where.frame < frames.size() && !has_line(frames[where.frame]) && !where.module.empty())
      by_module[where.module].push_back(&where);
  }
  // Replacing one frame by its inlined chain moves the frames after it: apply from the last back.
  std::map<std::pair<pid_t, std::size_t>, Lookup, std::greater<>> found;
  for (const auto& [module, wheres] : by_module) {
    std::vector<std::uint64_t> file_addresses;
    std::vector<const CodeAddress*> asked;
    for (const auto* where : wheres) {
      if (const auto a = file_address(*where)) {
        file_addresses.push_back(*a);
        asked.push_back(where);
      }
    }
    if (asked.empty()) continue;
    auto lookups = with_llvm_symbolizer(module, file_addresses);
    if (lookups.size() != asked.size()) lookups = with_addr2line(module, file_addresses);
    if (lookups.size() != asked.size()) continue;
    for (std::size_t i = 0; i < asked.size(); ++i)
      if (!lookups[i].empty() && has_line(lookups[i].front())) found[{asked[i]->tid, asked[i]->frame}] = std::move(lookups[i]);
  }
  for (auto& [at, lookup] : found) {
    auto& frames = stacks[at.first];
    const std::string module = frames[at.second].module;
    const std::string outer_function = frames[at.second].function;
    for (auto& f : lookup) {
      f.module = module;
      if (f.function.empty() || f.function == "??") f.function = outer_function;
    }
    frames.erase(frames.begin() + static_cast<std::ptrdiff_t>(at.second));
    frames.insert(frames.begin() + static_cast<std::ptrdiff_t>(at.second), lookup.begin(), lookup.end());
  }
}

}  // namespace conclab
