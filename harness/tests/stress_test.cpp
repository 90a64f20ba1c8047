// Stress (docs/stress.md): the seeded PCT plan of fixtures/ (a pure function), the markers the
// program prints, `conclab run --seed N` replaying a schedule, and a stress check that fails when
// the declared outcome never shows within its runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "conclab/schedule.hpp"
#include "core/manifest.hpp"
#include "run/spawn.hpp"
#include "tools/stress.hpp"
#include "test_support.hpp"
#include "tools/registry.hpp"

namespace conclab {
namespace {

namespace schedule = fixture::schedule;
namespace fs = std::filesystem;

// The same seed gives the same change points and the same priority to a thread of the same call
// site; other seeds, sites or arrivals give others.
TEST(StressPlan, SameSeedSamePlan) {
  for (std::uint64_t seed : {0ULL, 1ULL, 42ULL, 18446744073709551615ULL}) {
    const auto a = schedule::make_plan(seed, 3, 10), b = schedule::make_plan(seed, 3, 10);
    EXPECT_EQ(a.change_points, b.change_points) << seed;
    EXPECT_EQ(schedule::thread_priority(seed, 0x1234, 0), schedule::thread_priority(seed, 0x1234, 0)) << seed;
  }
  std::set<std::uint64_t> distinct;
  for (std::uint64_t seed = 1; seed <= 20; ++seed)
    for (std::uint64_t site : {0x1000, 0x1008})
      for (int nth : {0, 1}) distinct.insert(schedule::thread_priority(seed, site, nth));
  EXPECT_EQ(distinct.size(), 80u);
  // Which of two sites goes first changes with the seed.
  std::set<bool> first;
  for (std::uint64_t seed = 1; seed <= 20; ++seed)
    first.insert(schedule::thread_priority(seed, 0x1000, 0) > schedule::thread_priority(seed, 0x1008, 0));
  EXPECT_EQ(first.size(), 2u);
}

// A PCT plan: thread priorities above the d-1 change points' (1..d-1), drawn distinct in [1, k].
TEST(StressPlan, PlanIsPct) {
  for (int depth : {1, 2, 4}) {
    for (std::uint64_t seed = 1; seed <= 50; ++seed) {
      const auto plan = schedule::make_plan(seed, depth, 6);
      EXPECT_GE(schedule::thread_priority(seed, seed * 8, 0), std::uint64_t{1} << 62);
      ASSERT_EQ(plan.change_points.size(), static_cast<std::size_t>(depth - 1));
      for (int step : plan.change_points) {
        EXPECT_GE(step, 1);
        EXPECT_LE(step, 6);
      }
      EXPECT_EQ(std::set<int>(plan.change_points.begin(), plan.change_points.end()).size(), plan.change_points.size());
    }
  }
}

// The program's start and end lines parse; counts keep the largest any process printed.
TEST(StressMarker, ParsesStartAndEndLines) {
  const auto m = stress::parse_marker(
      "noise\nCONCLAB_STRESS: seed=77 depth=3 park_ms=20 points=9\nCONCLAB_STRESS_END: threads=2 steps=5 parks=1\n"
      "CONCLAB_STRESS: seed=78 depth=1 points=1 park_ms=1\nCONCLAB_STRESS_END: threads=1 steps=7 parks=0");
  ASSERT_TRUE(m.started);
  EXPECT_EQ(m.seed, 77u);
  EXPECT_EQ(m.depth, 3);
  EXPECT_EQ(m.points, 9);
  EXPECT_EQ(m.park_ms, 20);
  EXPECT_EQ(m.threads, 2);
  EXPECT_EQ(m.steps, 7);
  EXPECT_FALSE(stress::parse_marker("CONCLAB_STRESS: ignoring CONCLAB_STRESS_SEED=x").started);
  EXPECT_FALSE(stress::parse_marker("CONCLAB_STRESS: seed=1 depth=2").threads.has_value());
}

// PCT's bound: 1 / (n * k^(d-1)).
TEST(StressMarker, PctBound) {
  EXPECT_DOUBLE_EQ(stress::pct_bound(2, 4, 1), 0.5);
  EXPECT_DOUBLE_EQ(stress::pct_bound(2, 4, 2), 1.0 / 8);
  EXPECT_DOUBLE_EQ(stress::pct_bound(3, 10, 3), 1.0 / 300);
}

// `runs` is read for stress and refused for any other tool.
TEST(StressManifest, RunsIsForStressOnly) {
  const std::string head = "title = \"t\"\n[buggy]\nrelease = \"clean\"\ntsan = \"clean\"\nasan = \"clean\"\n";
  const std::string fixed = "[fixed]\nrelease = \"clean\"\ntsan = \"clean\"\nasan = \"clean\"\nstress = \"clean\"\n";
  const auto m = parse_manifest(head + "stress = { outcome = \"wrong_result\", runs = 50 }\n" + fixed, "m.toml", tools::names());
  EXPECT_EQ(m.expectation("buggy", "stress").outcome, Outcome::wrong_result);
  EXPECT_EQ(m.expectation("buggy", "stress").runs, 50);
  EXPECT_FALSE(m.expectation("fixed", "stress").runs.has_value());
  EXPECT_THROW(parse_manifest("title = \"t\"\n[buggy]\nrelease = { outcome = \"clean\", runs = 3 }\ntsan = \"clean\"\n"
                              "asan = \"clean\"\n" + fixed, "m.toml", tools::names()),
               ManifestError);
  EXPECT_THROW(parse_manifest(head + "stress = { outcome = \"crash\", runs = 0 }\n" + fixed, "m.toml", tools::names()), ManifestError);
}

struct Replay {
  std::string outcome;
  nlohmann::json stress;
};

// `conclab run --seed N --depth 1 --json FILE -- stress_pair`. A long park limit, so that a loaded
// machine cannot end a wait before the other thread gets there.
Replay run_seed(std::uint64_t seed, const std::vector<std::string>& extra = {}) {
  const std::string json = ::testing::TempDir() + "conclab_stress_test." + std::to_string(::getpid()) + ".json";
  fs::remove(json);
  RunSpec spec;
  spec.argv = {CONCLAB_CLI, "run", "--seed", std::to_string(seed), "--depth", "1", "--json", json, "--",
               testing::program("stress_pair")};
  spec.argv.insert(spec.argv.end(), extra.begin(), extra.end());
  spec.env["CONCLAB_STRESS_PARK_MS"] = "400";
  spec.timeout = std::chrono::seconds(60);
  spec.hang_detection.reset();  // conclab judges the program, not us (cli_test.cpp's conclab())
  const auto run = run_program(spec);
  EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.out.text << run.err.text;
  std::ifstream in(json);
  EXPECT_TRUE(in) << run.out.text << run.err.text;
  if (!in) return {};
  const auto report = nlohmann::json::parse(in);
  fs::remove(json);
  return {report.at("outcome").get<std::string>(), report.value("stress", nlohmann::json())};
}

// `conclab run --seed N` replays: every run of a seed ends the same (B first or A first, by their
// priorities), and both orders occur among the seeds.
TEST(StressReplay, RunSeedReplaysTheOutcome) {
  // Stress is the release tree's tool: under TSan or ASan threads run several times slower and
  // a bounded park runs out before the other thread arrives (seen: seeds flipping in the tsan tree).
  if (std::string_view(CONCLAB_TEST_TOOL) != "release") GTEST_SKIP() << "stress runs the release binaries";
  std::set<std::string> seen;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const std::string first = run_seed(seed).outcome;
    for (int i = 0; i < 2; ++i) {
      const auto r = run_seed(seed);
      EXPECT_EQ(r.outcome, first) << "seed " << seed << " run " << i + 2;
      ASSERT_TRUE(r.stress.is_object());
      EXPECT_EQ(r.stress.at("seed"), seed);
      EXPECT_EQ(r.stress.at("perturbed"), true);
      EXPECT_EQ(r.stress.at("threads"), 2);
      seen.insert(r.outcome);
    }
  }
  EXPECT_EQ(seen, (std::set<std::string>{"clean", "wrong_result"}));
}

// A case in a folder of its own: stress_pair as its buggy and fixed binaries.
struct TempCatalog {
  fs::path root = fs::path(::testing::TempDir()) / ("conclab_stress_catalog." + std::to_string(::getpid()));
  TempCatalog(const std::string& manifest, const std::string& program = "stress_pair") {
    fs::remove_all(root);
    const auto dir = root / "src" / "cases" / "demo" / "never_hit";
    const auto bin = root / "build" / "cases" / "demo" / "never_hit";
    fs::create_directories(dir);
    fs::create_directories(bin);
    for (const char* f : {"buggy.cpp", "fixed.cpp", "README.md"}) std::ofstream(dir / f) << "\n";
    std::ofstream(dir / "manifest.toml") << manifest;
    fs::copy_file(testing::program(program.c_str()), bin / "buggy");
    fs::copy_file(testing::program(program.c_str()), bin / "fixed");
  }
  ~TempCatalog() { fs::remove_all(root); }
  Catalog catalog() const { return Catalog(root / "src", root / "build", "release", tools::names()); }
};

// A stress check FAILS when no seed within the declared runs reaches the declared outcome: the
// buggy variant runs with `--never`, which no schedule makes wrong.
TEST(StressCheck, FailsWhenTheBugIsNeverHit) {
  const TempCatalog temp(
      "title = \"never hit\"\n[buggy]\nrelease = \"clean\"\ntsan = \"clean\"\nasan = \"clean\"\n"
      "stress = { outcome = \"wrong_result\", runs = 3, args = [\"--never\"] }\n"
      "[fixed]\nrelease = \"clean\"\ntsan = \"clean\"\nasan = \"clean\"\nstress = { outcome = \"clean\", args = [\"--never\"] }\n");
  const auto catalog = temp.catalog();
  const auto c = catalog.find("demo/never_hit");
  const auto& expected = c.manifest.expectation("buggy", "stress");
  const auto s = stress::search(catalog, c, "buggy", expected, stress::runs_for(expected, std::nullopt), std::nullopt);
  EXPECT_FALSE(s.passed) << s.reason;
  EXPECT_EQ(s.runs, 3);
  EXPECT_FALSE(s.hit.has_value());
  EXPECT_EQ(s.seeds, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_NE(s.reason.find("not reached in 3 runs"), std::string::npos) << s.reason;
  EXPECT_EQ(s.threads, 2);
  ASSERT_TRUE(s.bound.has_value());

  // The same program without --never: some seed among the first few reaches it.
  Expectation reachable = expected;
  reachable.args.clear();
  const auto hit = stress::search(catalog, c, "buggy", reachable, 10, std::nullopt);
  EXPECT_TRUE(hit.passed) << hit.reason;
  ASSERT_TRUE(hit.hit.has_value());
  // ... and a fixed variant passes only when every run is clean.
  const auto& fixed = c.manifest.expectation("fixed", "stress");
  EXPECT_TRUE(stress::search(catalog, c, "fixed", fixed, 3, std::nullopt).passed);
  Expectation clean = reachable;
  clean.outcome = Outcome::clean;
  EXPECT_FALSE(stress::search(catalog, c, "fixed", clean, 10, std::nullopt).passed);
}

// A case without a gate still has the scheduler linked (conclab_add_case): stress runs it, and says
// the seed had no scheduling point to perturb rather than failing for want of a marker.
TEST(StressCheck, GatelessProgramSaysItHasNoPoint) {
  const TempCatalog temp(
      "title = \"no gate\"\n[buggy]\nrelease = \"clean\"\ntsan = \"clean\"\nasan = \"clean\"\nstress = \"clean\"\n"
      "[fixed]\nrelease = \"clean\"\ntsan = \"clean\"\nasan = \"clean\"\nstress = \"clean\"\n",
      "gateless_case");
  const auto catalog = temp.catalog();
  const auto c = catalog.find("demo/never_hit");
  const auto s = stress::search(catalog, c, "fixed", c.manifest.expectation("fixed", "stress"), 2, std::nullopt);
  EXPECT_TRUE(s.passed) << s.reason;
  EXPECT_TRUE(s.reported);
  EXPECT_EQ(s.steps, 0);
  EXPECT_FALSE(s.bound.has_value());
  EXPECT_NE(stress::describe(s).find("no scheduling point reached"), std::string::npos) << stress::describe(s);
}

}  // namespace
}  // namespace conclab
