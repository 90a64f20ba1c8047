// errors: the one exception of the harness. A HarnessError is a problem of the harness or its
// input (a missing binary, an unreadable manifest, an unwritable report), never of the program
// judged; the CLI prints its one line and exits 2.
#pragma once

#include <stdexcept>

namespace conclab {

struct HarnessError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace conclab
