// reports: turns what the sanitizers and the program printed into findings.
#pragma once

#include <string_view>
#include <vector>

#include "core/outcome.hpp"

namespace conclab::reports {

// Every ThreadSanitizer, AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer report in
// a run's stderr, in the order printed. The text may hold program output, be cut anywhere or be
// binary: this never throws and takes time linear in its size. Program markers are not included.
std::vector<Finding> parse(std::string_view text);

// One wrong_result finding (tool "program") per line `CONCLAB_WRONG_RESULT: <what>` in text.
std::vector<Finding> parse_program_markers(std::string_view text);

}  // namespace conclab::reports
