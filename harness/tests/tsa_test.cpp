// The tsa tool: clang's -Wthread-safety diagnostics parsed, classified and judged against a manifest.
#include "tools/tsa_tool.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "core/build_info.hpp"
#include "core/manifest.hpp"
#include "tools/registry.hpp"

namespace conclab {
namespace {

constexpr const char* kClangOutput =
    "In file included from cases/x/y/buggy.cpp:3:\n"
    "cases/x/y/buggy.cpp:21:3: warning: writing variable 'balance' requires holding mutex 'mutex' exclusively "
    "[-Wthread-safety-analysis]\n"
    "  balance += amount;\n"
    "  ^\n"
    "cases/x/y/buggy.cpp:30:10: error: reading variable 'balance' requires holding mutex 'mutex' "
    "[-Werror,-Wthread-safety-analysis]\n"
    "cases/x/y/buggy.cpp:12:7: note: mutex declared here\n"
    "2 warnings generated.\n";

RunResult clang_run(const std::string& stderr_text, int exit_code) {
  RunResult run;
  run.exit_code = exit_code;
  run.err.text = stderr_text;
  return run;
}

Expectation warns(std::vector<std::string> warnings) {
  Expectation e;
  e.outcome = Outcome::thread_safety_warning;
  e.warnings = std::move(warnings);
  return e;
}

// Warnings and -Werror errors are read with location, message and flags; notes and excerpts are not.
TEST(TsaParse, ReadsWarningsAndErrors) {
  const auto found = tsa::parse(kClangOutput);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].file, "cases/x/y/buggy.cpp");
  EXPECT_EQ(found[0].line, 21);
  EXPECT_EQ(found[0].column, 3);
  EXPECT_EQ(found[0].severity, "warning");
  EXPECT_EQ(found[0].message, "writing variable 'balance' requires holding mutex 'mutex' exclusively");
  EXPECT_EQ(found[0].flags, "-Wthread-safety-analysis");
  EXPECT_TRUE(tsa::is_thread_safety(found[0]));
  EXPECT_EQ(found[1].severity, "error");
  EXPECT_EQ(found[1].flags, "-Werror,-Wthread-safety-analysis");
  EXPECT_TRUE(tsa::is_thread_safety(found[1]));
}

// Garbage, half lines and random bytes are skipped without a crash or an invented diagnostic.
TEST(TsaParse, GarbageIsSkipped) {
  EXPECT_TRUE(tsa::parse("").empty());
  EXPECT_TRUE(tsa::parse("warning: no location [-Wthread-safety-analysis]\n").empty());
  EXPECT_TRUE(tsa::parse("a:b:c: warning: not numbers [-Wthread-safety]\n").empty());
  EXPECT_TRUE(tsa::parse(":1:2: warning: no file\n::: error: \n:: warning: \n").empty());
  EXPECT_TRUE(tsa::parse("f.cpp:99999999999:1: warning: line too big\n").empty());
  EXPECT_TRUE(tsa::parse(std::string(1 << 20, ':') + "\n" + std::string(1 << 16, '[')).empty());
  const auto odd = tsa::parse("f.cpp:1:2: warning: unclosed [-Wthread-safety\nf.cpp:3:4: error: ]\n");
  ASSERT_EQ(odd.size(), 2u);
  EXPECT_FALSE(tsa::is_thread_safety(odd[0]));
  EXPECT_EQ(odd[1].message, "]");
  std::mt19937 random(42);
  std::string bytes(1 << 16, '\0');
  for (auto& b : bytes) b = static_cast<char>(random());
  for (const auto& d : tsa::parse(bytes)) EXPECT_GT(d.line, -1);  // whatever it finds is well-formed
}

// Thread-safety diagnostics become findings; the outcome is thread_safety_warning.
TEST(TsaClassify, WarningsAreFindings) {
  const auto j = tsa::classify(clang_run(kClangOutput, 1));
  EXPECT_EQ(j.outcome, Outcome::thread_safety_warning);
  ASSERT_EQ(j.findings.size(), 2u);
  EXPECT_EQ(j.findings[0].tool, "tsa");
  EXPECT_EQ(j.findings[0].summary,
            "buggy.cpp:21: writing variable 'balance' requires holding mutex 'mutex' exclusively");
  EXPECT_EQ(j.findings[0].frames.at(0).line, 21);
  EXPECT_EQ(tsa::classify(clang_run("", 0)).outcome, Outcome::clean);
}

// A file clang cannot compile is exit_nonzero, never clean and never a thread-safety finding.
TEST(TsaClassify, CompileErrorIsNotAWarning) {
  const auto j = tsa::classify(clang_run(
      "f.cpp:1:10: warning: reading variable 'x' requires holding mutex 'm' [-Wthread-safety-analysis]\n"
      "f.cpp:39:8: error: no member named 'jthread' in namespace 'std'\n", 1));
  EXPECT_EQ(j.outcome, Outcome::exit_nonzero);
  ASSERT_NE(j.deciding(), nullptr);
  EXPECT_NE(j.deciding()->summary.find("no member named 'jthread'"), std::string::npos);
  EXPECT_EQ(tsa::classify(clang_run("garbage\n", 1)).outcome, Outcome::exit_nonzero);
}

// Declared warnings that all appear, and nothing else: the check passes.
TEST(TsaJudge, PassesWhenDiagnosticsMatch) {
  const auto j = tsa::classify(clang_run(kClangOutput, 1));
  const auto check = tsa::judge(j, warns({"writing variable 'balance' requires holding mutex 'mutex'",
                                          "reading variable 'balance'"}));
  EXPECT_TRUE(check.passed) << check.reason;
  EXPECT_TRUE(tsa::judge(tsa::classify(clang_run("", 0)), Expectation{}).passed);
}

// A declared warning clang did not print fails the check, naming it.
TEST(TsaJudge, FailsWhenADeclaredWarningIsMissing) {
  const auto j = tsa::classify(clang_run(kClangOutput, 1));
  const auto check = tsa::judge(j, warns({"writing variable 'balance'", "reading variable 'balance'",
                                          "reading variable 'history' requires holding mutex 'mutex'"}));
  EXPECT_FALSE(check.passed);
  EXPECT_EQ(check.reason,
            "declared warning not reported: \"reading variable 'history' requires holding mutex 'mutex'\"");
}

// A warning nobody declared fails too, and so does a warning where clean was declared.
TEST(TsaJudge, FailsOnUndeclaredWarningOrWrongOutcome) {
  const auto j = tsa::classify(clang_run(kClangOutput, 1));
  const auto check = tsa::judge(j, warns({"writing variable 'balance'"}));
  EXPECT_FALSE(check.passed);
  EXPECT_NE(check.reason.find("undeclared warning: buggy.cpp:30: reading variable 'balance'"), std::string::npos);
  const auto clean = tsa::judge(j, Expectation{});
  EXPECT_FALSE(clean.passed);
  EXPECT_NE(clean.reason.find("expected clean, got thread_safety_warning"), std::string::npos);
}

// The command line: libc++ with its annotations, syntax only, -Werror only for a variant declared clean.
TEST(TsaCommand, WerrorOnlyWhenClean) {
  const auto plain = tsa::command("/src", "/src/cases/a/b/buggy.cpp", false, {"-DX"});
  EXPECT_EQ(plain.front(), "clang++-14");
  for (const auto* flag : {"-fsyntax-only", "-stdlib=libc++", "-D_LIBCPP_ENABLE_THREAD_SAFETY_ANNOTATIONS",
                           "-Wthread-safety", "-I/src/fixtures/include", "-DX"})
    EXPECT_NE(std::find(plain.begin(), plain.end(), flag), plain.end()) << flag;
  EXPECT_EQ(std::find(plain.begin(), plain.end(), "-Werror=thread-safety"), plain.end());
  EXPECT_EQ(plain.back(), "/src/cases/a/b/buggy.cpp");
  const auto strict = tsa::command("/src", "/src/cases/a/b/fixed.cpp", true);
  EXPECT_NE(std::find(strict.begin(), strict.end(), "-Werror=thread-safety"), strict.end());
}

// tsa declarations: warnings only for a compile tool, thread_safety_warning needs them, no runtime outcomes.
TEST(TsaManifest, DeclarationsAreChecked) {
  const std::string head = "title = \"t\"\n[buggy]\nrelease = \"clean\"\ntsan = \"clean\"\nasan = \"clean\"\n";
  const std::string fixed = "[fixed]\nrelease = \"clean\"\ntsan = \"clean\"\nasan = \"clean\"\ntsa = \"clean\"\n";
  const auto m = parse_manifest(
      head + "tsa = { outcome = \"thread_safety_warning\", warnings = [\"writing variable 'x'\"] }\n" + fixed, "m.toml", tools::names());
  EXPECT_EQ(m.expectation("buggy", "tsa").warnings, std::vector<std::string>{"writing variable 'x'"});
  EXPECT_EQ(m.expectation("fixed", "tsa").outcome, Outcome::clean);
  const auto error = [&](const std::string& buggy_line) {
    try {
      parse_manifest(head + buggy_line + fixed, "m.toml", tools::names());
    } catch (const ManifestError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error("tsa = \"thread_safety_warning\"\n").find("'warnings' lists"), std::string::npos);
  EXPECT_NE(error("tsa = \"data_race\"\n").find("tsa's outcome is clean or thread_safety_warning"), std::string::npos);
  EXPECT_NE(error("tsa = { outcome = \"clean\", warnings = [\"x\"] }\n").find("'warnings' lists"), std::string::npos);
  EXPECT_NE(error("tsa = { outcome = \"thread_safety_warning\", warnings = [\"\"] }\n").find("must not be empty"),
            std::string::npos);
  EXPECT_NE(error("helgrind = { outcome = \"clean\", warnings = [\"x\"] }\n").find("'warnings' is for a tool that compiles"),
            std::string::npos);
  EXPECT_NE(error("tsa = { outcome = \"clean\", function = \"f\" }\n").find("tsa takes"), std::string::npos);
}

// A real compile: an unguarded write is flagged with its declared warning; the guarded one is clean.
TEST(TsaRun, RealCompileFlagsTheBugAndPassesTheFix) {
  if (const auto why = tsa::unavailable()) GTEST_SKIP() << *why;
  const auto root = std::filesystem::temp_directory_path() / ("conclab-tsa-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "cases" / "x" / "y");
  std::filesystem::create_directories(root / "fixtures");
  std::filesystem::create_directory_symlink(std::filesystem::path(build_info::kSourceDir) / "fixtures" / "include",
                                            root / "fixtures" / "include");
  const std::string prefix =
      "#include <mutex>\n#include \"conclab/annotations.hpp\"\n"
      "std::mutex mutex;\nlong balance CONCLAB_GUARDED_BY(mutex) = 0;\nvoid deposit(long amount) {\n";
  std::ofstream(root / "cases" / "x" / "y" / "buggy.cpp") << prefix << "  balance += amount;\n}\n";
  std::ofstream(root / "cases" / "x" / "y" / "fixed.cpp")
      << prefix << "  std::lock_guard lock(mutex);\n  balance += amount;\n}\n";
  Case c;
  c.id = "x/y";
  c.dir = root / "cases" / "x" / "y";
  const auto buggy = tsa::run_case(c, "buggy", warns({"writing variable 'balance' requires holding mutex 'mutex'"}));
  EXPECT_TRUE(buggy.check.passed) << buggy.check.reason << "\n" << buggy.run.err.text;
  const auto fixed = tsa::run_case(c, "fixed", Expectation{});
  EXPECT_TRUE(fixed.check.passed) << fixed.check.reason << "\n" << fixed.run.err.text;
  // The fixed file with a warning declared fails: the check really depends on clang's output.
  EXPECT_FALSE(tsa::run_case(c, "fixed", warns({"writing variable 'balance'"})).check.passed);
  // -Werror for a variant declared clean: the buggy file then fails to be clean, as an error.
  const auto strict = tsa::run_case(c, "buggy", Expectation{});
  EXPECT_FALSE(strict.check.passed);
  EXPECT_NE(strict.run.err.text.find("-Werror"), std::string::npos);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace conclab
