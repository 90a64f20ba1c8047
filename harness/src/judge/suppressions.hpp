// suppressions: one file of TSan-style suppressions for every tool's findings. A line is
// `type:pattern`: the type is TSan's (race, race_top, thread, mutex, signal, deadlock), LSan's
// (leak) or any conclab outcome name (heap_use_after_free, undefined_behavior...); the pattern
// matches a function, source file or module name in the finding's stacks, `*` any text, `^` and
// `$` anchors, otherwise anywhere in the name, as TSan's own suppressions do.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "judge/verdict.hpp"

namespace conclab {

struct Suppression {
  std::vector<Outcome> kinds;  // the outcomes the type covers
  bool top_only = false;       // race_top: the innermost frame of each access only
  std::string pattern;
};

// Reads FILE; throws HarnessError naming the file, the line and the problem on a line it cannot read.
std::vector<Suppression> load_suppressions(const std::filesystem::path& file);

// Marks each finding a suppression matches (never the watchdog's: a stuck or cut-short run shows),
// then decides the outcome from the others.
void apply_suppressions(Judgement& judgement, const std::vector<Suppression>& suppressions);

// TSan's pattern syntax on one name: `*` any text, `^`/`$` anchors, else a match anywhere.
bool suppression_matches(const std::string& pattern, const std::string& name);

}  // namespace conclab
