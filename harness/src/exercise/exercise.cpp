// The four commands of workshop mode (start, hint, check, solution) and what they print; the
#include "tools/registry.hpp"
// lesson's content is lesson.cpp's, the builds internal/build's.
#include "exercise/exercise.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/files.hpp"
#include "core/outcome_text.hpp"
#include "exercise/internal/build.hpp"
#include "exercise/internal/text.hpp"
#include "judge/report_trim.hpp"
#include "judge/verdict.hpp"
#include "run/detector_env.hpp"
#include "run/interrupt.hpp"
#include "run/spawn.hpp"
#include "tools/case_run.hpp"

namespace conclab::exercise {
namespace fs = std::filesystem;

using namespace internal;

namespace {

// One run of the participant's program under the harness, with the observer's trace.
struct ExerciseRun {
  RunResult run;
  Judgement judgement;
  Check check;
  Trace trace;
};

ExerciseRun run_once(const Case& c, const Workspace& ws, const fs::path& binary, const Expectation& e) {
  const auto trace_file = binary.string() + ".trace";
  fs::remove(trace_file);
  RunSpec spec;
  spec.argv.push_back(binary.string());
  spec.argv.insert(spec.argv.end(), e.args.begin(), e.args.end());
  spec.timeout = std::chrono::milliseconds(static_cast<long>(c.manifest.timeout_for(e) * 1000));
  spec.env = detector_env();
  spec.env["CONCLAB_EXERCISE_TRACE"] = trace_file;
  spec.working_dir = ws.dir.string();
  ExerciseRun r;
  r.run = run_program(spec);
  r.judgement = classify(r.run);
  r.check = judge(r.judgement, e);
  r.trace = parse_trace(read_file(trace_file).value_or(""));
  fs::remove(trace_file);
  return r;
}

// What a person reads about a run that went wrong: the sanitizer's report cut down, the failed
// check, the wait-for graph, or the end of what the program printed.
std::string explain_run(const ExerciseRun& r, const Workspace& ws) {
  std::string text;
  const auto* deciding = r.judgement.deciding();
  if (r.run.hang) {
    text += describe(*r.run.hang);
    std::set<int> shown;  // each line of the participant's file the stuck threads are at, once
    const auto own_lines = lines_of(read_text(ws.file));
    for (const auto& w : r.run.hang->cycle) {
      for (const auto& f : w.frames) {
        if (fs::path(f.file).filename() != ws.file.filename() || f.line < 1 ||
            f.line > static_cast<int>(own_lines.size()) || !shown.insert(f.line).second)
          continue;
        text += fmt::format("    {:>4} | {}\n", f.line, trim(own_lines[f.line - 1]));
      }
    }
  } else if (deciding && (deciding->tool == "tsan" || deciding->tool == "asan" || deciding->tool == "lsan" ||
                          deciding->tool == "ubsan")) {
    text += reports::trim_report(r.run.err.text, ws.file.filename().string(), lines_of(read_file(ws.file).value_or("")));
  }
  if (text.empty()) {
    for (const auto& f : r.judgement.findings) {
      if (f.kind == Outcome::wrong_result) text += fmt::format("the program's own check failed: {}\n", f.summary);
      else text += fmt::format("{}: {}\n", to_string(f.kind), f.summary);
    }
    if (deciding && (deciding->kind == Outcome::exit_nonzero || deciding->kind == Outcome::crash)) {
      const auto err = lines_of(r.run.err.text);
      const std::size_t from = err.size() > 6 ? err.size() - 6 : 0;
      if (from < err.size()) text += "the program's last words on stderr:\n";
      for (std::size_t i = from; i < err.size(); ++i) text += "  " + err[i] + "\n";
    }
  }
  return text;
}

std::string commands_suffix(const Options& o) {
  return o.dir ? fmt::format(" --dir {}", o.dir->string()) : std::string();
}

}  // namespace

namespace {
int start_steps(const Catalog& catalog, const Options& o, std::FILE* out) {
  const auto c = catalog.find(o.case_id);
  const auto ws = workspace_for(c, o.dir);
  fs::create_directories(ws.dir);
  const auto readme = read_text(c.dir / "README.md");
  fmt::print(out, "Exercise {}: {}\n\n{}\n\n", c.id, c.manifest.title, readme_intro(readme));
  if (fs::exists(ws.file) && !o.force) {
    fmt::print(out, "Your copy is {} (it already exists: your changes are kept; --force starts over).\n", ws.file.string());
  } else {
    write_text(ws.file, participant_source(c, ws.file));
    fmt::print(out, "Your copy: {}\n", ws.file.string());
  }
  std::fflush(out);
  const auto b = build(ws, c, "release", out);
  if (!b.ok) {
    fmt::print(out, "\nIt does not compile (release build); the compiler says:\n\n{}", b.compiler_output);
    return 1;
  }
  const auto& e = c.manifest.expectation("buggy", "release");
  fmt::print(out, "\nRunning it once, built for release (no detector){}:\n",
             e.args.empty() ? "" : " with " + joined(e.args));
  std::fflush(out);
  const auto r = run_once(c, ws, b.binary, e);
  if (r.run.interrupted_by) return 128 + *r.run.interrupted_by;
  fmt::print(out, "  outcome: {} — {}\n", to_string(r.judgement.outcome), outcome_meaning(r.judgement.outcome));
  fmt::print(out, "{}", indent(explain_run(r, ws), "  "));
  const auto req = requirements(c);
  std::string keep;
  if (req.threads > 0) keep += fmt::format(", still starts at least {}", plural(req.threads, "thread", "threads"));
  if (req.processes > 1) keep += fmt::format(", still runs as at least {} processes", req.processes);
  if (req.invariant) keep += ", and still checks its result";
  const auto dir_option = commands_suffix(o);
  fmt::print(out,
             "\nYour task: find the bug and fix it in {}.\n"
             "A fix passes when the program is clean under release, ThreadSanitizer and AddressSanitizer{}.\n\n"
             "  conclab exercise hint {}        a first hint; add 2, 3... for the next ones\n"
             "  conclab exercise check {}{}   build your fix for every tool and judge it\n"
             "  conclab exercise solution {}    the reference fix, as a diff (spoiler)\n",
             ws.file.string(), keep, c.id, c.id, dir_option, c.id);
  return 0;
}
}  // namespace

int start(const Catalog& catalog, const Options& o, std::FILE* out) {
  try {
    return start_steps(catalog, o, out);
  } catch (const Interrupted& stop) {
    return 128 + stop.signo;
  }
}

int hint(const Catalog& catalog, const Options& o, std::FILE* out) {
  const auto c = catalog.find(o.case_id);
  const auto all = hints(c);
  if (o.hint < 1 || o.hint > static_cast<int>(all.size()))
    throw HarnessError(fmt::format("{} has hints 1 to {}", c.id, all.size()));
  const auto& h = all[o.hint - 1];
  fmt::print(out, "Hint {} of {} for {}: {}\n\n{}\n\n", o.hint, all.size(), c.id, h.title, h.text);
  if (o.hint < static_cast<int>(all.size()))
    fmt::print(out, "Next: conclab exercise hint {} {}\n", c.id, o.hint + 1);
  else
    fmt::print(out, "That was the last hint. The reference fix: conclab exercise solution {}\n", c.id);
  return 0;
}

namespace {
int check_steps(const Catalog& catalog, const Options& o, std::FILE* out) {
  if (o.repeat < 1) throw HarnessError("--repeat must be at least 1");
  const auto c = catalog.find(o.case_id);
  const auto ws = workspace_for(c, o.dir);
  if (!fs::exists(ws.file))
    throw HarnessError(fmt::format("no {} yet: start with 'conclab exercise start {}{}'", ws.file.string(), c.id,
                                   commands_suffix(o)));
  const auto req = requirements(c);
  fmt::print(out, "Checking {} ({}): built for release, tsan and asan, {} with each.\n", ws.file.string(), c.id,
             plural(o.repeat, "run", "runs"));
  std::fflush(out);

  struct Verdict {
    std::string tool;
    bool passed = false;
    std::string line, details;
  };
  std::vector<Verdict> verdicts;
  for (const auto tool_view : tools::required()) {
    const std::string tool(tool_view);
    if (const auto signo = stop_signal()) return 128 + *signo;
    const auto b = build(ws, c, tool, out);
    if (!b.ok) {
      fmt::print(out, "\nYour file does not compile ({} build). The compiler says:\n\n{}\nNot accepted: fix the build first.\n",
                 tool, b.compiler_output);
      return 1;
    }
    const auto& e = c.manifest.expectation("fixed", tool);
    Verdict v{tool, true, "", ""};
    Trace seen;
    for (int i = 1; i <= o.repeat && v.passed; ++i) {
      if (const auto signo = stop_signal()) return 128 + *signo;
      const auto r = run_once(c, ws, b.binary, e);
      if (r.run.interrupted_by) return 128 + *r.run.interrupted_by;
      seen = r.trace;
      const auto at = o.repeat > 1 ? fmt::format(" in run {} of {}", i, o.repeat) : std::string();
      if (!r.check.passed) {
        v = {tool, false,
             fmt::format("{}{} (expected {}): {}", to_string(r.judgement.outcome), at, to_string(e.outcome),
                         outcome_meaning(r.judgement.outcome)),
             explain_run(r, ws)};
      } else if (r.trace.threads < req.threads) {
        v = {tool, false,
             fmt::format("{}, but your program started {}{}; the exercise keeps at least {}. Removing the "
                         "concurrency is not a fix: make the threads share safely.",
                         to_string(r.judgement.outcome), plural(r.trace.threads, "thread", "threads"), at,
                         req.threads),
             ""};
      } else if (r.trace.processes < req.processes) {
        v = {tool, false,
             fmt::format("{}, but your program ran as {}{}; the exercise keeps at least {}. Removing the other "
                         "processes is not a fix: keep them, and make them work together.",
                         to_string(r.judgement.outcome), plural(r.trace.processes, "process", "processes"), at,
                         req.processes),
             ""};
      } else if (req.invariant && r.trace.checks_ok.empty()) {
        v = {tool, false,
             fmt::format("{}, but your program no longer checks its result{} (conclab::fixture::expect_eq was never "
                         "called). Keep the check at the end: it is how we know the program still does its job.",
                         to_string(r.judgement.outcome), at),
             ""};
      }
    }
    if (v.passed) {
      std::string kept;
      if (!seen.checks_ok.empty()) {
        std::set<std::string> labels(seen.checks_ok.begin(), seen.checks_ok.end());
        std::string names;
        for (const auto& l : labels) names += (names.empty() ? "" : ", ") + l;
        kept += "; checked: " + names;
      }
      if (seen.threads > 0) kept += "; " + plural(seen.threads, "thread", "threads") + " started";
      if (seen.processes > 1) kept += fmt::format("; {} processes", seen.processes);
      v.line = fmt::format("{} in {}{}", to_string(e.outcome), o.repeat == 1 ? "its run" : fmt::format("all {} runs", o.repeat),
                           kept);
    }
    fmt::print(out, "{:<8} {}  {}\n", tool, v.passed ? "PASS" : "FAIL", v.line);
    if (!v.details.empty()) fmt::print(out, "{}", indent(v.details, "         "));
    std::fflush(out);
    verdicts.push_back(std::move(v));
  }
  const auto failed = std::count_if(verdicts.begin(), verdicts.end(), [](const Verdict& v) { return !v.passed; });
  if (failed == 0) {
    fmt::print(out,
               "\nAccepted: clean under every tool, and it still does its job. Well done!\n"
               "Compare with the reference fix: conclab exercise solution {}\n",
               c.id);
    return 0;
  }
  fmt::print(out, "\nNot accepted yet: {} of {} tools still object. A hint: conclab exercise hint {}\n", failed,
             verdicts.size(), c.id);
  return 1;
}
}  // namespace

int check(const Catalog& catalog, const Options& o, std::FILE* out) {
  try {
    return check_steps(catalog, o, out);
  } catch (const Interrupted& stop) {
    return 128 + stop.signo;
  }
}

namespace {
int solution_steps(const Catalog& catalog, const Options& o, std::FILE* out) {
  const auto c = catalog.find(o.case_id);
  const auto r = run_compiler({"diff", "-u", "--label", "buggy.cpp", "--label", "fixed.cpp", (c.dir / "buggy.cpp").string(),
                           (c.dir / "fixed.cpp").string()},
                          c.dir);
  stop_if_interrupted(r);
  if (r.exit_code != 0 && r.exit_code != 1) throw HarnessError("diff failed: " + trim(r.err.text));
  fmt::print(out, "The reference fix of {} ({}), from buggy.cpp to fixed.cpp:\n\n{}\n", c.id, c.manifest.title,
             r.out.text);
  const auto why = readme_section(read_text(c.dir / "README.md"), "Why the fix works");
  if (!why.empty()) fmt::print(out, "Why it works:\n\n{}\n", why);
  return 0;
}
}  // namespace

int solution(const Catalog& catalog, const Options& o, std::FILE* out) {
  try {
    return solution_steps(catalog, o, out);
  } catch (const Interrupted& stop) {
    return 128 + stop.signo;
  }
}

}  // namespace conclab::exercise
