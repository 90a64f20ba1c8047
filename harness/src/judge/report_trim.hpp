// report_trim: a sanitizer report cut down to what a workshop participant reads. The report is
// untrusted text (the participant's program writes to the same stream): bounded linear scans,
// no regex, fuzzed with the other parsers (harness/fuzz/reports_fuzzer.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace conclab::reports {

// The first sanitizer report in `err`: its headline, the access and thread lines, the frames in
// the participant's file `own_name` (e.g. "lost_update.cpp") each followed by the source line it
// points at (from `own_lines`, the file's lines), "(N frames in the libraries)" for the others,
// and the summary; at most `max_lines` lines, then how many more there were.
std::string trim_report(std::string_view err, std::string_view own_name, const std::vector<std::string>& own_lines,
                        std::size_t max_lines = 40);

}  // namespace conclab::reports
