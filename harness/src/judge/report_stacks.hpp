// report_stacks: what each stack of a sanitizer report is (the access, the previous access, an
// allocation, a free, a mutex, a thread's creation) and what the memory is, from the line the
// tool printed before it. Untrusted text: bounded scans only.
#pragma once

#include <string>
#include <string_view>

#include "core/outcome.hpp"

namespace conclab::reports::detail {

// A stack, labelled from its title, the line the tool printed before it; `first`: the report's
// first stack, the access or error itself when the title does not say otherwise.
Stack describe_stack(std::string_view title, bool first);

// What the memory of a report is, from TSan's "Location is heap block of size 48 at 0x...
// allocated by main thread:" ("heap block of size 48") or ASan's "0x... is located 0 bytes inside
// of 4-byte region [...)"; empty for any other line.
std::string location_of(std::string_view line);

// s without the addresses in it ("at 0x7b04...", "[0x...,0x...)", "(0x...)").
std::string without_addresses(std::string_view s);

}  // namespace conclab::reports::detail
