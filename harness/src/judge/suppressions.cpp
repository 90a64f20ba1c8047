#include "judge/suppressions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <string_view>

#include "core/errors.hpp"

namespace conclab {
namespace {

// TSan's and LSan's suppression types, as the outcomes conclab gives their reports.
const std::map<std::string, std::vector<Outcome>>& tool_types() {
  static const std::map<std::string, std::vector<Outcome>> types{
      {"race", {Outcome::data_race}},
      {"race_top", {Outcome::data_race}},
      {"thread", {Outcome::thread_leak}},
      {"mutex", {Outcome::mutex_misuse}},
      {"signal", {Outcome::signal_unsafe_call}},
      {"deadlock", {Outcome::lock_order_inversion}},
      {"leak", {Outcome::memory_leak}},
  };
  return types;
}

// Glob match with `*` only; iterative, with the usual single backtrack point (linear in practice).
bool glob(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool matches_frame(const Suppression& s, const Frame& frame) {
  return suppression_matches(s.pattern, frame.function) || suppression_matches(s.pattern, frame.file) ||
         suppression_matches(s.pattern, frame.module);
}

bool matches(const Suppression& s, const Finding& f) {
  if (std::find(s.kinds.begin(), s.kinds.end(), f.kind) == s.kinds.end()) return false;
  const auto any_frame = [&](const std::vector<Frame>& frames) {
    if (s.top_only) return !frames.empty() && matches_frame(s, frames.front());
    return std::any_of(frames.begin(), frames.end(), [&](const Frame& frame) { return matches_frame(s, frame); });
  };
  if (f.stacks.empty()) return any_frame(f.frames);
  return std::any_of(f.stacks.begin(), f.stacks.end(), [&](const Stack& stack) {
    return (!s.top_only || stack.role == "access" || stack.role == "previous_access") && any_frame(stack.frames);
  });
}

}  // namespace

bool suppression_matches(const std::string& pattern, const std::string& name) {
  if (name.empty() || pattern.empty()) return false;
  std::string glob_pattern = pattern;
  if (glob_pattern.front() == '^') glob_pattern.erase(0, 1);
  else glob_pattern.insert(0, "*");
  if (glob_pattern.back() == '$') glob_pattern.pop_back();
  else glob_pattern += '*';
  return glob(glob_pattern, name);
}

std::vector<Suppression> load_suppressions(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw HarnessError(fmt::format("--suppress: cannot read '{}'", file.string()));
  std::vector<Suppression> suppressions;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    const auto end = line.find_last_not_of(" \t\r");
    const std::string text = line.substr(start, end - start + 1);
    const auto colon = text.find(':');
    if (colon == std::string::npos || colon + 1 == text.size())
      throw HarnessError(fmt::format("--suppress: {}:{}: expected type:pattern, got '{}'", file.string(), number, text));
    const std::string type = text.substr(0, colon);
    Suppression s;
    s.pattern = text.substr(colon + 1);
    s.top_only = type == "race_top";
    if (const auto known = tool_types().find(type); known != tool_types().end()) s.kinds = known->second;
    else if (const auto outcome = outcome_from_string(type)) s.kinds = {*outcome};
    else
      throw HarnessError(fmt::format("--suppress: {}:{}: unknown type '{}' (TSan's, leak, or an outcome name)",
                                     file.string(), number, type));
    suppressions.push_back(std::move(s));
  }
  return suppressions;
}

void apply_suppressions(Judgement& judgement, const std::vector<Suppression>& suppressions) {
  for (auto& f : judgement.findings) {
    if (f.tool == "watchdog") continue;
    f.suppressed = std::any_of(suppressions.begin(), suppressions.end(), [&](const Suppression& s) { return matches(s, f); });
  }
  decide_outcome(judgement);
}

}  // namespace conclab
