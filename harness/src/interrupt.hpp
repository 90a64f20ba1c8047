// interrupt: SIGINT and SIGTERM to conclab, noticed for the whole life of the process.
//
// Each run catches them while it is in flight (spawn.cpp) and ends its tree. Between runs (or
// before the first), Asio would leave them at their default action, which kills conclab without
// its cleanup, so install_stop_watch() keeps a watcher registered from start to exit: a signal
// between runs only marks the stop, and loops ask stop_signal() before starting another run.
#pragma once

#include <optional>

namespace conclab {

void install_stop_watch();

// The first SIGINT/SIGTERM received, if any.
std::optional<int> stop_signal();

}  // namespace conclab
