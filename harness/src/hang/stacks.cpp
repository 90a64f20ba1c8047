#include "hang/stacks.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <string>

#include "run/spawn.hpp"

namespace conclab {

// "    /src/cases/x/buggy.cpp:27:5" -> file and line.
void parse_source_line(std::string_view text, Frame& frame) {
  const auto start = text.find_first_not_of(' ');
  if (start == std::string_view::npos) return;
  std::string_view where = text.substr(start);
  // Strip up to two trailing ":<digits>" groups: the last numeric one before the column is the line.
  std::string_view numbers[2];
  std::size_t count = 0;
  while (count < 2) {
    const auto colon = where.rfind(':');
    if (colon == std::string_view::npos) break;
    const auto tail = where.substr(colon + 1);
    if (tail.empty() || tail.find_first_not_of("0123456789") != std::string_view::npos) break;
    numbers[count++] = tail;
    where = where.substr(0, colon);
  }
  if (count == 0) return;
  frame.file = std::string(where);
  // from_chars, not stoi: a number past INT_MAX (a file named "x:99999999999") must not throw.
  const auto digits = numbers[count - 1];
  if (std::from_chars(digits.data(), digits.data() + digits.size(), frame.line).ec != std::errc{}) frame.line = 0;
}

namespace {

// What `stream >> word` skips: the classic locale's white space.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

// Takes leading white space, then one word, off s: as `stream >> std::ws`, then `stream >> word`.
void skip_word(std::string_view& s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && !is_space(s.front())) s.remove_prefix(1);
}

// "f(int) - /usr/lib/libc.so.6" (eu-stack -m): takes the module off the function and returns it.
std::string split_module(std::string_view& rest) {
  if (rest.starts_with("- ")) {  // no function name
    const auto module = rest.substr(2);
    rest = {};
    return std::string(module);
  }
  const auto dash = rest.rfind(" - ");
  if (dash == std::string_view::npos) return {};
  const auto module = rest.substr(dash + 3);
  rest = rest.substr(0, dash);
  return std::string(module);
}

bool read_hex(std::string_view digits, std::uint64_t& value) {
  return !digits.empty() && std::from_chars(digits.data(), digits.data() + digits.size(), value, 16).ec == std::errc{};
}

}  // namespace

// Scans string_views rather than reading through istringstreams: a stream per line (and a copy of
// the whole text) cost more than the parsing itself.
std::map<pid_t, std::vector<Frame>> parse_eu_stack(std::string_view text, std::vector<CodeAddress>* addresses) {
  std::map<pid_t, std::vector<Frame>> stacks;
  std::vector<Frame>* current = nullptr;
  pid_t current_tid = 0;
  std::string current_module;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.starts_with("TID ")) {
      // atol reads up to a NUL the line may hold, as it always did.
      current_tid = static_cast<pid_t>(std::atol(std::string(line.substr(4)).c_str()));
      current = &stacks[current_tid];
    } else if (current != nullptr && line.starts_with('#')) {
      // "#3  0x000055d1c0a2b1f4 transfer(Account&, Account&)" (the function may be missing):
      // the frame number, the address, then the rest of the line after white space.
      std::string_view rest = line;
      skip_word(rest);
      skip_word(rest);
      while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
      Frame frame;
      current_module = split_module(rest);
      frame.module = current_module.substr(current_module.rfind('/') + 1);
      frame.function = std::string(rest);
      current->push_back(std::move(frame));
    } else if (current != nullptr && !current->empty() && line.starts_with("    [")) {
      // "    [build-id]@0x7f...000+0x85f16": the module's load address and the pc's offset.
      const auto at = line.find("]@0x"), plus = line.find("+0x");
      CodeAddress where{current_tid, current->size() - 1, current_module, 0, 0};
      if (addresses != nullptr && at != std::string_view::npos && plus != std::string_view::npos && plus > at &&
          read_hex(line.substr(at + 4, plus - at - 4), where.load) && read_hex(line.substr(plus + 3), where.offset))
        addresses->push_back(std::move(where));
    } else if (current != nullptr && !current->empty() && line.starts_with("    ")) {
      parse_source_line(line, current->back());
    }
  }
  return stacks;
}

// Runs an elfutils tool through the harness's own spawn, so a tool that hangs or leaves a child
// behind is handled like any program; "" when the tool is missing. (eu-stack may exit non-zero
// when one frame cannot be unwound; what it printed is still good.)
std::string run_tool(const char* name, const std::vector<std::string>& args) {
  RunSpec spec;
  spec.track_leftovers = false;  // a helper of the harness, not a run: no id, no sandbox
  spec.let_strays_finish = std::chrono::milliseconds(0);
  spec.argv = {name};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.timeout = std::chrono::seconds(5);
  spec.hang_detection.reset();
  try {
    return run_program(spec).out.text;
  } catch (const HarnessError&) {
    return {};
  }
}


std::map<pid_t, std::vector<Frame>> thread_stacks(pid_t pid) {
  std::vector<CodeAddress> addresses;
  auto stacks = parse_eu_stack(run_tool("eu-stack", {"-s", "-i", "-m", "-b", "-p", std::to_string(pid)}), &addresses);
  add_missing_lines(stacks, addresses);
  return stacks;
}

std::string symbol_at(pid_t pid, std::uint64_t address) {
  const auto text = run_tool("eu-addr2line", {"-f", "--pid=" + std::to_string(pid), fmt::format("{:#x}", address)});
  return text.substr(0, text.find('\n'));
}

}  // namespace conclab
