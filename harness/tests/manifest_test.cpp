// The manifest loader: a good manifest loads; every bad one is one line naming file, line, problem.
#include "core/manifest.hpp"
#include "tools/registry.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace conclab {
namespace {

constexpr const char* kGood = R"(title = "Lost update"
timeout_s = 5
[buggy]
release = "wrong_result"
asan = { outcome = "wrong_result", why = "ASan does not see races" }
tsan = { outcome = "data_race", function = "bump", args = ["--fast"], timeout_s = 2.5 }
[fixed]
release = "clean"
asan = "clean"
tsan = "clean"
)";

// Replaces the first occurrence of `from` in the good manifest.
std::string good_with(const std::string& from, const std::string& to) {
  std::string text = kGood;
  text.replace(text.find(from), from.size(), to);
  return text;
}

std::string error_of(const std::string& text) {
  try {
    parse_manifest(text, "cases/x/y/manifest.toml", tools::names());
  } catch (const ManifestError& e) {
    return e.what();
  }
  return "no error";
}

// Both forms of an expectation load with every field.
TEST(Manifest, LoadsShortAndLongForms) {
  const auto m = parse_manifest(kGood, "m.toml", tools::names());
  EXPECT_EQ(m.title, "Lost update");
  EXPECT_EQ(m.expectation("buggy", "release").outcome, Outcome::wrong_result);
  const auto& tsan = m.expectation("buggy", "tsan");
  EXPECT_EQ(tsan.outcome, Outcome::data_race);
  EXPECT_EQ(tsan.function, "bump");
  EXPECT_EQ(tsan.args, std::vector<std::string>{"--fast"});
  EXPECT_DOUBLE_EQ(m.timeout_for(tsan), 2.5);
  EXPECT_DOUBLE_EQ(m.timeout_for(m.expectation("fixed", "tsan")), 5.0);
  EXPECT_EQ(m.expectation("buggy", "asan").why, "ASan does not see races");
}

// `why = "@name"` is the shared reason of that name; a name nobody defined is refused with its line;
// and the catalog's manifests resolve theirs from cases/reasons.toml.
TEST(Manifest, NamedReasons) {
  const Reasons reasons{{"asan_no_races", "ASan watches memory, not threads"}};
  const auto m = parse_manifest(good_with("\"ASan does not see races\"", "\"@asan_no_races\""), "m.toml", tools::names(), reasons);
  EXPECT_EQ(m.expectation("buggy", "asan").why, "ASan watches memory, not threads");
  try {
    parse_manifest(good_with("\"ASan does not see races\"", "\"@asan_no_racez\""), "cases/x/y/manifest.toml", tools::names(), reasons);
    ADD_FAILURE() << "an unknown reason was accepted";
  } catch (const ManifestError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown reason '@asan_no_racez' (cases/reasons.toml)"), std::string::npos) << e.what();
  }
  const std::filesystem::path cases = std::filesystem::path(CONCLAB_SOURCE_DIR) / "cases";
  const auto shared = load_reasons(cases / "reasons.toml");
  const auto helgrind = load_manifest(cases / "ipc_deadlock" / "wait_before_drain" / "manifest.toml", tools::names())
                            .expectation("fixed", "helgrind").why;
  EXPECT_EQ(helgrind, shared.at("valgrind_pidfd"));
}

// An unknown key names its file and line.
TEST(Manifest, UnknownKeyNamesFileAndLine) {
  EXPECT_EQ(error_of(good_with("timeout_s = 5", "timeout = 5")),
            "cases/x/y/manifest.toml:2: unknown key 'timeout' in the manifest");
}

// An unknown outcome is refused with its line.
TEST(Manifest, UnknownOutcome) {
  EXPECT_EQ(error_of(good_with("\"wrong_result\"", "\"wrong_reslut\"")),
            "cases/x/y/manifest.toml:4: unknown outcome 'wrong_reslut' (see docs/outcomes.md)");
}

// A tool nobody builds is refused; so is a variant that forgets a tool.
TEST(Manifest, ToolsMustBeKnownAndComplete) {
  EXPECT_NE(error_of(good_with("release = \"clean\"", "memcheck = \"clean\"")).find("unknown key 'memcheck'"),
            std::string::npos);
  EXPECT_EQ(error_of(good_with("release = \"clean\"\n", "")),
            "cases/x/y/manifest.toml:7: [fixed] declares nothing for tool 'release'");
}

// helgrind and drd are optional: declared, they load like any tool; absent, the variant has none.
TEST(Manifest, OptionalValgrindTools) {
  const auto m = parse_manifest(good_with("[fixed]", "helgrind = { outcome = \"data_race\", function = \"bump\" }\n"
                                                     "drd = { outcome = \"clean\", why = \"no lock-order check\" }\n[fixed]"),
                                "m.toml", tools::names());
  EXPECT_EQ(m.expectation("buggy", "helgrind").outcome, Outcome::data_race);
  EXPECT_EQ(m.expectation("buggy", "helgrind").function, "bump");
  EXPECT_EQ(m.expectation("buggy", "drd").why, "no lock-order check");
  EXPECT_FALSE(m.expect.at("fixed").contains("helgrind"));
  EXPECT_THROW(m.expectation("fixed", "drd"), ManifestError);
  EXPECT_NE(error_of(good_with("[fixed]", "drd = \"no_such_outcome\"\n[fixed]")).find("unknown outcome"),
            std::string::npos);
}

// Wrong types are named.
TEST(Manifest, WrongTypes) {
  EXPECT_NE(error_of(good_with("timeout_s = 5", "timeout_s = \"5\"")).find(":2: 'timeout_s' must be a number"),
            std::string::npos);
  EXPECT_NE(error_of(good_with("args = [\"--fast\"]", "args = \"--fast\"")).find(":6: 'args' must be an array"),
            std::string::npos);
  EXPECT_EQ(error_of(good_with("tsan = \"clean\"", "tsan = 3")),
            "cases/x/y/manifest.toml:10: fixed.tsan must be an outcome string or a table");
}

// TOML syntax errors keep the parser's line.
TEST(Manifest, SyntaxErrorHasLine) {
  const auto error = error_of(good_with("[fixed]", "[fixed"));
  EXPECT_EQ(error.rfind("cases/x/y/manifest.toml:7: ", 0), 0u) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

// Found by harness/fuzz: a table header followed by a character that cannot start a key. toml++
// 3.3.0 asserts on it when built with assertions (marzer/tomlplusplus#301); the library conclab
// links reports a syntax error, which must reach the user as a ManifestError like any other.
TEST(Manifest, BrokenTableHeaderIsASyntaxError) {
  for (const std::string text : {std::string("[[=\n"), std::string("[[[1]]]\n"), std::string("  [\0\0 -== \"", 11)}) {
    const auto error = error_of(text);
    EXPECT_EQ(error.rfind("cases/x/y/manifest.toml:1: ", 0), 0u) << error;
  }
}

// A missing manifest file is an error naming it.
TEST(Manifest, MissingFile) {
  try {
    load_manifest("/nonexistent/manifest.toml", tools::names());
    FAIL();
  } catch (const ManifestError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/manifest.toml: cannot read the manifest");
  }
}

// Asking for an undeclared variant is an error, never a silent pass.
TEST(Manifest, UndeclaredVariant) {
  const auto m = parse_manifest(kGood, "m.toml", tools::names());
  EXPECT_THROW(m.expectation("sideways", "tsan"), ManifestError);
  EXPECT_THROW(m.expectation("buggy", "helgrind"), ManifestError);
}

// [exercise] is optional; when present its counts are checked like every other key.
TEST(Manifest, ExerciseRequirements) {
  EXPECT_FALSE(parse_manifest(kGood, "m.toml", tools::names()).exercise.has_value());
  const auto m = parse_manifest(std::string(kGood) + "[exercise]\nrequires_threads = 2\nrequires_processes = 1\n", "m.toml", tools::names());
  ASSERT_TRUE(m.exercise.has_value());
  EXPECT_EQ(m.exercise->threads, 2);
  EXPECT_EQ(m.exercise->processes, 1);
  EXPECT_EQ(error_of(std::string(kGood) + "[exercise]\nrequires_threads = \"two\"\n"),
            "cases/x/y/manifest.toml:12: 'requires_threads' must be an integer in [0, 1024]");
  EXPECT_EQ(error_of(std::string(kGood) + "[exercise]\nrequires_processes = 0\n"),
            "cases/x/y/manifest.toml:12: 'requires_processes' must be an integer in [1, 1024]");
  EXPECT_EQ(error_of(std::string(kGood) + "[exercise]\nthreads = 2\n"),
            "cases/x/y/manifest.toml:12: unknown key 'threads' in [exercise]");
  EXPECT_EQ(error_of(good_with("timeout_s = 5", "timeout_s = 5\nexercise = 2")),
            "cases/x/y/manifest.toml:3: 'exercise' must be a table");
}

}  // namespace
}  // namespace conclab
