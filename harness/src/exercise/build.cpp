#include "exercise/internal/build.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "core/build_info.hpp"
#include "core/toolchain.hpp"
#include "exercise/internal/text.hpp"

namespace conclab::exercise::internal {
namespace fs = std::filesystem;

namespace {

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

}  // namespace

RunResult run_compiler(std::vector<std::string> argv, const fs::path& cwd) {
  RunSpec spec;
  spec.argv = std::move(argv);
  spec.timeout = std::chrono::minutes(10);
  spec.hang_detection.reset();
  spec.track_leftovers = false;
  spec.working_dir = cwd.string();
  return run_program(spec);
}

void stop_if_interrupted(const RunResult& r) {
  if (r.interrupted_by) throw Interrupted{*r.interrupted_by};
}

namespace {

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

bool stamp_matches(const fs::path& file, const std::string& stamp) { return read_file(file) == stamp; }

void compile_or_throw(const std::vector<std::string>& flags, const fs::path& source, const fs::path& object,
                      const fs::path& cwd) {
  std::vector<std::string> argv{toolchain::kCompiler};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(), {"-c", source.string(), "-o", object.string()});
  const auto r = run_compiler(argv, cwd);
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
  const fs::path observer_source = src / "harness" / "src" / "exercise" / "exercise_observer.cpp";
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
    const auto r = run_compiler(ar, c.dir);
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


}  // namespace

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
  argv.insert(argv.end(), {"-Wl,--export-dynamic-symbol=pthread_create",
                           "-ldl", "-o", b.binary.string()});
  const auto stamp = fmt::format("{}\n{}\n{}", std::hash<std::string>{}(source), joined(argv), cache.stamp);
  const auto stamp_file = cache.dir / (c.bug + ".stamp");
  if (stamp_matches(stamp_file, stamp) && fs::exists(b.binary)) {
    b.ok = true;
    return b;
  }
  fs::remove(stamp_file);
  const auto r = run_compiler(argv, ws.dir);
  stop_if_interrupted(r);
  b.ok = succeeded(r);
  b.compiler_output = r.err.text + r.out.text;
  if (b.ok) write_text(stamp_file, stamp);
  return b;
}

}  // namespace conclab::exercise::internal
