// The lesson side of workshop mode: where a participant works, their copy of the program, the
#include "tools/registry.hpp"
// graded hints from the case's README and manifest, what a fix must keep, the observer's trace.
#include "exercise/exercise.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "core/build_info.hpp"
#include "core/errors.hpp"
#include "exercise/internal/text.hpp"

namespace conclab::exercise {
namespace fs = std::filesystem;
using namespace internal;

namespace {

bool inside(const fs::path& path, const fs::path& dir) {
  const auto p = fs::weakly_canonical(path), d = fs::weakly_canonical(dir);
  const auto rel = p.lexically_relative(d);
  return !rel.empty() && *rel.begin() != "..";
}

// Which tool explains the bug, from the manifest: those whose outcome is more than the symptom.
std::string which_tool(const Case& c) {
  std::string text;
  const auto& buggy = c.manifest.expect.at("buggy");
  std::map<std::string, std::vector<std::string>> tools_by_outcome;
  for (const auto tool : tools::required()) {
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

}  // namespace conclab::exercise
