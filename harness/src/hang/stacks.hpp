// stacks: the call stacks of a live process's threads, read with elfutils' eu-stack (it attached,
// unwound and symbolized every thread in ~0.15 s here, where gdb in batch mode took ~0.9 s).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/outcome.hpp"

namespace conclab {

// tid -> frames, innermost first. Empty when eu-stack is missing or cannot attach.
std::map<pid_t, std::vector<Frame>> thread_stacks(pid_t pid);

// The function at a live process's address (eu-addr2line), "" when unknown.
std::string symbol_at(pid_t pid, std::uint64_t address);

// Where a frame's code sits (eu-stack's -m and -b): the module's file, where it is loaded and the
// pc's offset from there. A frame eu-stack gave no source line is looked up again from this.
struct CodeAddress {
  pid_t tid = 0;
  std::size_t frame = 0;  // index into that thread's frames
  std::string module;     // path of the binary or library
  std::uint64_t load = 0, offset = 0;
};

// "  /src/a.cpp:27:5" or "/src/a.cpp:27" -> the frame's file and line (left as they are when none).
void parse_source_line(std::string_view text, Frame& frame);

// Runs a helper tool (eu-stack, llvm-symbolizer...) to its end and returns what it printed; "" when
// it is missing or cannot be started.
std::string run_tool(const char* name, const std::vector<std::string>& args);

// Parses eu-stack's `-s -i [-m -b]` output (exposed for tests); with `addresses`, also where each
// frame's code sits.
std::map<pid_t, std::vector<Frame>> parse_eu_stack(std::string_view text, std::vector<CodeAddress>* addresses = nullptr);

// Frames without a file and line get them from llvm-symbolizer (or binutils addr2line), one call
// per module: elfutils 0.188 reads none of clang 14's DWARF 5 line tables. An inlined call becomes
// one frame per function, innermost first, as eu-stack prints them.
void add_missing_lines(std::map<pid_t, std::vector<Frame>>& stacks, const std::vector<CodeAddress>& addresses);

}  // namespace conclab
