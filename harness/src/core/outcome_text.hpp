// outcome_text: what each outcome means, in one sentence for people (reports, workshop verdicts).
#pragma once

#include <string_view>

#include "core/outcome.hpp"

namespace conclab {

std::string_view outcome_meaning(Outcome outcome);

// "error" for bugs, "warning" for what is found at exit (leaks, strays), a timeout or a bare exit status.
std::string_view outcome_level(Outcome outcome);

}  // namespace conclab
