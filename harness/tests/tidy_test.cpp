// The tool `tidy` (tools/tidy_tool.hpp): clang-tidy's lines read as lint_warning findings that name
// what they point at and the check, and a real lint of a buggy and a fixed file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/build_info.hpp"
#include "tools/tidy_tool.hpp"

namespace conclab {
namespace {

Expectation lint(std::vector<std::string> warnings) {
  Expectation e;
  e.outcome = Outcome::lint_warning;
  e.warnings = std::move(warnings);
  return e;
}

struct TempCase {
  std::filesystem::path root =
      std::filesystem::temp_directory_path() / ("conclab-tidy-" + std::to_string(::getpid()));
  Case c;
  TempCase(const std::string& buggy, const std::string& fixed) {
    std::filesystem::create_directories(root / "cases" / "x" / "y");
    std::filesystem::create_directories(root / "fixtures" / "include");
    std::ofstream(root / "cases" / "x" / "y" / "buggy.cpp") << buggy;
    std::ofstream(root / "cases" / "x" / "y" / "fixed.cpp") << fixed;
    c.id = "x/y";
    c.dir = root / "cases" / "x" / "y";
  }
  ~TempCase() { std::filesystem::remove_all(root); }
};

// clang-tidy prints on stdout; the summary names the call at the column and the check. Compiler
// warnings and notes are not findings, an error is a failed compile.
TEST(TidyClassify, FindingsNameTheCallAndTheCheck) {
  const TempCase t("#include <ctime>\nint main() {\n  std::time_t now = 0;\n  return std::localtime(&now)->tm_year;\n}\n", "");
  const auto file = (t.c.dir / "buggy.cpp").string();
  RunResult run;
  run.exit_code = 0;
  run.out.text = file + ":4:10: warning: function is not thread safe [concurrency-mt-unsafe]\n"
                 "    4 |   return std::localtime(&now)->tm_year;\n" +
                 file + ":3:3: warning: unused variable [-Wunused-variable]\n" + file + ":1:1: note: something\n";
  const auto j = tidy::classify(run);
  ASSERT_EQ(j.findings.size(), 1u);
  EXPECT_EQ(j.outcome, Outcome::lint_warning);
  EXPECT_EQ(j.findings[0].summary, "buggy.cpp:4: function is not thread safe: std::localtime [concurrency-mt-unsafe]");
  EXPECT_TRUE(tidy::judge(j, lint({"std::localtime [concurrency-mt-unsafe]"})).passed);
  EXPECT_FALSE(tidy::judge(j, lint({"std::strtok"})).passed);
  EXPECT_FALSE(tidy::judge(j, Expectation{}).passed);
  run.exit_code = 1;
  run.out.text = file + ":2:1: error: unknown type name 'nope' [clang-diagnostic-error]\n";
  EXPECT_EQ(tidy::classify(run).outcome, Outcome::exit_nonzero);
}

// A real lint: strtok in the buggy file is flagged, strtok_r in the fixed one is not.
TEST(TidyRun, RealLintFlagsTheBugAndPassesTheFix) {
  if (const auto why = tidy::unavailable()) GTEST_SKIP() << *why;
  const std::string head = "#include <cstring>\nchar line[] = \"a,b\";\nint main() {\n";
  const TempCase t(head + "  return std::strtok(line, \",\") == nullptr;\n}\n",
                   head + "  char* rest = nullptr;\n  return strtok_r(line, \",\", &rest) == nullptr;\n}\n");
  const auto buggy = tidy::run_case(t.c, "buggy", lint({"std::strtok [concurrency-mt-unsafe]"}));
  EXPECT_TRUE(buggy.check.passed) << buggy.check.reason << "\n" << buggy.run.out.text << buggy.run.err.text;
  const auto fixed = tidy::run_case(t.c, "fixed", Expectation{});
  EXPECT_TRUE(fixed.check.passed) << fixed.check.reason << "\n" << fixed.run.out.text;
  // Declared clean, the buggy file fails: the check really depends on clang-tidy's output.
  EXPECT_FALSE(tidy::run_case(t.c, "buggy", Expectation{}).check.passed);
}

}  // namespace
}  // namespace conclab
