#include "exercise.hpp"
#include "output_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "build_info.hpp"
#include "case_run.hpp"
#include "detector_env.hpp"
#include "interrupt.hpp"
#include "outcome_text.hpp"
#include "spawn.hpp"
#include "toolchain.hpp"
#include "verdict.hpp"

namespace conclab::exercise {
namespace fs = std::filesystem;

namespace {

constexpr const char* kExpectEq = "_ZN7conclab7fixture9expect_eqExxSt17basic_string_viewIcSt11char_traitsIcEE";

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw HarnessError(fmt::format("cannot read '{}'", file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const fs::path& file, std::string_view text) { write_output_file(file, text); }

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string trim(std::string_view s) {
  const auto begin = s.find_first_not_of(" \t\n");
  if (begin == std::string_view::npos) return {};
  const auto end = s.find_last_not_of(" \t\n");
  return std::string(s.substr(begin, end - begin + 1));
}

bool inside(const fs::path& path, const fs::path& dir) {
  const auto p = fs::weakly_canonical(path), d = fs::weakly_canonical(dir);
  const auto rel = p.lexically_relative(d);
  return !rel.empty() && *rel.begin() != "..";
}

// The flags the presets compile with (top-level CMakeLists.txt, CMakePresets.json).
std::vector<std::string> tool_flags(std::string_view tool) {
  for (const auto& t : toolchain::kSanitizerFlags) {
    if (t.tool != tool) continue;
    auto flags = split_words(t.debug_build ? toolchain::kDebugFlags : toolchain::kRelWithDebInfoFlags);
    if (t.sanitizer.empty()) {
      flags.push_back("-g");
    } else {
      for (auto& f : split_words(t.sanitizer)) flags.push_back(f);
      for (const char* f : {"-O1", "-g", "-fno-omit-frame-pointer"}) flags.push_back(f);
      if (tool == "tsan" && std::string_view(toolchain::kCompilerId) == "GNU") flags.push_back("-Wno-tsan");
    }
    flags.insert(flags.begin(), {"-std=c++20", "-pthread", "-DBOOST_PROCESS_V2_SEPARATE_COMPILATION",
                                 "-I" + (fs::path(build_info::kSourceDir) / "fixtures" / "include").string()});
    return flags;
  }
  throw HarnessError(fmt::format("no compile flags known for tool '{}'", tool));
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// Runs a compiler or archiver: no hang detection (a compile is busy, not stuck), a generous limit.
RunResult run_tool(std::vector<std::string> argv, const fs::path& cwd) {
  RunSpec spec;
  spec.argv = std::move(argv);
  spec.timeout = std::chrono::minutes(10);
  spec.hang_detection.reset();
  spec.track_leftovers = false;
  spec.working_dir = cwd.string();
  return run_program(spec);
}

bool succeeded(const RunResult& r) { return r.exit_code == 0 && !r.interrupted_by; }

// conclab got SIGINT/SIGTERM while a compiler ran: the command ends with 128+N, like any other.
struct Interrupted {
  int signo;
};

void stop_if_interrupted(const RunResult& r) {
  if (r.interrupted_by) throw Interrupted{*r.interrupted_by};
}

// The objects every participant's program links, built once per tool in the workspace's cache and
// rebuilt when the flags or the fixture sources change.
struct ToolCache {
  fs::path dir, observer, fixtures, boost_process;
  std::vector<std::string> flags;
  std::string stamp;
};

std::string sources_stamp(const std::vector<fs::path>& sources) {
  std::string stamp;
  for (const auto& s : sources)
    stamp += fmt::format("{} {}\n", s.string(), fs::last_write_time(s).time_since_epoch().count());
  return stamp;
}

bool stamp_matches(const fs::path& file, const std::string& stamp) {
  std::ifstream in(file);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str() == stamp;
}

void compile_or_throw(const std::vector<std::string>& flags, const fs::path& source, const fs::path& object,
                      const fs::path& cwd) {
  std::vector<std::string> argv{toolchain::kCompiler};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(), {"-c", source.string(), "-o", object.string()});
  const auto r = run_tool(argv, cwd);
  stop_if_interrupted(r);
  if (!succeeded(r))
    throw HarnessError(fmt::format("compiling {} failed: {}", source.string(), trim(r.err.text.substr(0, 2000))));
}

ToolCache prepare_tool(const fs::path& cache_root, std::string_view tool, bool with_boost, std::FILE* out) {
  ToolCache c;
  c.dir = cache_root / tool;
  fs::create_directories(c.dir);
  c.flags = tool_flags(tool);
  c.observer = c.dir / "exercise_observer.o";
  c.fixtures = c.dir / "libconclab_fixtures.a";
  c.boost_process = c.dir / "boost_process_v2.o";
  const fs::path src = build_info::kSourceDir;
  std::vector<fs::path> sources;
  for (const auto& e : fs::directory_iterator(src / "fixtures" / "src"))
    if (e.path().extension() == ".cpp") sources.push_back(e.path());
  std::sort(sources.begin(), sources.end());
  const fs::path observer_source = src / "harness" / "src" / "exercise_observer.cpp";
  auto all = sources;
  all.push_back(observer_source);
  for (const auto& e : fs::directory_iterator(src / "fixtures" / "include" / "conclab")) all.push_back(e.path());
  c.stamp = fmt::format("{}\n{}\n{}", toolchain::kCompiler, joined(c.flags), sources_stamp(all));

  const auto stamp_file = c.dir / "fixtures.stamp";
  if (!stamp_matches(stamp_file, c.stamp) || !fs::exists(c.fixtures) || !fs::exists(c.observer)) {
    fmt::print(out, "  preparing the {} build (the fixtures, once per workspace)\n", tool);
    std::fflush(out);
    std::vector<std::string> ar{"ar", "rcs", c.fixtures.string()};
    for (const auto& s : sources) {
      const auto object = c.dir / (s.stem().string() + ".o");
      compile_or_throw(c.flags, s, object, c.dir);
      ar.push_back(object.string());
    }
    compile_or_throw(c.flags, observer_source, c.observer, c.dir);
    fs::remove(c.fixtures);
    const auto r = run_tool(ar, c.dir);
    stop_if_interrupted(r);
    if (!succeeded(r)) throw HarnessError("ar failed: " + trim(r.err.text));
    write_text(stamp_file, c.stamp);
  }
  if (with_boost) {
    const auto boost_stamp = c.dir / "boost_process.stamp";
    const auto stamp = fmt::format("{}\n{}", toolchain::kCompiler, joined(c.flags));
    if (!stamp_matches(boost_stamp, stamp) || !fs::exists(c.boost_process)) {
      fmt::print(out, "  compiling Boost.Process for {} (once per workspace, about half a minute)\n", tool);
      std::fflush(out);
      compile_or_throw(c.flags, src / "fixtures" / "boost_process" / "boost_process_v2.cpp", c.boost_process, c.dir);
      write_text(boost_stamp, stamp);
    }
  }
  return c;
}

struct Build {
  bool ok = false;
  std::string compiler_output;  // as the compiler printed it
  fs::path binary;
};

// Builds the participant's file for one tool, unless the same file was already built with the same flags.
Build build(const Workspace& ws, const Case& c, std::string_view tool, std::FILE* out) {
  const auto source = read_text(ws.file);
  const bool with_boost = source.find("boost/process") != std::string::npos;
  const auto cache = prepare_tool(ws.cache, tool, with_boost, out);
  Build b;
  b.binary = cache.dir / c.bug;
  std::vector<std::string> argv{toolchain::kCompiler};
  argv.insert(argv.end(), cache.flags.begin(), cache.flags.end());
  argv.insert(argv.end(), {fs::absolute(ws.file).string(), cache.observer.string(), cache.fixtures.string()});
  if (with_boost) argv.insert(argv.end(), {cache.boost_process.string(), "-lboost_filesystem"});
  argv.insert(argv.end(), {fmt::format("-Wl,--wrap={}", kExpectEq), "-Wl,--export-dynamic-symbol=pthread_create",
                           "-ldl", "-o", b.binary.string()});
  const auto stamp = fmt::format("{}\n{}\n{}", std::hash<std::string>{}(source), joined(argv), cache.stamp);
  const auto stamp_file = cache.dir / (c.bug + ".stamp");
  if (stamp_matches(stamp_file, stamp) && fs::exists(b.binary)) {
    b.ok = true;
    return b;
  }
  fs::remove(stamp_file);
  const auto r = run_tool(argv, ws.dir);
  stop_if_interrupted(r);
  b.ok = succeeded(r);
  b.compiler_output = r.err.text + r.out.text;
  if (b.ok) write_text(stamp_file, stamp);
  return b;
}

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
  std::ifstream in(trace_file);
  std::ostringstream text;
  text << in.rdbuf();
  r.trace = parse_trace(text.str());
  fs::remove(trace_file);
  return r;
}

std::string indent(std::string_view text, std::string_view by) {
  std::string out;
  for (const auto& line : lines_of(text)) out += std::string(by) + line + "\n";
  return out;
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
    text += trim_report(r.run.err.text, ws.file);
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

std::string plural(int n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string commands_suffix(const Options& o) {
  return o.dir ? fmt::format(" --dir {}", o.dir->string()) : std::string();
}

// The README's opening: what the program does (its code blocks left out).
std::string readme_intro(std::string_view readme) {
  std::string intro;
  bool in_code = false, started = false;
  for (const auto& line : lines_of(readme)) {
    if (line.starts_with("## ")) break;
    if (line.starts_with("# ")) {
      started = true;
      continue;
    }
    if (line.starts_with("```")) {
      in_code = !in_code;
      continue;
    }
    if (started && !in_code) intro += line + "\n";
  }
  return trim(intro);
}

// Which tool explains the bug, from the manifest: those whose outcome is more than the symptom.
std::string which_tool(const Case& c) {
  std::string text;
  const auto& buggy = c.manifest.expect.at("buggy");
  std::map<std::string, std::vector<std::string>> tools_by_outcome;
  for (const auto tool : kTools) {
    const auto& e = buggy.at(std::string(tool));
    tools_by_outcome[std::string(to_string(e.outcome))].push_back(std::string(tool));
  }
  for (const auto& [outcome, tools] : tools_by_outcome) {
    std::string names;
    for (const auto& t : tools) names += (names.empty() ? "" : ", ") + t;
    text += fmt::format("- {}: {}\n", names, outcome);
  }
  return text;
}

}  // namespace

fs::path default_dir() {
  fs::path dir;
  if (const char* d = std::getenv("CONCLAB_WORKSHOP_DIR"); d != nullptr && *d != '\0') dir = d;
  else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') dir = fs::path(home) / "conclab-workshop";
  else throw HarnessError("no HOME to put the workshop folder in: give --dir DIR");
  if (inside(dir, build_info::kSourceDir))
    throw HarnessError(fmt::format("the workshop folder {} would be inside conclab's source tree: give --dir DIR",
                                   dir.string()));
  return dir;
}

Workspace workspace_for(const Case& c, const std::optional<fs::path>& dir) {
  Workspace ws;
  ws.dir = fs::absolute(dir ? *dir : default_dir()).lexically_normal();
  ws.file = ws.dir / (c.bug + ".cpp");
  ws.cache = ws.dir / ".conclab";
  return ws;
}

std::string readme_section(std::string_view readme, std::string_view title) {
  const std::string heading = "## " + std::string(title);
  std::string text;
  bool in_section = false, in_code = false;
  for (const auto& line : lines_of(readme)) {
    if (line.starts_with("```")) in_code = !in_code;
    if (!in_code && line.starts_with("## ")) {
      if (in_section) break;
      in_section = trim(line) == heading;
      continue;
    }
    if (in_section) text += line + "\n";
  }
  return trim(text);
}

std::vector<Hint> hints(const Case& c) {
  const auto readme = read_text(c.dir / "README.md");
  std::vector<Hint> out;
  out.push_back({"What goes wrong", readme_section(readme, "The symptom")});
  out.push_back({"Which tool tells you why",
                 "What each tool reaches on the buggy program:\n" + which_tool(c) + "\n" +
                     readme_section(readme, "What the tools say")});
  std::string where = readme_section(readme, "Hint");
  std::set<std::string> functions;
  for (const auto& [tool, e] : c.manifest.expect.at("buggy"))
    if (!e.function.empty()) functions.insert(e.function);
  for (const auto& f : functions) where += fmt::format("\n\nThe tools point at the function `{}`.", f);
  out.push_back({"Where to look", where});
  out.push_back({"The idea of the fix", readme_section(readme, "Why the fix works")});
  std::erase_if(out, [](const Hint& h) { return trim(h.text).empty(); });
  return out;
}

std::string participant_source(const Case& c, const fs::path& file) {
  const auto lines = lines_of(read_text(c.dir / "buggy.cpp"));
  std::size_t body = 0;
  while (body < lines.size() && lines[body].starts_with("//")) ++body;  // the case's comment names the fix
  std::string text = fmt::format(
      "// Exercise {}: {}\n"
      "// Find the bug and fix it in this file. The fix must keep what the program does: its result,\n"
      "// checked at the end, and its threads or processes.\n"
      "//   conclab exercise hint {}        hints, one at a time (then 2, 3...)\n"
      "//   conclab exercise check {} --dir {}   build it for every tool and judge it\n",
      c.id, c.manifest.title, c.id, c.id, file.parent_path().string());
  for (std::size_t i = body; i < lines.size(); ++i) text += lines[i] + "\n";
  return text;
}

Requirements requirements(const Case& c) {
  Requirements r;
  const auto buggy = read_text(c.dir / "buggy.cpp"), fixed = read_text(c.dir / "fixed.cpp");
  r.invariant = buggy.find("expect_eq(") != std::string::npos && fixed.find("expect_eq(") != std::string::npos;
  if (c.manifest.exercise) {
    r.threads = c.manifest.exercise->threads;
    r.processes = std::max(1, c.manifest.exercise->processes);
    return r;
  }
  static const std::regex threads(R"(std::(j?thread|async)\b|pthread_create|thread_pool)");
  static const std::regex processes(R"(\b(fork|vfork|posix_spawnp?)\s*\(|bp::process\b|process::v2)");
  if (std::regex_search(fixed, threads)) r.threads = 1;
  if (std::regex_search(fixed, processes)) r.processes = 2;
  return r;
}

Trace parse_trace(std::string_view text) {
  Trace t;
  std::set<std::string> pids;
  for (const auto& line : lines_of(text)) {
    std::istringstream in(line);
    std::string kind, pid;
    if (!(in >> kind >> pid)) continue;
    if (kind == "process") pids.insert(pid);
    else if (kind == "thread") ++t.threads;
    else if (kind == "invariant") {
      std::string verdict, what;
      in >> verdict;
      std::getline(in, what);
      (verdict == "ok" ? t.checks_ok : t.checks_wrong).push_back(trim(what));
    }
  }
  t.processes = static_cast<int>(pids.size());
  return t;
}

std::string trim_report(std::string_view err, const fs::path& own_file, std::size_t max_lines) {
  static const std::regex start(R"(WARNING: ThreadSanitizer|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:)");
  static const std::regex frame(R"(^\s*#\d+\s)");
  static const std::regex address_in(R"(#(\d+) 0x[0-9a-f]+ in )");
  const auto name = own_file.filename().string();
  const std::regex location(std::regex_replace(name, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") + R"(:(\d+))");
  std::vector<std::string> own_lines;
  try {
    own_lines = lines_of(read_text(own_file));
  } catch (const HarnessError&) {
  }

  std::vector<std::string> out;
  int hidden = 0;
  auto flush_hidden = [&] {
    if (hidden > 0) out.push_back(fmt::format("      ({} in the libraries)", plural(hidden, "frame", "frames")));
    hidden = 0;
  };
  bool in_report = false, in_shadow = false;
  for (const auto& raw : lines_of(err)) {
    if (!in_report) {
      if (!std::regex_search(raw, start)) continue;
      in_report = true;
    }
    const bool summary = raw.starts_with("SUMMARY:");
    if (raw.find("Shadow bytes around the buggy address") != std::string::npos) in_shadow = true;
    if (in_shadow && !summary) continue;
    if (trim(raw).empty() || raw.starts_with("=====")) {
      flush_hidden();
      continue;
    }
    if (std::regex_search(raw, frame)) {
      std::smatch m;
      if (raw.find(name) == std::string::npos || !std::regex_search(raw, m, location)) {
        ++hidden;
        continue;
      }
      flush_hidden();
      out.push_back(std::regex_replace(raw, address_in, "#$1 "));
      const auto digits = m[1].str();
      const auto line = digits.size() > 9 ? 0ul : std::stoul(digits);  // a line number, never an overflow
      if (line >= 1 && line <= own_lines.size()) out.push_back(fmt::format("          {:>4} | {}", line, trim(own_lines[line - 1])));
      continue;
    }
    flush_hidden();
    out.push_back(raw);
    if (summary) break;
  }
  flush_hidden();
  std::string text;
  for (std::size_t i = 0; i < out.size() && i < max_lines; ++i) text += out[i] + "\n";
  if (out.size() > max_lines) text += fmt::format("... ({} more lines)\n", out.size() - max_lines);
  return text;
}

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
  for (const auto tool_view : kTools) {
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
  const auto r = run_tool({"diff", "-u", "--label", "buggy.cpp", "--label", "fixed.cpp", (c.dir / "buggy.cpp").string(),
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
