// The file reports: SARIF validated against the official SARIF 2.1.0 schema by a real validator
// (Python's jsonschema), JUnit read by an XML parser, and the HTML page rendered by headless
// Chromium, with a screenshot left in the test's output folder.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/build_info.hpp"
#include "report/html_report.hpp"
#include "report/junit_report.hpp"
#include "report/markup.hpp"
#include "report/sarif_report.hpp"
#include "run/spawn.hpp"
#include "test_support.hpp"

namespace conclab {
namespace {
namespace fs = std::filesystem;

const fs::path kSource = build_info::kSourceDir;

using testing::read_file;

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

fs::path fresh_dir(const std::string& name) {
  const auto dir = fs::path(::testing::TempDir()) / ("conclab_reports." + std::to_string(::getpid()) + "." + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

RunResult run(std::vector<std::string> argv, std::chrono::seconds limit = std::chrono::seconds(300)) {
  RunSpec spec;
  spec.argv = std::move(argv);
  spec.timeout = limit;
  spec.hang_detection.reset();
  return run_program(spec);
}

// `conclab check CASE` with every report; returns its stdout.
std::string check_with_reports(const std::string& case_id, const fs::path& dir) {
  const auto r = run({CONCLAB_CLI, "check", case_id, "--html", (dir / "report.html").string(), "--sarif",
                      (dir / "report.sarif").string(), "--junit", (dir / "report.xml").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out.text << r.err.text;
  return r.out.text;
}

// Python's jsonschema, Draft 4 (the schema's own), with format checks; "" when valid.
std::string sarif_errors(const fs::path& sarif) {
  const std::string script =
      "import json, sys, jsonschema\n"
      "schema = json.load(open(sys.argv[1]))\n"
      "log = json.load(open(sys.argv[2]))\n"
      "v = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())\n"
      "errors = sorted(v.iter_errors(log), key=str)\n"
      "for e in errors[:5]: print(list(e.absolute_path), e.message)\n"
      "sys.exit(1 if errors else 0)\n";
  const auto r = run({"/usr/bin/python3", "-c", script, (kSource / "harness/tests/data/sarif-schema-2.1.0.json").string(),
                      sarif.string()});
  return r.exit_code == 0 ? std::string() : r.out.text + r.err.text + " (exit " + std::to_string(r.exit_code.value_or(-1)) + ")";
}

bool python_has_jsonschema() { return run({"/usr/bin/python3", "-c", "import jsonschema"}).exit_code == 0; }

// ---- the parts -------------------------------------------------------------------------------

TEST(ReportParts, SarifArtifactLocations) {
  EXPECT_EQ(sarif_artifact("/src", "/src/cases/a b/x.cpp"),
            (nlohmann::json{{"uri", "cases/a%20b/x.cpp"}, {"uriBaseId", "SRCROOT"}}));
  EXPECT_EQ(sarif_artifact("/src", "/usr/include/c++/12/thread"), (nlohmann::json{{"uri", "file:///usr/include/c++/12/thread"}}));
}

TEST(ReportParts, XmlEscape) {
  EXPECT_EQ(xml_escape("a<b & \"c\" 'd'>\x01\n"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;?\n");
  EXPECT_EQ(xml_escape("caf\xc3\xa9 \xff\xc3"), "caf\xc3\xa9 ??");  // UTF-8 kept, stray bytes replaced
}

RunRecord record(const std::string& variant, Outcome got, Outcome expected) {
  RunRecord r;
  r.case_id = "data_race/lost_update";
  r.variant = variant;
  r.tool = "tsan";
  r.source = kSource / "cases/data_race/lost_update" / (variant + ".cpp");
  r.expected.outcome = expected;
  r.judgement.outcome = got;
  if (got != Outcome::clean)
    r.judgement.findings.push_back({got, "tsan", "data race in increment",
                                    {{"increment", (kSource / "cases/data_race/lost_update/buggy.cpp").string(), 28, ""},
                                     {"main", (kSource / "cases/data_race/lost_update/buggy.cpp").string(), 34, ""}},
                                    {}});
  r.duration_s = 0.25;
  r.ended = "exit 66, 0.25 s";
  r.passed = got == expected;
  r.reason = r.passed ? std::string(to_string(got)) : "expected clean, got data_race";
  return r;
}

ReportInput sample_input() {
  ReportInput in;
  in.title = "sample";
  in.tool = "tsan";
  in.source_dir = kSource;
  in.runs = {record("buggy", Outcome::data_race, Outcome::data_race), record("fixed", Outcome::data_race, Outcome::clean),
             record("fixed", Outcome::clean, Outcome::clean)};
  return in;
}

TEST(ReportParts, JunitCountsFailuresAndNamesRepeats) {
  const auto xml = junit_report(sample_input());
  EXPECT_TRUE(has(xml, "<testsuites name=\"conclab\" tests=\"3\" failures=\"1\"")) << xml;
  EXPECT_TRUE(has(xml, "classname=\"data_race.lost_update\" name=\"buggy [tsan]\"")) << xml;
  EXPECT_TRUE(has(xml, "name=\"fixed [tsan] run 2\"")) << xml;
  EXPECT_TRUE(has(xml, "<failure type=\"mismatch\" message=\"expected clean, got data_race\">")) << xml;
}

TEST(ReportParts, SarifOneResultPerFindingWithItsStackAsCodeFlow) {
  const auto sarif = sarif_report(sample_input());
  EXPECT_EQ(sarif["version"], "2.1.0");
  const auto& results = sarif["runs"][0]["results"];
  ASSERT_EQ(results.size(), 2u);  // the same finding in buggy and in (a mismatching) fixed
  const auto& r = results[0];
  EXPECT_EQ(r["ruleId"], "data_race");
  EXPECT_EQ(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "cases/data_race/lost_update/buggy.cpp");
  EXPECT_EQ(r["locations"][0]["physicalLocation"]["region"]["startLine"], 28);
  const auto& flow = r["codeFlows"][0]["threadFlows"][0]["locations"];
  ASSERT_EQ(flow.size(), 2u);
  EXPECT_EQ(flow[0]["location"]["message"]["text"], "main");  // outermost first, as executed
  EXPECT_EQ(flow[1]["location"]["message"]["text"], "increment");
  EXPECT_EQ(sarif["runs"][0]["tool"]["driver"]["rules"][0]["id"], "data_race");
}

// ---- real runs --------------------------------------------------------------------------------

// SARIF of real checks validates against the SARIF 2.1.0 schema: a race or lock-order report
// with its stack, a deadlock with its cycle as one thread flow per blocked thread.
TEST(ReportFiles, SarifValidatesAgainstTheSchema) {
  ASSERT_TRUE(python_has_jsonschema()) << "Debian's python3-jsonschema is missing: bash ci/install-deps.sh";
  for (const std::string id : {"data_race/lost_update", "deadlock/lock_order_inversion", "ipc_deadlock/pipes_both_full"}) {
    const auto dir = fresh_dir("sarif");
    check_with_reports(id, dir);
    EXPECT_EQ(sarif_errors(dir / "report.sarif"), "") << id;
    const auto sarif = nlohmann::json::parse(read_file(dir / "report.sarif"));
    const auto& results = sarif["runs"][0]["results"];
    ASSERT_FALSE(results.empty()) << id;
    for (const auto& r : results) EXPECT_EQ(r["properties"]["variant"], "buggy") << id;  // the fixed runs are clean
    if (id != "data_race/lost_update") {  // lost_update's release and asan runs: a wrong result, no stack
      EXPECT_TRUE(results[0].contains("codeFlows")) << id << "\n" << results[0].dump(2);
    }
    fs::remove_all(dir);
  }
}

// The validator is real: a log the schema forbids is refused.
TEST(ReportFiles, ValidatorRefusesABrokenLog) {
  ASSERT_TRUE(python_has_jsonschema()) << "Debian's python3-jsonschema is missing: bash ci/install-deps.sh";
  const auto dir = fresh_dir("broken");
  auto log = sarif_report(sample_input());
  log["version"] = "2.2.0";
  log["runs"][0]["results"][0]["level"] = "fatal";
  std::ofstream(dir / "broken.sarif") << log.dump();
  const auto errors = sarif_errors(dir / "broken.sarif");
  EXPECT_TRUE(has(errors, "'2.2.0' is not one of ['2.1.0']")) << errors;
  EXPECT_TRUE(has(errors, "'fatal' is not one of")) << errors;
  fs::remove_all(dir);
}

TEST(ReportFiles, JunitIsWellFormedXml) {
  const auto dir = fresh_dir("junit");
  check_with_reports("data_race/lost_update", dir);
  const auto r = run({"/usr/bin/python3", "-c",
                      "import sys, xml.etree.ElementTree as ET\n"
                      "root = ET.parse(sys.argv[1]).getroot()\n"
                      "cases = root.findall('./testsuite/testcase')\n"
                      "print(root.tag, len(cases), sorted(c.get('name').split()[0] for c in cases))\n",
                      (dir / "report.xml").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err.text;
  EXPECT_TRUE(has(r.out.text, "testsuites 2 ['buggy', 'fixed']")) << r.out.text;
  fs::remove_all(dir);
}

// The HTML report of a check renders in headless Chromium: its DOM has the matrix, the finding,
// the source lines and the wait-for graph as SVG, and the screenshot (left in the test's output
// folder) is a page with content, not a blank one.
TEST(ReportFiles, HtmlRendersInChromium) {
  if (!fs::exists("/usr/bin/chromium")) GTEST_SKIP() << "chromium is not installed (ci/install-deps.sh installs it)";
  const auto dir = fresh_dir("html");
  check_with_reports("ipc_deadlock/pipes_both_full", dir);
  const auto html = read_file(dir / "report.html");
  EXPECT_TRUE(has(html, "<svg")) << "no inline wait-for graph";
  EXPECT_FALSE(has(html, "<script")) << "the page needs no script";
  EXPECT_FALSE(has(html, "src=\"http")) << "the page is self-contained";

  const fs::path out = CONCLAB_TEST_OUTPUT_DIR;
  fs::create_directories(out);
  const auto shot = out / ("report_" + std::string(CONCLAB_TEST_TOOL) + ".png");
  fs::remove(shot);
  const std::vector<std::string> chromium{"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                                          "--disable-background-networking", "--user-data-dir=" + (dir / "profile").string(),
                                          "--window-size=1280,1200"};
  auto args = chromium;
  args.insert(args.end(), {"--dump-dom", "file://" + (dir / "report.html").string()});
  const auto dom = run(args, std::chrono::seconds(120));
  EXPECT_TRUE(has(dom.out.text, "The matrix")) << dom.out.text.substr(0, 2000) << dom.err.text;
  EXPECT_TRUE(has(dom.out.text, "ipc_deadlock/pipes_both_full")) << dom.err.text;
  EXPECT_TRUE(has(dom.out.text, "<svg")) << dom.err.text;
  EXPECT_TRUE(has(dom.out.text, "exchange")) << dom.err.text;  // a frame, with its source lines

  args = chromium;
  args.insert(args.end(), {"--screenshot=" + shot.string(), "file://" + (dir / "report.html").string()});
  const auto r = run(args, std::chrono::seconds(120));
  ASSERT_TRUE(fs::exists(shot)) << r.err.text;
  // Decode the PNG (Python's zlib) and count what is not background: a rendered page has text,
  // the green and red cells, the graph.
  const auto pixels = run({"/usr/bin/python3", "-c",
                           "import sys, zlib, struct\n"
                           "data = open(sys.argv[1], 'rb').read()\n"
                           "pos, idat, w, h, ctype = 8, b'', 0, 0, 0\n"
                           "while pos < len(data):\n"
                           "    n, kind = struct.unpack('>I4s', data[pos:pos + 8])\n"
                           "    body = data[pos + 8:pos + 8 + n]\n"
                           "    if kind == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', body[:10])\n"
                           "    if kind == b'IDAT': idat += body\n"
                           "    pos += 12 + n\n"
                           "bpp = {2: 3, 6: 4}[ctype]\n"
                           "raw, stride, prev, rows = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []\n"
                           "for y in range(h):\n"
                           "    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])\n"
                           "    for i in range(stride):\n"
                           "        a = line[i - bpp] if i >= bpp else 0\n"
                           "        b, c = prev[i], prev[i - bpp] if i >= bpp else 0\n"
                           "        if f == 1: line[i] = (line[i] + a) & 255\n"
                           "        elif f == 2: line[i] = (line[i] + b) & 255\n"
                           "        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255\n"
                           "        elif f == 4:\n"
                           "            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)\n"
                           "            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255\n"
                           "    rows.append(line); prev = line\n"
                           "ink = colours = 0; seen = set()\n"
                           "for line in rows[::4]:\n"
                           "    for x in range(0, w, 4):\n"
                           "        px = tuple(line[x * bpp:x * bpp + 3]); seen.add(px)\n"
                           "        ink += px != (255, 255, 255)\n"
                           "print(w, h, ink * 16 / (w * h), len(seen))\n",
                           shot.string()},
                          std::chrono::seconds(120));
  ASSERT_EQ(pixels.exit_code, 0) << pixels.err.text;
  std::istringstream numbers(pixels.out.text);
  int width = 0, height = 0, colours = 0;
  double ink = 0;
  numbers >> width >> height >> ink >> colours;
  EXPECT_EQ(width, 1280);
  EXPECT_GT(ink, 0.05) << "the screenshot is nearly blank: " << shot;
  EXPECT_GT(colours, 20) << "the screenshot has hardly any colours: " << shot;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace conclab
