// asio_tracking: Boost.Asio's handler tracking (a program built with BOOST_ASIO_ENABLE_HANDLER_TRACKING
// prints `@asio|<seconds.micros>|<action>|<text>` on stderr for every handler) read as loop stalls.
//
// Actions read: `N*M` (handler M created by N, text: the operation, e.g. `deadline_timer@0x..async_wait`),
// `>M` (M entered), `<M` (M left), `!M` (M threw), `~M` (M destroyed without running). A handler
// stalls the loop when it ran longer than the limit while another handler was waiting (created
// before it left, and entered only after) and no handler it did not create itself ran meanwhile
// (that one ran on another thread of the loop or of a pool: only a thread was held, not the loop;
// the tracking names no threads). docs/outcomes.md, `loop_stall`. Every other line, and a
// malformed `@asio|` line, is skipped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/outcome.hpp"

namespace conclab::reports {

struct SlowHandler {
  std::string id;            // the tracking's handler number, e.g. "12"
  std::string operation;     // what created it, e.g. "deadline_timer@0x7ffd...async_wait"; may be empty
  double entered_s = 0, left_s = 0;  // the tracking's timestamps (seconds since the epoch)
  int waiting = 0;           // handlers created before it left and entered after
  double duration_ms() const { return (left_s - entered_s) * 1e3; }
};

// Every handler that ran longer than `limit_ms` while others waited, slowest first.
std::vector<SlowHandler> slow_handlers(std::string_view text, double limit_ms);

// The loop_stall findings of a run's stderr: one per slow handler (at most a few, then one that
// counts the rest).
std::vector<Finding> parse_loop_stalls(std::string_view text, double limit_ms);

}  // namespace conclab::reports
