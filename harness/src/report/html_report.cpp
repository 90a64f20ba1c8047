#include "report/html_report.hpp"
#include "tools/registry.hpp"
#include "core/output_file.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "report/markup.hpp"
#include "run/spawn.hpp"
#include "core/toolchain.hpp"

namespace conclab {
namespace {

std::string esc(std::string_view text) { return xml_escape(text); }

std::string anchor(const RunRecord& r) {
  std::string id = "run-" + r.case_id + "-" + r.variant + "-" + r.tool;
  std::replace(id.begin(), id.end(), '/', '-');
  return id;
}

constexpr const char* kStyle = R"(
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em 2em; color: #1d1d1f; background: #fff; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
h3 { margin: 1.4em 0 .4em; font-size: 1.1em; }
.meta { color: #555; }
table.matrix { border-collapse: collapse; margin-top: .8em; }
table.matrix th, table.matrix td { border: 1px solid #ccc; padding: 3px 7px; vertical-align: top; }
table.matrix th { background: #f2f2f4; }
td.pass { background: #e7f6e7; } td.fail { background: #fde2e1; font-weight: bold; }
td.declared { color: #888; font-style: italic; }
.dur { color: #666; font-size: .85em; }
.finding { border-left: 4px solid #c0392b; padding: .2em .8em; margin: .6em 0; background: #fafafa; }
.finding.warning { border-color: #e67e22; }
.stack { font: 12.5px/1.35 ui-monospace, monospace; margin: .3em 0; }
.stack .own { font-weight: bold; }
.stack .lib { color: #777; }
pre.src { background: #272822; color: #f8f8f2; padding: .4em .7em; margin: .2em 0 .6em 1.5em; overflow-x: auto; font-size: 12.5px; }
pre.src .hit { background: #75715e; display: inline-block; width: 100%; }
.graph svg { max-width: 100%; height: auto; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; }
details.lib summary { color: #888; cursor: pointer; }
.badge { display: inline-block; padding: 0 .5em; border-radius: .6em; font-size: .85em; }
.badge.pass { background: #2e7d32; color: #fff; } .badge.fail { background: #c62828; color: #fff; }
)";

// The source files findings point at, read once.
class Sources {
 public:
  const std::vector<std::string>* lines(const std::string& file) {
    auto [it, inserted] = files_.try_emplace(file);
    if (inserted) {
      std::ifstream in(file);
      for (std::string line; in && std::getline(in, line);) it->second.push_back(line);
    }
    return it->second.empty() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, std::vector<std::string>> files_;
};

// Two lines either side of `line`, the line itself highlighted.
std::string snippet(Sources& sources, const Frame& f) {
  if (f.file.empty() || f.line <= 0) return {};
  const auto* lines = sources.lines(f.file);
  if (lines == nullptr || static_cast<std::size_t>(f.line) > lines->size()) return {};
  std::string html = "<pre class=\"src\">";
  const int first = std::max(1, f.line - 2), last = std::min<int>(static_cast<int>(lines->size()), f.line + 2);
  for (int n = first; n <= last; ++n) {
    const auto text = fmt::format("{:>4}  {}", n, esc((*lines)[n - 1]));
    html += n == f.line ? "<span class=\"hit\">" + text + "</span>\n" : text + "\n";
  }
  return html + "</pre>";
}

std::string relative(const std::filesystem::path& root, const std::string& file) {
  const std::string prefix = root.string() + "/";
  return file.starts_with(prefix) ? file.substr(prefix.size()) : file;
}

// Every frame: the program's own with the source lines they point at, runs of library frames folded.
std::string stack_html(const ReportInput& input, Sources& sources, const std::vector<Frame>& frames) {
  if (frames.empty()) return {};
  const auto own = own_frames(frames, frames.size());
  std::string html = "<div class=\"stack\">", folded;
  int folded_count = 0;
  auto fold = [&] {
    if (folded_count > 0)
      html += fmt::format("<details class=\"lib\"><summary>{} frame{} in libraries</summary>{}</details>", folded_count,
                          folded_count == 1 ? "" : "s", folded);
    folded.clear();
    folded_count = 0;
  };
  for (const auto& f : frames) {
    const bool is_own = std::any_of(own.begin(), own.end(), [&](const Frame& o) {
      return o.function == f.function && o.file == f.file && o.line == f.line;
    });
    const std::string where = f.file.empty() ? f.module : relative(input.source_dir, f.file) + (f.line > 0 ? fmt::format(":{}", f.line) : "");
    const auto line = fmt::format("<div class=\"{}\">at {} &nbsp;<span class=\"dur\">{}</span></div>", is_own ? "own" : "lib",
                                  esc(f.function.empty() ? "??" : f.function), esc(where));
    if (!is_own) {
      folded += line;
      ++folded_count;
      continue;
    }
    fold();
    html += line + snippet(sources, f);
  }
  fold();
  return html + "</div>";
}

bool is_warning(Outcome o) {
  return o == Outcome::thread_leak || o == Outcome::memory_leak || o == Outcome::orphan_process ||
         o == Outcome::ipc_leak || o == Outcome::timeout || o == Outcome::exit_nonzero;
}

std::string run_html(const ReportInput& input, Sources& sources, const RunRecord& r, int runs_of_it) {
  std::string html = fmt::format(
      "<h3 id=\"{}\">{} &mdash; {} [{}]: {} <span class=\"badge {}\">{}</span></h3>\n"
      "<p class=\"meta\">expected {}; {}{}</p>\n",
      esc(anchor(r)), esc(r.case_id), esc(r.variant), esc(r.tool), esc(std::string(to_string(r.judgement.outcome))),
      r.passed ? "pass" : "fail", r.passed ? "as declared" : "MISMATCH", esc(std::string(to_string(r.expected.outcome))),
      esc(r.ended), runs_of_it > 1 ? fmt::format(" (the first of {} runs shown)", runs_of_it) : "");
  if (!r.passed) html += fmt::format("<p><b>{}</b></p>\n", esc(r.reason));
  if (!r.expected.why.empty()) html += fmt::format("<p class=\"meta\">Why: {}</p>\n", esc(r.expected.why));
  for (const auto& f : r.judgement.findings) {
    html += fmt::format("<div class=\"finding{}\"><b>{}</b> <span class=\"dur\">({})</span><br>{}\n",
                        is_warning(f.kind) ? " warning" : "", esc(std::string(to_string(f.kind))), esc(f.tool),
                        esc(f.summary));
    // A stuck run's stacks follow with its wait-for graph, one per blocked thread.
    if (f.count > 1) html += fmt::format(" <span class=\"meta\">&times;{} ({} call paths)</span>", f.count, f.paths.size());
    if (!f.location.empty()) html += fmt::format("<p class=\"meta\">Memory: {}</p>\n", esc(f.location));
    if (!r.hang && f.stacks.size() < 2) html += stack_html(input, sources, f.frames);
    // Every stack the tool printed, each under its own line: both sides of a race, allocation, free.
    if (!r.hang && f.stacks.size() >= 2)
      for (const auto& stack : f.stacks)
        html += fmt::format("<p class=\"meta\"><b>{}</b>: {}</p>\n", esc(stack.role), esc(stack.title)) +
                stack_html(input, sources, stack.frames);
    html += "</div>\n";
  }
  if (r.hang) {
    html += fmt::format("<p>{} after {:.2f} s without progress. The wait-for graph:</p>\n",
                        esc(std::string(to_string(r.hang->kind))), r.hang->stuck_for_s);
    if (const auto svg = graph_svg(*r.hang); !svg.empty()) html += "<div class=\"graph\">" + svg + "</div>\n";
    html += "<pre>" + esc(describe(*r.hang)) + "</pre>\n";
    for (const auto& w : r.hang->cycle) {
      if (w.frames.empty()) continue;
      html += fmt::format("<div class=\"finding\">thread {}/{} ({}) waits for {} {}", w.thread.pid, w.thread.tid,
                          esc(w.name), esc(w.waits_for), esc(w.object));
      html += stack_html(input, sources, w.frames) + "</div>\n";
    }
  }
  return html;
}

}  // namespace

std::string graph_svg(const HangReport& hang) {
  static std::atomic<int> counter{0};
  const auto dot_file = std::filesystem::temp_directory_path() /
                        fmt::format("conclab-graph.{}.{}.dot", ::getpid(), counter++);
  try {
    write_output_file(dot_file, to_dot(hang));
  } catch (const HarnessError&) {  // no room for it: the text form of the graph still follows
    return {};
  }
  RunSpec spec;
  spec.argv = {"dot", "-Tsvg", dot_file.string()};
  spec.hang_detection.reset();
  spec.track_leftovers = false;
  spec.timeout = std::chrono::seconds(30);
  std::string svg;
  try {
    const auto run = run_program(spec);
    if (run.exit_code == 0) svg = run.out.text;
  } catch (const HarnessError&) {  // no Graphviz: the text form of the graph still follows
  }
  std::filesystem::remove(dot_file);
  const auto start = svg.find("<svg");
  return start == std::string::npos ? std::string() : svg.substr(start);
}

std::string html_report(const ReportInput& input) {
  Sources sources;
  const auto mismatched = std::count_if(input.runs.begin(), input.runs.end(), [](const RunRecord& r) { return !r.passed; });
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{}</style>\n"
      "</head>\n<body>\n<h1>{}</h1>\n<p class=\"meta\">conclab {} &middot; runs made by the <b>{}</b> tree &middot; "
      "{} runs, {} as declared, {} mismatched &middot; {:.2f} s in all</p>\n",
      esc(input.title), kStyle, esc(input.title), toolchain::kVersion, esc(input.tool), input.runs.size(),
      input.runs.size() - mismatched, mismatched, input.total_s);

  // Runs by case, variant and tool, in the order they were made.
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<const RunRecord*>> by_cell;
  for (const auto& r : input.runs) by_cell[{r.case_id, r.variant, r.tool}].push_back(&r);

  html += "<h2>The matrix</h2>\n<p class=\"meta\">Each cell: the outcome reached (green: as the manifest declares, "
          "red: not), the runs and their mean duration. Grey: what the manifest declares for a tool whose tree did "
          "not make these runs.</p>\n<table class=\"matrix\">\n<tr><th rowspan=\"2\">case</th>";
  for (const auto tool : tools::required()) html += fmt::format("<th colspan=\"2\">{}</th>", tool);
  html += "</tr>\n<tr>";
  for (std::size_t i = 0; i < tools::required().size(); ++i) html += "<th>buggy</th><th>fixed</th>";
  html += "</tr>\n";
  for (const auto& c : input.cases) {
    html += fmt::format("<tr><td><b>{}</b><br><span class=\"dur\">{}</span></td>", esc(c.id), esc(c.manifest.title));
    for (const auto tool : tools::required()) {
      for (const auto variant : kVariants) {
        const auto it = by_cell.find({c.id, std::string(variant), std::string(tool)});
        if (it == by_cell.end()) {
          const auto e = c.manifest.expect.find(std::string(variant));
          std::string declared = "?";
          if (e != c.manifest.expect.end())
            if (const auto t = e->second.find(std::string(tool)); t != e->second.end())
              declared = std::string(to_string(t->second.outcome));
          html += fmt::format("<td class=\"declared\">{}</td>", esc(declared));
          continue;
        }
        const auto& runs = it->second;
        const auto passed = std::count_if(runs.begin(), runs.end(), [](const RunRecord* r) { return r->passed; });
        double seconds = 0;
        for (const auto* r : runs) seconds += r->duration_s;
        const auto* shown = runs.front();
        for (const auto* r : runs)
          if (!r->passed) {
            shown = r;
            break;
          }
        const auto outcome = esc(std::string(to_string(shown->judgement.outcome)));
        const bool has_section = !shown->passed || !shown->judgement.findings.empty();
        html += fmt::format("<td class=\"{}\">{}<br><span class=\"dur\">{}/{} &middot; {:.2f} s</span></td>",
                            passed == static_cast<long>(runs.size()) ? "pass" : "fail",
                            has_section ? fmt::format("<a href=\"#{}\">{}</a>", esc(anchor(*shown)), outcome) : outcome,
                            passed, runs.size(), seconds / runs.size());
      }
    }
    html += "</tr>\n";
  }
  html += "</table>\n";

  html += "<h2>Findings</h2>\n";
  bool any = false;
  for (const auto& c : input.cases) {
    for (const auto tool : tools::required()) {
      for (const auto variant : kVariants) {
        const auto it = by_cell.find({c.id, std::string(variant), std::string(tool)});
        if (it == by_cell.end()) continue;
        const RunRecord* shown = it->second.front();
        for (const auto* r : it->second)
          if (!r->passed) {
            shown = r;
            break;
          }
        if (shown->passed && shown->judgement.findings.empty()) continue;  // clean as declared: the matrix says it
        any = true;
        html += run_html(input, sources, *shown, static_cast<int>(it->second.size()));
      }
    }
  }
  if (!any) html += "<p>No findings: every run was clean, as declared.</p>\n";
  html += "</body>\n</html>\n";
  return html;
}

void write_html(const std::filesystem::path& file, const ReportInput& input) {
  write_output_file(file, html_report(input));
}

}  // namespace conclab
