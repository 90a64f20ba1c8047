#include "tools/stress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "run/detector_env.hpp"
#include "run/interrupt.hpp"

namespace conclab::stress {
namespace {

// "key=value" fields of a marker line, after the marker itself.
template <typename Int>
std::optional<Int> field(std::string_view line, std::string_view key) {
  const std::string needle = " " + std::string(key) + "=";
  const auto at = line.find(needle);
  if (at == std::string_view::npos) return std::nullopt;
  const char* begin = line.data() + at + needle.size();
  const char* end = line.data() + line.size();
  Int value{};
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr == begin) return std::nullopt;
  return value;
}

}  // namespace

std::map<std::string, std::string> env(const Params& p) {
  return {{"CONCLAB_STRESS_SEED", std::to_string(p.seed)},
          {"CONCLAB_STRESS_DEPTH", std::to_string(p.depth)},
          {"CONCLAB_STRESS_POINTS", std::to_string(p.points)}};
}

Marker parse_marker(std::string_view text) {
  constexpr std::string_view kStart = "CONCLAB_STRESS: seed=";
  constexpr std::string_view kEnd = "CONCLAB_STRESS_END:";
  Marker m;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (const auto at = line.find(kStart); at != std::string_view::npos && !m.started) {
      const auto rest = line.substr(at + kStart.size() - 6);  // from " seed=" on (the space before "seed")
      const auto seed = field<std::uint64_t>(rest, "seed");
      if (!seed) continue;
      m.started = true;
      m.seed = *seed;
      m.depth = field<int>(rest, "depth").value_or(0);
      m.points = field<int>(rest, "points").value_or(0);
      m.park_ms = field<int>(rest, "park_ms").value_or(0);
    } else if (const auto end = line.find(kEnd); end != std::string_view::npos) {
      const auto rest = line.substr(end + kEnd.size());
      const auto keep_max = [](std::optional<int>& into, std::optional<int> v) {
        if (v) into = std::max(into.value_or(0), *v);
      };
      keep_max(m.threads, field<int>(rest, "threads"));
      keep_max(m.steps, field<int>(rest, "steps"));
      keep_max(m.parks, field<int>(rest, "parks"));
    }
  }
  return m;
}

double pct_bound(int threads, int steps, int depth) {
  const double n = std::max(1, threads), k = std::max(1, steps);
  return 1.0 / (n * std::pow(k, std::max(0, depth - 1)));
}

CaseRun run_case(const Catalog& catalog, const Case& c, const std::string& variant, const Expectation& expected,
                 const Params& params) {
  RunSpec spec;
  spec.argv = case_argv(catalog, c, variant, expected);
  spec.timeout = std::chrono::milliseconds(std::llround(c.manifest.timeout_for(expected) * 1000));
  spec.loop_stall_ms = c.manifest.loop_stall_ms;
  spec.env = detector_env();
  spec.env.merge(env(params));
  return run_and_judge(spec, expected);
}

int runs_for(const Expectation& expected, std::optional<int> override_runs) {
  if (override_runs) return *override_runs;
  return expected.runs.value_or(kDefaultRuns);
}

Search search(const Catalog& catalog, const Case& c, const std::string& variant, const Expectation& expected, int runs,
              std::optional<std::uint64_t> seed, const Params& base) {
  if (runs < 1) throw HarnessError("stress: runs must be at least 1");
  const bool buggy = variant == "buggy";
  Search s;
  s.buggy = buggy;
  s.params = base;
  for (int i = 0; i < runs; ++i) {
    if (stop_signal()) break;
    Params p = base;
    p.seed = seed ? *seed : base.seed + static_cast<std::uint64_t>(i);
    auto r = run_case(catalog, c, variant, expected, p);
    s.runs++;
    s.params.seed = p.seed;
    s.seeds.push_back(p.seed);
    s.outcomes.emplace_back(to_string(r.judgement.outcome));
    const auto marker = parse_marker(r.run.err.text);
    if (!marker.started)
      throw HarnessError(fmt::format("stress: {} {} printed no CONCLAB_STRESS line: is it built with conclab's fixtures?",
                                     c.id, variant));
    s.threads = std::max(s.threads, marker.threads.value_or(0));
    s.steps = std::max(s.steps, marker.steps.value_or(0));
    s.reported = s.reported || marker.steps.has_value();
    const bool interrupted = r.run.interrupted_by.has_value();
    const bool passed = r.check.passed;
    s.last = std::move(r);
    if (interrupted) break;
    if (buggy && passed) {
      s.hit = p.seed;
      break;
    }
    if (!buggy && !passed) {
      s.failed = p.seed;
      break;
    }
  }
  if (s.threads > 0 && s.steps > 0) s.bound = pct_bound(s.threads, s.steps, s.params.depth);
  if (buggy) {
    s.passed = s.hit.has_value();
    s.reason = s.passed ? fmt::format("seed {} reached {} after {} run{}", *s.hit, to_string(expected.outcome), s.runs,
                                      s.runs == 1 ? "" : "s")
                        : fmt::format("{} not reached in {} run{} (seeds {}..{}); last: {}", to_string(expected.outcome),
                                      s.runs, s.runs == 1 ? "" : "s", s.seeds.empty() ? 0 : s.seeds.front(),
                                      s.seeds.empty() ? 0 : s.seeds.back(), s.last.check.reason);
  } else {
    s.passed = !s.failed && s.runs == runs;
    s.reason = s.failed ? fmt::format("seed {}: {}", *s.failed, s.last.check.reason)
                        : fmt::format("{} run{} reached {}", s.runs, s.runs == 1 ? "" : "s", to_string(expected.outcome));
  }
  return s;
}

nlohmann::json to_json(const Search& s) {
  nlohmann::json out = {{"seed", s.hit ? nlohmann::json(*s.hit) : nlohmann::json(nullptr)},
                        {"runs", s.runs},
                        {"runs_to_hit", s.hit ? nlohmann::json(s.runs) : nlohmann::json(nullptr)},
                        {"failed_seed", s.failed ? nlohmann::json(*s.failed) : nlohmann::json(nullptr)},
                        {"depth", s.params.depth},
                        {"points", s.params.points},
                        {"threads", s.threads},
                        {"steps", s.steps},
                        {"pct_bound", s.bound ? nlohmann::json(*s.bound) : nlohmann::json(nullptr)},
                        {"seeds", s.seeds},
                        {"outcomes", s.outcomes}};
  return out;
}

CaseRun as_case_run(const Search& s) {
  CaseRun r = s.last;
  r.check = {s.passed, s.reason};
  r.detail = to_json(s);
  r.note = describe(s);
  return r;
}

CaseRun run_search(const Catalog& catalog, const Case& c, const std::string& variant, const Expectation& expected) {
  return as_case_run(search(catalog, c, variant, expected, runs_for(expected, std::nullopt), std::nullopt));
}

std::string describe(const Search& s) {
  std::string text = s.reason;
  if (s.reported && s.steps == 0)  // a program without a gate: the seed has nothing to perturb
    return text + "; no scheduling point reached (the program has no gate): every seed runs it as release does";
  if (!s.buggy) return text;  // the bound is about finding a bug
  if (s.bound)
    text += fmt::format("; PCT bound 1/(n*k^(d-1)) = 1/({}*{}^{}) = {:.3g} per run: at most ~{:.0f} runs expected",
                        s.threads, s.steps, s.params.depth - 1, *s.bound, std::ceil(1 / *s.bound));
  else
    text += "; PCT bound n.a. (no run exited to report its threads and points)";
  return text;
}

std::string replay_command(const std::string& conclab, const Catalog& catalog, const Case& c, const std::string& variant,
                           const Expectation& expected, const Params& params) {
  std::string command = fmt::format("{} run --seed {}", conclab, params.seed);
  if (params.depth != kDefaultDepth) command += fmt::format(" --depth {}", params.depth);
  if (params.points != kDefaultPoints) command += fmt::format(" --points {}", params.points);
  command += " -- " + catalog.binary(c, variant).string();
  for (const auto& arg : expected.args) command += " " + arg;
  return command;
}

}  // namespace conclab::stress
