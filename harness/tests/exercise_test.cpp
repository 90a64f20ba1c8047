// Workshop mode: its parts, a participant's session end to end (a thread case and a process case:
// a wrong fix, a fix that deletes the concurrency, the real fix), and every command of the
// workshop docs (docs/workshop/*.md), run as written.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/build_info.hpp"
#include "core/catalog.hpp"
#include "exercise/exercise.hpp"
#include "tools/registry.hpp"
#include "run/spawn.hpp"
#include "core/toolchain.hpp"
#include "test_support.hpp"

namespace conclab {
namespace {
namespace fs = std::filesystem;

const fs::path kSource = build_info::kSourceDir;

using testing::read_file;

void write(const fs::path& file, const std::string& text) { std::ofstream(file) << text; }

Case find_case(const std::string& id) { return tools::this_build_catalog().find(id); }

// A folder of its own per test: ctest runs the tests in parallel.
fs::path fresh_dir(const std::string& name) {
  const auto dir = fs::path(::testing::TempDir()) / ("conclab_exercise." + std::to_string(::getpid()) + "." + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// conclab as a participant runs it. Compiles take long on a busy machine: a generous limit, and
// no hang detection (a test does not judge conclab, it reads what conclab says).
RunResult conclab(const std::vector<std::string>& args) {
  RunSpec spec;
  spec.argv = {CONCLAB_CLI};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.timeout = std::chrono::minutes(10);
  spec.hang_detection.reset();
  return run_program(spec);
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// ---- the parts -------------------------------------------------------------------------------

TEST(ExerciseParts, HintsAreGradedAndTheFixComesLast) {
  const auto hints = exercise::hints(find_case("data_race/lost_update"));
  ASSERT_EQ(hints.size(), 4u);
  EXPECT_EQ(hints[0].title, "What goes wrong");
  EXPECT_EQ(hints[1].title, "Which tool tells you why");
  EXPECT_EQ(hints[2].title, "Where to look");
  EXPECT_EQ(hints[3].title, "The idea of the fix");
  EXPECT_TRUE(has(hints[0].text, "expected 200000, got 100000")) << hints[0].text;
  EXPECT_TRUE(has(hints[1].text, "tsan: data_race")) << hints[1].text;
  EXPECT_TRUE(has(hints[2].text, "`increment`")) << hints[2].text;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(has(hints[i].text, "fetch_add")) << "hint " << i + 1 << " gives the fix away";
  EXPECT_TRUE(has(hints[3].text, "fetch_add")) << hints[3].text;
}

TEST(ExerciseParts, ParticipantsCopyDoesNotNameTheFix) {
  const auto c = find_case("data_race/lost_update");
  const auto text = exercise::participant_source(c, "/home/ada/conclab-workshop/lost_update.cpp");
  EXPECT_FALSE(has(text, "Fix:")) << text;
  EXPECT_FALSE(has(text, "fetch_add")) << text;
  EXPECT_TRUE(has(text, "conclab exercise check data_race/lost_update --dir /home/ada/conclab-workshop")) << text;
  EXPECT_TRUE(has(text, "counter = seen + 1;")) << text;  // the bug is still there to find
}

TEST(ExerciseParts, RequirementsFromTheManifestOrTheReferenceFix) {
  const auto threads = exercise::requirements(find_case("data_race/lost_update"));
  EXPECT_EQ(threads.threads, 2);
  EXPECT_EQ(threads.processes, 1);
  EXPECT_TRUE(threads.invariant);
  const auto processes = exercise::requirements(find_case("ipc_deadlock/pipes_both_full"));
  EXPECT_EQ(processes.threads, 0);
  EXPECT_EQ(processes.processes, 2);
  // No [exercise] in its manifest: at least one thread, because its reference fix starts threads.
  const auto derived = exercise::requirements(find_case("deadlock/lock_order_inversion"));
  EXPECT_EQ(derived.threads, 1);
  EXPECT_EQ(derived.processes, 1);
}

TEST(ExerciseParts, TraceCountsProcessesThreadsAndChecks) {
  const auto t = exercise::parse_trace(
      "process 10\nthread 10\nprocess 11\nprocess 11\nthread 11\nthread 10\ninvariant 10 ok counter\n"
      "invariant 11 wrong bytes from the child\ngarbage\n");
  EXPECT_EQ(t.processes, 2);
  EXPECT_EQ(t.threads, 3);
  EXPECT_EQ(t.checks_ok, std::vector<std::string>{"counter"});
  EXPECT_EQ(t.checks_wrong, std::vector<std::string>{"bytes from the child"});
}

// The flags exercise check compiles with are this tree's own, for this tree's tool.
TEST(ExerciseParts, ToolchainMatchesTheTopLevelFlags) {
  std::string this_tree = toolchain::kThisTreeSanitizerFlags;
  std::replace(this_tree.begin(), this_tree.end(), ';', ' ');
  bool found = false;
  for (const auto& t : toolchain::kSanitizerFlags) {
    if (t.tool != CONCLAB_TEST_TOOL) continue;
    found = true;
    EXPECT_EQ(std::string(t.sanitizer), this_tree) << "harness/src/core/toolchain.hpp.in disagrees with CMakeLists.txt";
  }
  EXPECT_TRUE(found) << CONCLAB_TEST_TOOL;
}

TEST(ExerciseParts, WorkshopFolderStaysOutOfTheSourceTree) {
  ::setenv("CONCLAB_WORKSHOP_DIR", (kSource / "my-work").c_str(), 1);
  EXPECT_THROW(exercise::default_dir(), HarnessError);
  ::setenv("CONCLAB_WORKSHOP_DIR", "/tmp/elsewhere", 1);
  EXPECT_EQ(exercise::default_dir(), fs::path("/tmp/elsewhere"));
  ::unsetenv("CONCLAB_WORKSHOP_DIR");
}

// ---- a participant's session ------------------------------------------------------------------

struct Participant {
  std::string case_id;
  fs::path dir, file;

  Participant(std::string id, const std::string& test) : case_id(std::move(id)), dir(fresh_dir(test)) {
    file = dir / (case_id.substr(case_id.find('/') + 1) + ".cpp");
  }
  ~Participant() { fs::remove_all(dir); }
  RunResult run(const std::string& action, std::vector<std::string> more = {}) {
    std::vector<std::string> args{"exercise", action, case_id};
    if (action == "start" || action == "check") more.insert(more.end(), {"--dir", dir.string()});
    args.insert(args.end(), more.begin(), more.end());
    return conclab(args);
  }
  RunResult check() { return run("check", {"--repeat", "2"}); }
  void submit(const fs::path& source) { fs::copy_file(source, file, fs::copy_options::overwrite_existing); }
};

fs::path attempt(const std::string& name) { return kSource / "harness/tests/data/exercise" / name; }

// A thread case: start, read the hints, a wrong fix, a fix without threads, the real fix.
TEST(ExerciseFlow, ThreadCase) {
  Participant p("data_race/lost_update", "thread_case");
  auto r = p.run("start");
  ASSERT_EQ(r.exit_code, 0) << r.out.text << r.err.text;
  EXPECT_TRUE(has(r.out.text, "outcome: wrong_result")) << r.out.text;  // the symptom, seen once
  EXPECT_TRUE(has(r.out.text, "expected 200000, got 100000")) << r.out.text;
  EXPECT_TRUE(has(r.out.text, "conclab exercise check data_race/lost_update --dir")) << r.out.text;
  ASSERT_TRUE(fs::exists(p.file));

  r = p.run("hint");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(has(r.out.text, "Hint 1 of 4")) << r.out.text;
  r = p.run("hint", {"3"});
  EXPECT_TRUE(has(r.out.text, "Where to look")) << r.out.text;

  // Unchanged: the bug is still there.
  r = p.check();
  EXPECT_EQ(r.exit_code, 1) << r.out.text << r.err.text;
  EXPECT_TRUE(has(r.out.text, "Not accepted")) << r.out.text;

  // volatile is no fix: TSan still sees the race (with its stack in the participant's file), and
  // the count is still short.
  p.submit(attempt("lost_update.volatile.cpp"));
  r = p.check();
  EXPECT_EQ(r.exit_code, 1) << r.out.text << r.err.text;
  EXPECT_TRUE(std::regex_search(r.out.text, std::regex("tsan +FAIL +data_race"))) << r.out.text;
  EXPECT_TRUE(has(r.out.text, "WARNING: ThreadSanitizer: data race")) << r.out.text;
  EXPECT_TRUE(has(r.out.text, "lost_update.cpp:")) << r.out.text;
  EXPECT_TRUE(std::regex_search(r.out.text, std::regex("release +FAIL +wrong_result"))) << r.out.text;
  EXPECT_TRUE(has(r.out.text, "counter: expected 200000, got 100000")) << r.out.text;

  // Correct, but the threads are gone.
  p.submit(attempt("lost_update.no_threads.cpp"));
  r = p.check();
  EXPECT_EQ(r.exit_code, 1) << r.out.text << r.err.text;
  EXPECT_TRUE(has(r.out.text, "started 0 threads")) << r.out.text;
  EXPECT_TRUE(has(r.out.text, "Removing the concurrency is not a fix")) << r.out.text;

  // The real fix.
  p.submit(kSource / "cases/data_race/lost_update/fixed.cpp");
  r = p.check();
  EXPECT_EQ(r.exit_code, 0) << r.out.text << r.err.text;
  EXPECT_TRUE(has(r.out.text, "Accepted")) << r.out.text;
  EXPECT_TRUE(has(r.out.text, "checked: counter; 2 threads started")) << r.out.text;
}

// A process case: the same steps; the participant's real fix is their own (poll), not the reference.
TEST(ExerciseFlow, ProcessCase) {
  Participant p("ipc_deadlock/pipes_both_full", "process_case");
  auto r = p.run("start");
  ASSERT_EQ(r.exit_code, 0) << r.out.text << r.err.text;
  EXPECT_TRUE(has(r.out.text, "outcome: ipc_deadlock")) << r.out.text;
  EXPECT_TRUE(has(r.out.text, "still runs as at least 2 processes")) << r.out.text;

  r = p.run("hint", {"2"});
  EXPECT_TRUE(has(r.out.text, "Which tool tells you why")) << r.out.text;

  // Reading first on both sides: each waits for the other's end of file.
  p.submit(attempt("pipes_both_full.read_first.cpp"));
  r = p.check();
  EXPECT_EQ(r.exit_code, 1) << r.out.text << r.err.text;
  EXPECT_TRUE(std::regex_search(r.out.text, std::regex("release +FAIL +ipc_deadlock"))) << r.out.text;
  EXPECT_TRUE(has(r.out.text, "waits for pipe:")) << r.out.text;  // the wait-for graph, in words

  // No child any more.
  p.submit(attempt("pipes_both_full.one_process.cpp"));
  r = p.check();
  EXPECT_EQ(r.exit_code, 1) << r.out.text << r.err.text;
  EXPECT_TRUE(has(r.out.text, "ran as 1 process")) << r.out.text;

  p.submit(attempt("pipes_both_full.poll.cpp"));
  r = p.check();
  EXPECT_EQ(r.exit_code, 0) << r.out.text << r.err.text;
  EXPECT_TRUE(has(r.out.text, "Accepted")) << r.out.text;
  EXPECT_TRUE(has(r.out.text, "2 processes")) << r.out.text;
}

// The reference fix of the process case starts its child with Boost.Process: the workspace builds
// the library once per tool. Only in the release tree: the exercise builds are the same from any
// tree, and this one compiles for minutes.
TEST(ExerciseFlow, ReferenceFixWithBoostProcessIsAccepted) {
  if (std::string_view(CONCLAB_TEST_TOOL) != "release") GTEST_SKIP() << "runs in the release tree only";
  Participant p("ipc_deadlock/pipes_both_full", "boost_fix");
  p.submit(kSource / "cases/ipc_deadlock/pipes_both_full/fixed.cpp");
  const auto r = p.run("check", {"--repeat", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.out.text << r.err.text;
  EXPECT_TRUE(has(r.out.text, "compiling Boost.Process for release")) << r.out.text;
  EXPECT_TRUE(has(r.out.text, "Accepted")) << r.out.text;
}

// A participant's compile error is theirs: printed as the compiler printed it, exit status 1, and
// no harness error.
TEST(ExerciseFlow, BuildErrorsComeBackAsTheCompilerPrintedThem) {
  Participant p("data_race/lost_update", "build_error");
  write(p.file, "#include <thread>\nint main() {\n  std::thread t([] { undeclared_thing(); });\n}\n");
  const auto r = p.check();
  EXPECT_EQ(r.exit_code, 1) << r.out.text << r.err.text;
  EXPECT_TRUE(has(r.out.text, "does not compile")) << r.out.text;
  EXPECT_TRUE(has(r.out.text, p.file.string() + ":3:")) << r.out.text;
  EXPECT_TRUE(std::regex_search(r.out.text, std::regex("error: [^ ]{1,3}undeclared_thing[^ ]{1,3} was not declared in this scope")))
      << r.out.text;  // the quotes are the locale's
  EXPECT_EQ(r.err.text, "");
}

// start never overwrites a participant's work unless asked.
TEST(ExerciseFlow, StartKeepsTheParticipantsWork) {
  Participant p("data_race/lost_update", "keep_work");
  ASSERT_EQ(p.run("start").exit_code, 0);
  p.submit(kSource / "cases/data_race/lost_update/fixed.cpp");
  auto r = p.run("start");
  EXPECT_EQ(r.exit_code, 0) << r.out.text;
  EXPECT_TRUE(has(r.out.text, "your changes are kept")) << r.out.text;
  EXPECT_TRUE(has(read_file(p.file), "fetch_add"));
  r = p.run("start", {"--force"});
  EXPECT_FALSE(has(read_file(p.file), "fetch_add"));
}

TEST(ExerciseFlow, SolutionIsTheDiffAndHintsAreBounded) {
  auto r = conclab({"exercise", "solution", "data_race/lost_update"});
  EXPECT_EQ(r.exit_code, 0) << r.err.text;
  EXPECT_TRUE(has(r.out.text, "--- buggy.cpp")) << r.out.text;
  EXPECT_TRUE(has(r.out.text, "+++ fixed.cpp")) << r.out.text;
  EXPECT_TRUE(has(r.out.text, "+std::atomic<long> counter{0};")) << r.out.text;
  r = conclab({"exercise", "hint", "data_race/lost_update", "9"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.text, "conclab: data_race/lost_update has hints 1 to 4\n");
  r = conclab({"exercise", "check", "data_race/lost_update", "--dir", "/nonexistent/folder"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err.text, "start with 'conclab exercise start data_race/lost_update --dir /nonexistent/folder'"))
      << r.err.text;
}

// ---- the workshop docs ------------------------------------------------------------------------

// One ```sh block of a workshop doc: a self-contained recipe, run as one bash script.
struct DocBlock {
  std::string doc;
  int index = 0;
  std::vector<std::string> lines;
};

void PrintTo(const DocBlock& block, std::ostream* os) { *os << block.doc << " block " << block.index; }

std::vector<DocBlock> doc_blocks() {
  std::vector<DocBlock> blocks;
  const auto dir = kSource / "docs" / "workshop";
  std::vector<fs::path> docs;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".md") docs.push_back(e.path());
  std::sort(docs.begin(), docs.end());
  for (const auto& doc : docs) {
    std::istringstream in(read_file(doc));
    std::optional<DocBlock> block;
    int index = 0;
    for (std::string line; std::getline(in, line);) {
      if (!block && line == "```sh") {
        block = DocBlock{doc.stem().string(), ++index, {}};
      } else if (block && line == "```") {
        blocks.push_back(std::move(*block));
        block.reset();
      } else if (block) {
        block->lines.push_back(line);
      }
    }
  }
  return blocks;
}

class WorkshopDocs : public ::testing::TestWithParam<DocBlock> {};

// Every command, as written, in a fresh HOME (so ~/conclab-workshop is the test's own), from the
// project's root, with this tree's conclab first in PATH. A command must exit 0, or the status its
// comment names ("# exits 1"). Configure-and-build lines (cmake, ctest) are what ci/test.sh runs
// before any test exists; for them the test checks that the preset exists.
TEST_P(WorkshopDocs, EveryCommandRuns) {
  const auto& block = GetParam();
  const auto home = fresh_dir("docs_" + block.doc + "_" + std::to_string(block.index));
  const auto bin = home / ".bin";
  fs::create_directories(bin);
  fs::create_symlink(CONCLAB_CLI, bin / "conclab");
  const auto presets = read_file(kSource / "CMakePresets.json");
  static const std::regex exits(R"(#\s*exits\s+(\d+))"), preset(R"(--preset\s+(\S+))");
  std::string script = "cd '" + kSource.string() + "'\nexport HOME='" + home.string() + "'\n";
  const std::string our_path = "export PATH='" + bin.string() + "':\"$PATH\"\n";
  script += our_path;
  int commands = 0;
  for (const auto& line : block.lines) {
    const auto trimmed = line.substr(0, line.find_last_not_of(' ') + 1);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    std::smatch m;
    if (trimmed.starts_with("cmake ") || trimmed.starts_with("ctest ")) {
      ASSERT_TRUE(std::regex_search(trimmed, m, preset)) << "a build line without a preset: " << trimmed;
      EXPECT_TRUE(has(presets, "\"name\": \"" + m[1].str() + "\"")) << "no preset " << m[1] << " in CMakePresets.json";
      continue;
    }
    const std::string expected = std::regex_search(trimmed, m, exits) ? m[1].str() : "0";
    std::string quoted;
    for (const char c : trimmed) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    script += trimmed + "\nstatus=$?\nif [ \"$status\" != " + expected + " ]; then echo \"DOCS: exit $status, not " +
              expected + ": '" + quoted + "'\" >&2; exit 1; fi\n" + our_path;
    ++commands;
  }
  // The commands run from the project's root: one that writes a file there (`--graph pool.svg`) would
  // leave it in the reader's checkout. What a doc writes belongs in ~ (the test's HOME).
  const auto root_entries = [] {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(kSource)) names.insert(e.path().filename().string());
    return names;
  };
  const auto before = root_entries();
  RunSpec spec;
  spec.argv = {"bash", "-c", script};
  spec.timeout = std::chrono::minutes(10);
  spec.hang_detection.reset();
  const auto r = run_program(spec);
  for (const auto& name : root_entries())
    EXPECT_TRUE(before.count(name)) << block.doc << " block " << block.index << " wrote " << name
                                    << " into the project's root (write to ~/ instead)";
  EXPECT_EQ(r.exit_code, 0) << block.doc << " block " << block.index << ":\n" << r.err.text << "\n--- stdout ---\n"
                            << r.out.text;
  EXPECT_GT(commands, 0);
  fs::remove_all(home);
}

INSTANTIATE_TEST_SUITE_P(Blocks, WorkshopDocs, ::testing::ValuesIn(doc_blocks()), [](const auto& info) {
  std::string name = info.param.doc + "_block_" + std::to_string(info.param.index);
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
});

}  // namespace
}  // namespace conclab
