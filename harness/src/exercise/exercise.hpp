// exercise: workshop mode. A participant gets a case's buggy program as one source file of their
// own, graded hints, and a check that builds their fix for every tool, runs it under the harness
// and accepts it only when it is clean everywhere and still does the case's job, with its threads
// or processes (docs/workshop/participants-guide.md).
#pragma once

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalog.hpp"

namespace conclab::exercise {

// Where a participant works on one case: `dir`/<bug>.cpp, built into `dir`/.conclab/<tool>/.
struct Workspace {
  std::filesystem::path dir, file, cache;
};

// $CONCLAB_WORKSHOP_DIR, else $HOME/conclab-workshop. Throws HarnessError when neither is set, or
// when it would fall inside the source tree (a participant's work stays out of it unless asked).
std::filesystem::path default_dir();
Workspace workspace_for(const Case& c, const std::optional<std::filesystem::path>& dir);

// The README's opening, up to its first "## " heading: what the program does (code blocks left out).
std::string readme_intro(std::string_view readme);

// The text under a README heading "## <title>" up to the next "## ", trimmed; "" when absent.
std::string readme_section(std::string_view readme, std::string_view title);

struct Hint {
  std::string title, text;
};
// Graded: what goes wrong, the tool that explains it, where to look, and last the idea of the fix.
std::vector<Hint> hints(const Case& c);

// The buggy source as a participant gets it: its opening comment (which names the fix) replaced
// by the exercise's own header.
std::string participant_source(const Case& c, const std::filesystem::path& file);

// What a fix must keep. From the manifest's [exercise] when declared; otherwise at least one thread
// when the reference fix starts threads, two processes when it forks or spawns, and the program's
// own check when the case has one (docs/manifest.md).
struct Requirements {
  int threads = 0, processes = 1;
  bool invariant = false;
};
Requirements requirements(const Case& c);

// What a run did, from the lines exercise_observer.cpp wrote.
struct Trace {
  int processes = 0;  // distinct processes
  int threads = 0;    // threads started, in all processes
  std::vector<std::string> checks_ok, checks_wrong;  // expect_eq labels
};
Trace parse_trace(std::string_view text);

// `conclab exercise start|hint|check|solution`; each returns the exit status (0, 1 a rejected fix
// or a build error in the participant's file; HarnessError for a problem of conclab's own).
struct Options {
  std::string case_id;
  std::optional<std::filesystem::path> dir;
  bool force = false;  // start: overwrite the participant's file
  int repeat = 3;      // check: runs per tool
  int hint = 1;        // hint: which one
};
int start(const Catalog& catalog, const Options& options, std::FILE* out);
int hint(const Catalog& catalog, const Options& options, std::FILE* out);
int check(const Catalog& catalog, const Options& options, std::FILE* out);
int solution(const Catalog& catalog, const Options& options, std::FILE* out);

}  // namespace conclab::exercise
