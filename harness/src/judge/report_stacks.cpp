#include "judge/report_stacks.hpp"

#include <algorithm>

#include "judge/report_text.hpp"

namespace conclab::reports::detail {
namespace {

using namespace std::string_view_literals;
constexpr auto npos = std::string_view::npos;

// "Previous write of size 4 at 0x... by thread T2 (mutexes: write M0):" (TSan) or "READ of size 4
// at 0x... thread T0" (ASan): the access kind, size, thread and mutexes held.
void read_access(Stack& stack, std::string_view title) {
  const auto of_size = title.find(" of size ");
  if (of_size == npos) return;
  std::string kind(title.substr(0, of_size));
  std::transform(kind.begin(), kind.end(), kind.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; });
  if (kind.starts_with("previous ")) kind.erase(0, 9);
  stack.access = kind;
  std::string_view rest = title.substr(of_size + 9);
  stack.size = to_int(rest.substr(0, rest.find_first_not_of("0123456789")));
  if (const auto by = rest.find(" by "); by != npos) {
    std::string_view who = rest.substr(by + 4);
    who = who.substr(0, std::min(who.find(" ("), who.find(':')));
    stack.thread = who.starts_with("thread ") ? who.substr(7) : who;
  } else if (const auto thread = rest.rfind(" thread "); thread != npos) {
    stack.thread = trim(rest.substr(thread + 8));
  }
  if (const auto held = rest.find("(mutexes: "); held != npos) {
    std::string_view list = rest.substr(held + 10);
    list = list.substr(0, list.find(')'));
    while (!list.empty()) {
      const auto comma = list.find(", ");
      stack.mutexes.emplace_back(list.substr(0, comma));
      list = comma == npos ? ""sv : list.substr(comma + 2);
    }
  }
}

}  // namespace

std::string without_addresses(std::string_view s) {
  std::string out;
  while (!s.empty()) {
    const auto space = s.find(' ');
    const std::string_view word = s.substr(0, space);
    s = space == npos ? ""sv : s.substr(space + 1);
    // "0x7b04...", "[0x...,0x...)", "(0x...)", and a module offset "(prog+0x14fb6e8)".
    if (word.starts_with("0x") || word.starts_with("[0x") || word.starts_with("(0x") || word.find("+0x") != npos) {
      if (out.ends_with(" at")) out.resize(out.size() - 3);
      continue;
    }
    if (word.empty()) continue;
    if (!out.empty()) out += ' ';
    out.append(word);
  }
  return out;
}

std::string location_of(std::string_view line) {
  std::string_view rest;
  if (line.starts_with("Location is ")) rest = line.substr(12);
  else if (const auto at = line.find(" is located "); at != npos && (line.starts_with("0x") || line.starts_with("Address 0x")))
    rest = line.substr(at + 12);
  if (rest.empty()) return {};
  rest = rest.substr(0, kMaxSummary);
  for (const auto tail : {" allocated by "sv, " created by "sv})
    if (const auto at = rest.find(tail); at != npos) rest = rest.substr(0, at);
  std::string located = without_addresses(rest);
  while (!located.empty() && (located.back() == ':' || located.back() == '.')) located.pop_back();
  return printable(located);
}

Stack describe_stack(std::string_view title, bool first) {
  Stack stack;
  stack.title = title;
  const auto has = [&](std::string_view part) { return title.find(part) != npos; };
  const bool sized = has(" of size ");
  if (title.starts_with("Previous ") && sized) {
    stack.role = "previous_access";
  } else if (sized && (title.starts_with("Read") || title.starts_with("Write") || title.starts_with("Atomic") ||
                       title.starts_with("READ") || title.starts_with("WRITE"))) {
    stack.role = "access";
  } else if (title.starts_with("Location is heap block") || has("allocated by thread") || has("allocated from")) {
    stack.role = "allocation";
  } else if (title.starts_with("freed by thread")) {
    stack.role = "free";
  } else if (title.starts_with("Mutex ") && has(" created at")) {
    stack.role = "mutex_created";
  } else if (title.starts_with("Mutex ") && has(" acquired")) {
    stack.role = "mutex_acquired";
  } else if (title.starts_with("Thread ") && has(" created by ")) {
    stack.role = "thread_created";
  } else {
    stack.role = first ? "access" : "other";
  }
  if (stack.role == "access" || stack.role == "previous_access") read_access(stack, title);
  return stack;
}

}  // namespace conclab::reports::detail
