#include "core/manifest.hpp"
#include "core/files.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace conclab {
namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const toml::source_region& where, std::string_view problem) {
  throw ManifestError(fmt::format("{}:{}: {}", file.string(), where.begin.line, problem));
}

template <typename Known>
void reject_unknown_keys(const std::filesystem::path& file, const toml::table& table, const Known& known,
                         std::string_view where) {
  for (const auto& [key, node] : table) {
    if (std::find(std::begin(known), std::end(known), key.str()) == std::end(known))
      fail(file, key.source(), fmt::format("unknown key '{}' in {}", key.str(), where));
  }
}

std::string read_string(const std::filesystem::path& file, const toml::node& node, std::string_view key) {
  if (!node.is_string()) fail(file, node.source(), fmt::format("'{}' must be a string", key));
  return std::string(*node.value<std::string_view>());
}

double read_seconds(const std::filesystem::path& file, const toml::node& node, std::string_view key) {
  auto seconds = node.value<double>();  // accepts integers too
  if (!seconds || !(node.is_number()) || *seconds <= 0 || *seconds > 3600)
    fail(file, node.source(), fmt::format("'{}' must be a number of seconds in (0, 3600]", key));
  return *seconds;
}

double read_milliseconds(const std::filesystem::path& file, const toml::node& node, std::string_view key) {
  auto ms = node.value<double>();
  if (!ms || !(node.is_number()) || *ms < 1 || *ms > 3600000)
    fail(file, node.source(), fmt::format("'{}' must be a number of milliseconds in [1, 3600000]", key));
  return *ms;
}

Outcome read_outcome(const std::filesystem::path& file, const toml::node& node) {
  const auto name = read_string(file, node, "outcome");
  if (auto outcome = outcome_from_string(name)) return *outcome;
  fail(file, node.source(), fmt::format("unknown outcome '{}' (see docs/outcomes.md)", name));
}

int read_count(const std::filesystem::path& file, const toml::node& node, std::string_view key, int at_least) {
  const auto count = node.value<std::int64_t>();
  if (!node.is_integer() || !count || *count < at_least || *count > 1024)
    fail(file, node.source(), fmt::format("'{}' must be an integer in [{}, 1024]", key, at_least));
  return static_cast<int>(*count);
}

ExerciseRequirements read_exercise(const std::filesystem::path& file, const toml::node& node) {
  const auto* table = node.as_table();
  if (table == nullptr) fail(file, node.source(), "'exercise' must be a table");
  static constexpr std::string_view kKeys[] = {"requires_threads", "requires_processes"};
  reject_unknown_keys(file, *table, kKeys, "[exercise]");
  ExerciseRequirements r;
  if (const auto* t = table->get("requires_threads")) r.threads = read_count(file, *t, "requires_threads", 0);
  if (const auto* p = table->get("requires_processes")) r.processes = read_count(file, *p, "requires_processes", 1);
  return r;
}

// A `why` as written, or the shared reason it names ("@name").
std::string read_why(const std::filesystem::path& file, const toml::node& node, const Reasons& reasons) {
  std::string why = read_string(file, node, "why");
  if (!why.starts_with('@')) return why;
  const auto named = reasons.find(std::string_view(why).substr(1));
  if (named == reasons.end()) fail(file, node.source(), fmt::format("unknown reason '{}' (cases/reasons.toml)", why));
  return named->second;
}

Expectation read_expectation(const std::filesystem::path& file, const toml::node& node, std::string_view where,
                             const ToolName& tool, const Reasons& reasons) {
  Expectation e;
  if (node.is_string()) {
    e.outcome = read_outcome(file, node);
    return e;
  }
  const auto* table = node.as_table();
  if (table == nullptr) fail(file, node.source(), fmt::format("{} must be an outcome string or a table", where));
  static constexpr std::string_view kKeys[] = {"outcome", "function", "args", "timeout_s", "why", "runs", "warnings"};
  reject_unknown_keys(file, *table, kKeys, where);
  const auto* outcome = table->get("outcome");
  if (outcome == nullptr) fail(file, node.source(), fmt::format("{} lacks 'outcome'", where));
  e.outcome = read_outcome(file, *outcome);
  if (const auto* f = table->get("function")) e.function = read_string(file, *f, "function");
  if (const auto* w = table->get("why")) e.why = read_why(file, *w, reasons);
  if (const auto* r = table->get("runs")) {  // seeds a search tries (docs/stress.md)
    if (!tool.searches_seeds)
      fail(file, r->source(), fmt::format("'runs' is for a tool that searches seeds (stress), not {}", where));
    e.runs = read_count(file, *r, "runs", 1);
  }
  if (const auto* t = table->get("timeout_s")) e.timeout_s = read_seconds(file, *t, "timeout_s");
  if (const auto* a = table->get("args")) {
    const auto* array = a->as_array();
    if (array == nullptr) fail(file, a->source(), "'args' must be an array of strings");
    for (const auto& arg : *array) e.args.push_back(read_string(file, arg, "args"));
  }
  if (const auto* w = table->get("warnings")) {  // a compile tool's diagnostics (tsa, tidy)
    if (!tool.compile_warning)
      fail(file, w->source(), fmt::format("'warnings' is for a tool that compiles (tsa, tidy), not {}", where));
    const auto* array = w->as_array();
    if (array == nullptr) fail(file, w->source(), "'warnings' must be an array of strings");
    for (const auto& text : *array) {
      e.warnings.push_back(read_string(file, text, "warnings"));
      if (e.warnings.back().empty()) fail(file, text.source(), "a declared warning must not be empty");
    }
  }
  return e;
}

// A compile tool runs nothing: its outcome is clean or its warning outcome, the latter naming the
// warnings it expects; function and timeout_s mean nothing to it.
void check_compile(const std::filesystem::path& file, const toml::node& node, const Expectation& e,
                   const ToolName& tool, std::string_view where) {
  const auto warning = *tool.compile_warning;
  if (e.outcome != Outcome::clean && e.outcome != warning)
    fail(file, node.source(), fmt::format("{}: {}'s outcome is clean or {}, not {}", where, tool.name,
                                          to_string(warning), to_string(e.outcome)));
  if ((e.outcome == warning) != !e.warnings.empty())
    fail(file, node.source(), fmt::format("{}: 'warnings' lists what {} expects (and only it)", where, to_string(warning)));
  if (!e.function.empty() || e.timeout_s)
    fail(file, node.source(), fmt::format("{}: {} takes outcome, warnings, args (the compiler's) and why only", where,
                                          tool.name));
}

}  // namespace

Manifest parse_manifest(std::string_view text, const std::filesystem::path& file, ToolNames tools,
                        const Reasons& reasons) {
  toml::table root;
  try {
    root = toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    fail(file, e.source(), e.description());
  }
  static constexpr std::string_view kTopKeys[] = {"title",  "summary", "timeout_s",    "loop_stall_ms",
                                                  "buggy", "fixed",   "exercise"};
  reject_unknown_keys(file, root, kTopKeys, "the manifest");

  Manifest m;
  m.file = file;
  const auto* title = root.get("title");
  if (title == nullptr) fail(file, root.source(), "missing 'title'");
  m.title = read_string(file, *title, "title");
  if (const auto* s = root.get("summary")) m.summary = read_string(file, *s, "summary");
  if (const auto* t = root.get("timeout_s")) m.timeout_s = read_seconds(file, *t, "timeout_s");
  if (const auto* l = root.get("loop_stall_ms")) m.loop_stall_ms = read_milliseconds(file, *l, "loop_stall_ms");
  if (const auto* e = root.get("exercise")) m.exercise = read_exercise(file, *e);

  for (const auto variant : kVariants) {
    const auto* node = root.get(variant);
    if (node == nullptr) fail(file, root.source(), fmt::format("missing [{}]", variant));
    const auto* table = node->as_table();
    if (table == nullptr) fail(file, node->source(), fmt::format("'{}' must be a table", variant));
    std::vector<std::string_view> known;
    for (const auto& tool : tools) known.push_back(tool.name);
    reject_unknown_keys(file, *table, known, fmt::format("[{}] (tools: {})", variant, fmt::join(known, ", ")));
    for (const auto& tool : tools) {
      const auto* expectation = table->get(tool.name);
      if (expectation == nullptr) {
        if (tool.required)
          fail(file, node->source(), fmt::format("[{}] declares nothing for tool '{}'", variant, tool.name));
        continue;
      }
      const auto where = fmt::format("{}.{}", variant, tool.name);
      auto& e = m.expect[std::string(variant)][std::string(tool.name)] =
          read_expectation(file, *expectation, where, tool, reasons);
      if (tool.compile_warning) check_compile(file, *expectation, e, tool, where);
    }
  }
  return m;
}

Reasons load_reasons(const std::filesystem::path& file) {
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    fail(file, e.source(), e.description());
  }
  Reasons reasons;
  for (const auto& [name, text] : root) reasons[std::string(name.str())] = read_string(file, text, name.str());
  return reasons;
}

Manifest load_manifest(const std::filesystem::path& file, ToolNames tools) {
  const auto text = read_file(file);
  if (!text) throw ManifestError(fmt::format("{}: cannot read the manifest", file.string()));
  const auto reasons_file = file.parent_path().parent_path().parent_path() / "reasons.toml";
  return parse_manifest(*text, file, tools, std::filesystem::exists(reasons_file) ? load_reasons(reasons_file) : Reasons{});
}

bool Manifest::declares(std::string_view tool) const {
  return std::any_of(expect.begin(), expect.end(),
                     [&](const auto& variant) { return variant.second.contains(std::string(tool)); });
}

const Expectation& Manifest::expectation(std::string_view variant, std::string_view tool) const {
  auto v = expect.find(std::string(variant));
  if (v == expect.end())
    throw ManifestError(fmt::format("{}: no variant '{}' (variants: buggy, fixed)", file.string(), variant));
  auto t = v->second.find(std::string(tool));
  if (t == v->second.end())
    throw ManifestError(fmt::format("{}: [{}] declares nothing for tool '{}'", file.string(), variant, tool));
  return t->second;
}

}  // namespace conclab
