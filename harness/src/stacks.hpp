// stacks: the call stacks of a live process's threads, read with elfutils' eu-stack (it attached,
// unwound and symbolized every thread in ~0.15 s here, where gdb in batch mode took ~0.9 s).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "outcome.hpp"

namespace conclab {

// tid -> frames, innermost first. Empty when eu-stack is missing or cannot attach.
std::map<pid_t, std::vector<Frame>> thread_stacks(pid_t pid);

// The function at a live process's address (eu-addr2line), "" when unknown.
std::string symbol_at(pid_t pid, std::uint64_t address);

// Parses eu-stack's `-s -i` output (exposed for tests).
std::map<pid_t, std::vector<Frame>> parse_eu_stack(std::string_view text);

}  // namespace conclab
