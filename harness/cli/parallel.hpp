// parallel: the CLI's one worker pool (tour, matrix, run --gtest): judged runs, each in its own
// process group, `jobs` at a time.
#pragma once

#include <cstddef>
#include <functional>

namespace conclab::cli {

// Calls work(i) for each i in [0, count), handed out in order of i to `jobs` threads (at least
// one), until stopped() is true (asked before each). The first exception stops the handing out;
// once the calls in flight have ended, it is rethrown.
void parallel_for(int jobs, std::size_t count, const std::function<bool()>& stopped,
                  const std::function<void(std::size_t)>& work);

}  // namespace conclab::cli
