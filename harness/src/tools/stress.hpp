// stress: runs a case's release binary with seeded PCT-style schedule perturbation at its gates
// (fixtures/include/conclab/schedule.hpp, docs/stress.md) and searches seeds until the bug shows.
//
// The program's gates stop forcing the interleaving when CONCLAB_STRESS_SEED is set; its scheduler
// draws thread priorities and d-1 priority-change points from the seed and prints them. A buggy
// variant passes when one of `runs` seeds reaches its declared outcome (the report names the seed,
// which `conclab run --seed N -- PROGRAM` replays); a fixed variant when all `runs` seeds are clean.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <nlohmann/json.hpp>

#include "tools/case_run.hpp"
#include "core/catalog.hpp"

namespace conclab::stress {

inline constexpr std::string_view kTool = "stress";
inline constexpr int kDefaultRuns = 20;  // seeds a check tries when neither --runs nor the manifest says
inline constexpr int kDefaultDepth = 2;
inline constexpr int kDefaultPoints = 8;

struct Params {
  std::uint64_t seed = 1;
  int depth = kDefaultDepth;    // d: d-1 priority-change points
  int points = kDefaultPoints;  // change points are drawn among the first `points` scheduling points
};

// The environment that turns the program's scheduler on with these parameters.
std::map<std::string, std::string> env(const Params& p);

// What the program's scheduler printed: its start line and, when it exited, its end line.
struct Marker {
  bool started = false;
  std::uint64_t seed = 0;
  int depth = 0, points = 0, park_ms = 0;
  std::optional<int> threads, steps, parks;  // from CONCLAB_STRESS_END (absent when killed)
};
// Several processes may print (a forking case): the first start line, the largest counts.
Marker parse_marker(std::string_view stderr_text);

// PCT's lower bound on the chance one run finds a bug of depth d: 1 / (n * k^(d-1)).
double pct_bound(int threads, int steps, int depth);

// One run of a variant under stress with these parameters, judged against `expected`.
CaseRun run_case(const Catalog& catalog, const Case& c, const std::string& variant, const Expectation& expected,
                 const Params& params);

struct Search {
  bool passed = false;
  bool buggy = false;                  // the variant searched: buggy (seek the outcome) or fixed (all clean)
  std::string reason;
  int runs = 0;                        // runs made (buggy: up to and including the hit)
  std::optional<std::uint64_t> hit;    // buggy: the seed that reached the declared outcome
  std::optional<std::uint64_t> failed; // fixed: the first seed that was not clean
  Params params;                       // depth and points used; seed: the hit, or the last one run
  int threads = 0, steps = 0;          // the most any run reported (0: none reported, or no point reached)
  bool reported = false;               // some run exited and printed its end line
  std::optional<double> bound;         // pct_bound(threads, steps, depth) when reported
  std::vector<std::uint64_t> seeds;    // every seed run, in order
  std::vector<std::string> outcomes;   // the outcome of each
  CaseRun last;                        // the hit, the first failure, or the last run
};

// Buggy: seeds base.seed, base.seed+1, ... (with `seed` given: that one only, `runs` times) until
// one reaches `expected`, at most `runs`. Fixed: `runs` seeds, every one must reach `expected`.
Search search(const Catalog& catalog, const Case& c, const std::string& variant, const Expectation& expected, int runs,
              std::optional<std::uint64_t> seed, const Params& base = {});

// A search as one CaseRun: the run that decided, with the search's check, its JSON as detail and
// its description as note.
CaseRun as_case_run(const Search& s);
// The registry's run of stress (tools/registry.hpp): as_case_run of a search of `runs_for(expected)` seeds.
CaseRun run_search(const Catalog& catalog, const Case& c, const std::string& variant, const Expectation& expected);

// The JSON report's "stress" object (docs/json-report.md) and one line for people.
nlohmann::json to_json(const Search& s);
std::string describe(const Search& s);

// The runs a check makes: --runs, else the manifest's `runs`, else kDefaultRuns.
int runs_for(const Expectation& expected, std::optional<int> override_runs);

// "conclab run --seed N [--depth d] [--points k] -- BINARY ARGS": replays a run.
std::string replay_command(const std::string& conclab, const Catalog& catalog, const Case& c, const std::string& variant,
                           const Expectation& expected, const Params& params);

}  // namespace conclab::stress
