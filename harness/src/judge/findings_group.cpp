#include "judge/findings_group.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <fmt/format.h>
#include <map>

namespace conclab {
namespace {

constexpr std::size_t kMaxPaths = 32;
constexpr std::size_t kPathDepth = 4;  // own frames shown per access in a call path

// The stacks that say where the bug is: both sides of a race, or the report's first stack.
std::vector<const std::vector<Frame>*> access_stacks(const Finding& f) {
  std::vector<const std::vector<Frame>*> stacks;
  for (const auto& s : f.stacks)
    if (s.role == "access" || s.role == "previous_access") stacks.push_back(&s.frames);
  if (stacks.empty() && !f.frames.empty()) stacks.push_back(&f.frames);
  return stacks;
}

std::string bare_function(const std::string& function) { return function.substr(0, function.find('(')); }

std::string file_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// "2000" and "0x7b04" become "#": what a program's message or a tool's summary says about one run.
std::string masked(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] >= '0' && text[i] <= '9') {
      const auto in_number = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == 'x'; };
      while (i < text.size() && in_number(text[i])) ++i;
      out += '#';
    } else {
      out += text[i++];
    }
  }
  return out;
}

std::string key_of(const Finding& f) {
  std::vector<std::string> places;
  for (const auto* frames : access_stacks(f))
    for (const auto& own : own_frames(*frames, 1))
      places.push_back(fmt::format("{}:{} {}", file_name(own.file), own.line, bare_function(own.function)));
  std::sort(places.begin(), places.end());
  std::string key = fmt::format("{}|{}|", to_string(f.kind), f.tool);
  if (places.empty()) return key + masked(f.summary);
  for (const auto& place : places) key += place + ";";
  return key;
}

std::string call_path(const Finding& f) {
  std::vector<std::string> sides;
  for (const auto* frames : access_stacks(f)) {
    std::string side;
    for (const auto& own : own_frames(*frames, kPathDepth)) side += (side.empty() ? "" : " < ") + bare_function(own.function);
    if (!side.empty()) sides.push_back(std::move(side));
  }
  std::string path;
  for (const auto& side : sides) path += (path.empty() ? "" : " | ") + side;
  return path;
}

std::string fnv1a(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return fmt::format("{:016x}", hash);
}

}  // namespace

std::string fingerprint_of(const Finding& finding) { return fnv1a(key_of(finding)); }

std::vector<Finding> group_findings(std::vector<Finding> findings) {
  std::vector<Finding> grouped;
  std::map<std::string, std::size_t> index;  // fingerprint -> position in grouped
  for (auto& f : findings) {
    f.fingerprint = fingerprint_of(f);
    const auto path = call_path(f);
    const auto [at, added] = index.emplace(f.fingerprint, grouped.size());
    if (added) {
      if (!path.empty() && f.paths.empty()) f.paths.push_back(path);
      grouped.push_back(std::move(f));
      continue;
    }
    auto& first = grouped[at->second];
    first.count += f.count;
    if (!path.empty() && first.paths.size() < kMaxPaths &&
        std::find(first.paths.begin(), first.paths.end(), path) == first.paths.end())
      first.paths.push_back(path);
  }
  return grouped;
}

}  // namespace conclab
