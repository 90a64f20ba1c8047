// detector_env: what the harness asks of the sanitizers in a child's environment.
#pragma once

#include <map>
#include <string>

namespace conclab {

// TSAN_OPTIONS, ASAN_OPTIONS and UBSAN_OPTIONS for a judged child (LSan runs inside ASan). Options the
// user already set in the harness's environment come after ours, so theirs win.
std::map<std::string, std::string> detector_env();

}  // namespace conclab
