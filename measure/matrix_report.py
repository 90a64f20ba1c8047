#!/usr/bin/env python3
"""Merges the trees' `conclab matrix --json` files into docs/detector-matrix.md (on stdout).

usage: matrix_report.py [--reuse OLD.md [--keep-rows]] RELEASE.json [TSAN.json ASAN.json ...]
       matrix_report.py --check DETECTOR-MATRIX.md CASES-DIR

--reuse: the columns of tools this run did not run are taken from an earlier document (cells only,
no timings), and the document says so; a row that document lacks is "not run" for them.
--keep-rows (with --reuse; `measure/matrix.sh -m REGEX -r OLD.md`): a run of some cases only. Their rows
are this run's; every other row of the earlier document is kept as it was, and the counts are
recomputed over all rows (slowdowns are the earlier document's).
--check: exits 1 when the document's cells disagree with what the manifests declare (every cell is
a declaration, so no run is needed): a row per case and variant, each tool column's cell the one
its declared outcome makes (or n.a.), no cell marked (!), release and tsa among the columns (the
other tools' columns are checked when present). Counts and timings are not compared.

Rows are case x variant, columns the tools, each cell what the run showed: caught / missed for a
buggy variant, clean / false alarm for a fixed one, n.a. where the manifest declares nothing for
the tool. A cell marked (!) did not reach what the manifest declares. Per tool: recall (caught /
buggy runs), precision (caught / (caught + false alarms)) and the median slowdown against release,
cell by cell, measured in the same run.
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import time

from conclab_tools import has, registry, tool_order

SYMPTOMS = ("clean", "wrong_result", "exit_nonzero", "timeout")



def matrix_cell(variant, outcome, tool, gated=True):
    """What `conclab matrix` calls a run (harness/cli/matrix.cpp, matrix_cell)."""
    if outcome == "tool_error":
        return "tool error"
    if variant == "fixed":
        return "clean" if outcome == "clean" else "false alarm"
    if has(tool, "searches_seeds") and not gated:
        return "no gate"
    if has(tool, "searches_seeds"):
        return "missed" if outcome in ("clean", "timeout") else "caught"
    return "missed" if outcome in SYMPTOMS else "caught"


def cells_table(lines, start):
    """The document's cell table after line `start`: its tool columns, and (case, variant) -> tool -> cell."""
    header = next(line for line in lines[start:] if line.startswith("| case |"))
    tools = [t.strip() for t in header.strip("|").split("|")][2:]
    rows = {}
    for line in lines[lines.index(header) + 2:]:
        if not line.startswith("| `"):
            break
        parts = [p.strip() for p in line.strip().strip("|").split("|")]
        rows[(parts[0].strip("`"), parts[1])] = dict(zip(tools, parts[2:]))
    return tools, rows


def declared_cells(cases_dir):
    """(case, variant) -> tool -> the cell text its declaration makes, from every manifest."""
    import glob
    import tomllib
    cells = {}
    for manifest in sorted(glob.glob(os.path.join(cases_dir, "*", "*", "manifest.toml"))):
        case = os.path.relpath(os.path.dirname(manifest), cases_dir).replace(os.sep, "/")
        with open(manifest, "rb") as f:
            data = tomllib.load(f)
        with open(os.path.join(os.path.dirname(manifest), "buggy.cpp")) as f:
            gated = "conclab/gate.hpp" in f.read()  # as has_gate() in harness/cli/matrix.cpp
        for variant in ("buggy", "fixed"):
            row = cells.setdefault((case, variant), {})
            for tool, e in data.get(variant, {}).items():
                outcome = e if isinstance(e, str) else e.get("outcome", "")
                cell = matrix_cell(variant, outcome, tool, gated)
                if variant == "buggy" and cell == "caught" and has(tool, "compiles"):
                    # as harness/cli/matrix.cpp: warnings the fixed variant prints too say nothing of the bug
                    fixed = data.get("fixed", {}).get(tool, "clean")
                    fixed_warnings = set() if isinstance(fixed, str) else set(fixed.get("warnings", []))
                    if set(e.get("warnings", [])) <= fixed_warnings:
                        cell = "missed"
                row[tool] = cell + ("" if outcome == "clean" else f" `{outcome}`")
    return cells


def check(doc, cases_dir):
    import re
    with open(doc) as f:
        lines = f.read().split("\n")
    try:
        start = lines.index("## Cells")
    except ValueError:
        print(f"{doc}: no '## Cells' section")
        return 1
    tools, documented = cells_table(lines, start)
    declared = declared_cells(cases_dir)
    problems = []
    for key in sorted(declared):  # the catalog's rule: every case says what every tool does
        for tool in tool_order():
            if tool not in declared[key]:
                problems.append(f"{key[0]} {key[1]}: the manifest declares nothing for {tool}")
    for key in sorted(set(declared) - set(documented)):
        problems.append(f"{key[0]} {key[1]}: declared by a manifest, no row in the document")
    for key in sorted(set(documented) - set(declared)):
        problems.append(f"{key[0]} {key[1]}: a row in the document, no such case")
    for key in sorted(set(declared) & set(documented)):
        for tool in tools:
            text = documented[key].get(tool, "")
            want = declared[key].get(tool, "n.a.")
            # a stress cell adds the seed search in parentheses; anything else after the cell is a problem
            got = re.sub(r" \((seed \d+: run \d+(, bound \d+)?|\d+ seeds)\)$", "", text)
            if got != want and got != "not run":  # "not run" claims nothing
                problems.append(f"{key[0]} {key[1]} [{tool}]: the document says '{text}', the manifest makes it '{want}'")
    for tool in ("release", "tsa"):  # the release tree's cheap tools are always in the run
        if tool not in tools:
            problems.append(f"no {tool} column")
    for problem in problems:
        print(f"{doc}: {problem}")
    if problems:
        print(f"{len(problems)} cell(s) disagree: regenerate the document with `bash measure/matrix.sh`")
        return 1
    print(f"{doc}: {len(documented)} rows x {len(tools)} tools ({', '.join(tools)}) agree with the manifests")
    return 0


def command_output(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.splitlines()[0].strip()
    except Exception:  # a missing tool is "unknown", not a failure
        return "unknown"


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = "unknown"
    try:
        with open("/proc/meminfo") as f:
            kib = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
            memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    distro = "unknown"
    try:
        with open("/etc/os-release") as f:
            distro = next(line.split("=", 1)[1].strip().strip('"') for line in f if line.startswith("PRETTY_NAME"))
    except (OSError, StopIteration):
        pass
    return [
        ("OS", f"{distro}, {platform.system()} {platform.release()} {platform.machine()}"),
        ("CPU", f"{cpu}, {os.cpu_count()} logical cores"),
        ("memory", memory),
        ("load average at the end", " ".join(f"{x:.1f}" for x in os.getloadavg())),
        ("g++", command_output(["g++", "--version"])),
        ("clang++", command_output(["clang++", "--version"])),
        ("valgrind", command_output(["valgrind", "--version"])),
        ("perf counters (rr)", "present" if os.path.isdir("/sys/bus/event_source/devices/cpu")
         else "none (/sys/bus/event_source/devices/cpu is missing): rr cannot record here, its column is skipped"),
    ]


def read_document(doc):
    """An earlier document's cells: (tools, {(case, variant): {tool: text}}, its run line, slowdowns)."""
    with open(doc) as f:
        lines = f.read().split("\n")
    run = next((line.split("|")[2].strip() for line in lines if line.startswith("| run |")), "an earlier run")
    slowdowns = {}  # tool -> its median slowdown as that document printed it
    if "## Per tool" in lines:
        for line in lines[lines.index("## Per tool") + 4:]:
            if not line.startswith("| "):
                break
            parts = [p.strip() for p in line.strip().strip("|").split("|")]
            if len(parts) >= 8 and parts[7] not in ("—", ""):
                slowdowns[parts[0]] = parts[7].split(" ")[0]
    start = lines.index("## Cells")
    tools, rows = cells_table(lines, start)
    return tools, rows, run, slowdowns


def reused_cell(case, variant, tool, text):
    """A cell of an earlier document as a JSON cell: what it showed, no timings."""
    import re
    cell = {"case": case, "variant": variant, "tool": tool, "declared": text != "n.a.", "seconds": [],
            "runs": 0 if text == "n.a." else 1, "cell": text, "got": "", "passed": True, "reused": True,
            "expected": ""}
    m = re.match(r"^(caught|missed|clean|false alarm|tool error|no gate|flaky)(?: `([^`]+)`)?(.*)$", text)
    if m:
        cell.update(cell=m.group(1), got=m.group(2) or "clean", passed="(!)" not in m.group(3))
        e = re.search(r"expected `([^`]+)`", m.group(3))
        cell["expected"] = e.group(1) if e else cell["got"]
    return cell


def main(files, reuse=None, keep_rows=False):
    cells = {}  # (case, variant) -> tool -> cell
    jobs = set()
    trees = []
    tools_run = set()
    for name in files:
        with open(name) as f:
            data = json.load(f)
        jobs.add(data.get("jobs", 1))
        if data.get("tree") not in trees:
            trees.append(data.get("tree"))
        tools_run.update(data.get("tools", []))
        for cell in data["cells"]:
            cells.setdefault((cell["case"], cell["variant"]), {})[cell["tool"]] = cell
    reused = []  # tools whose column comes from the earlier document
    reused_run = ""
    reused_slowdowns = {}
    if reuse:
        old_tools, old_rows, reused_run, reused_slowdowns = read_document(reuse)
        reused = [t for t in old_tools if t not in tools_run]
        for key, row in cells.items():  # rows of this run only: a case removed since is gone
            for tool in reused:
                if key in old_rows and tool in old_rows[key]:
                    row[tool] = reused_cell(key[0], key[1], tool, old_rows[key][tool])
        if keep_rows:  # the rows this run left out, whole and as printed (a case since removed is gone)
            cases_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cases")
            present = {case for case, _ in declared_cells(cases_dir)}
            for key, old in old_rows.items():
                if key not in cells and key[0] in present:
                    cells[key] = {tool: dict(reused_cell(key[0], key[1], tool, text), verbatim=text)
                                  for tool, text in old.items()}
            tools_run.update(old_tools)
    tools = [t for t in tool_order() if any(t in row for row in cells.values())]
    tools += sorted({t for row in cells.values() for t in row} - set(tools))

    def median_seconds(cell):
        return statistics.median(cell["seconds"]) if cell.get("seconds") else None

    stats = {}
    for tool in tools:
        caught = missed = clean = false_alarms = mismatched = 0
        ratios = []
        for row in cells.values():
            cell = row.get(tool)
            if not cell or not cell["declared"] or not cell["runs"]:
                continue
            label = cell["cell"]
            caught += label == "caught"
            missed += label == "missed"
            clean += label == "clean"
            false_alarms += label == "false alarm"
            mismatched += not cell["passed"]
            base = row.get("release")
            if not has(tool, "compiles") and base and base["declared"] and base["runs"]:  # a compile is no slower run
                t, b = median_seconds(cell), median_seconds(base)
                if t and b:
                    ratios.append(t / b)
        stats[tool] = {
            "caught": caught, "missed": missed, "clean": clean, "false_alarms": false_alarms,
            "mismatched": mismatched,
            "recall": caught / (caught + missed) if caught + missed else None,
            "precision": caught / (caught + false_alarms) if caught + false_alarms else None,
            "slowdown": statistics.median(ratios) if ratios else None,
        }

    out = []
    p = out.append
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "detector_matrix_intro.md")) as f:
        out.extend(f.read().split("\n")[:-1])  # the prose before the machine table, a line each
    p("## Machine")
    p("")
    p("| | |")
    p("| --- | --- |")
    for key, value in machine():
        p(f"| {key} | {value} |")
    p(f"| run | {time.strftime('%Y-%m-%d %H:%M %Z')}, {max(jobs) if jobs else 1} run(s) at a time per tree |")
    missing = [t["name"] for t in registry() if t["required"] and t["name"] not in trees]
    n_cases = len({case for case, _ in cells})
    p(f"| trees | {', '.join(trees)}" + (f" (not in this run: {', '.join(missing)})" if missing else "") +
      f"; {n_cases} cases |")
    not_run = [t for t in tool_order() if t not in ("tsan", "asan") and t not in tools_run and t not in reused]
    p(f"| tools | {', '.join(t for t in tool_order() if t in tools_run)}" +
      (f" (not in this run: {', '.join(not_run)}; a full `bash measure/matrix.sh` runs them)" if not_run else "") + " |")
    kept = sum(1 for row in cells.values() if any("verbatim" in c for c in row.values()))
    if kept:
        p(f"| kept rows | {kept} rows copied whole from the document of the run of {reused_run} "
          f"(this run: {len(cells) - kept} rows) |")
    if reused:
        unmeasured = sum(1 for row in cells.values() if any(t not in row for t in reused))
        p(f"| reused columns | {', '.join(reused)}: cells copied from the document of the run of {reused_run}, "
          f"not run again (no timings); {unmeasured} rows that run did not have say \"not run\" |")
    p("")
    p("## Per tool")
    p("")
    p("| tool | caught | missed | clean | false alarms | recall | precision | median slowdown vs release | not as declared |")
    p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    fmt = lambda x: "—" if x is None else f"{x:.2f}"
    for tool in tools:
        s = stats[tool]
        slowdown = "—" if s["slowdown"] is None else f"{s['slowdown']:.1f}x"
        if (tool in reused or keep_rows) and tool in reused_slowdowns:
            slowdown = f"{reused_slowdowns[tool]} (reused run)"
        p(f"| {tool} | {s['caught']} | {s['missed']} | {s['clean']} | {s['false_alarms']} | {fmt(s['recall'])} | "
          f"{fmt(s['precision'])} | {slowdown} | {s['mismatched']} |")
    p("")
    p("Recall: caught / buggy variants run. Precision: caught / (caught + false alarms). Slowdown: the")
    p("median, over the cells both ran, of the tool's run time over release's; runs with schedule")
    p("arguments or gate soft limits mostly wait, so this understates the tools' CPU cost. tsa compiles")
    p("instead of running, so it has no slowdown.")
    p("")

    complete = {key for key, row in cells.items() if all(t in row for t in tools)}
    nobody = [case for (case, variant), row in sorted(cells.items())
              if variant == "buggy" and (case, variant) in complete and not any(c["cell"] == "caught" for c in row.values())]
    only_harness = [case for (case, variant), row in sorted(cells.items())
                    if variant == "buggy" and row.get("release", {}).get("cell") == "caught"
                    and not any(c["cell"] == "caught" for t, c in row.items() if t != "release")]
    only_compile = [case for (case, variant), row in sorted(cells.items())
                    if variant == "buggy" and (case, variant) in complete
                    and any(c["cell"] == "caught" for t, c in row.items() if has(t, "compiles"))
                    and not any(c["cell"] == "caught" for t, c in row.items() if not has(t, "compiles"))]
    p("## Bugs no tool catches")
    p("")
    if nobody:
        p(f"{len(nobody)} of {sum(1 for _, v in complete if v == 'buggy')} buggy variants: " +
          ", ".join(f"[`{c}`](../cases/{c}/README.md)" for c in nobody) + ".")
    else:
        p("None: every buggy variant is caught by at least one tool.")
    partial = [case for (case, variant) in sorted(cells) if variant == "buggy" and (case, variant) not in complete]
    if partial:
        p("")
        p(f"Not counted above: {len(partial)} buggy variants that some tool of this document did not run.")
    if only_harness:
        p("")
        p("Caught only by conclab itself on the release build (hang explainer, orphan and leak sweeps), by no detector: " +
          ", ".join(f"`{c}`" for c in only_harness) + ".")
    p("")
    p("## Bugs only a compile finds")
    p("")
    if only_compile:
        p("Found by a static check (tsa or tidy warns about the bug's code, the fixed variant's does not) and "
          "missed by every run of every tool: " + ", ".join(f"`{c}`" for c in only_compile) + ".")
    else:
        p("None: every bug a static check finds, some run of some tool catches too.")
    p("")
    p("## Cells")
    p("")
    p("| case | variant | " + " | ".join(tools) + " |")
    p("| --- | --- | " + " | ".join("---" for _ in tools) + " |")
    for (case, variant), row in sorted(cells.items()):
        texts = []
        for tool in tools:
            cell = row.get(tool)
            if not cell:
                texts.append("not run")
                continue
            if "verbatim" in cell:
                texts.append(cell["verbatim"])
                continue
            if cell.get("reused"):
                texts.append(cell["cell"] + ("" if cell["got"] in ("", "clean") else f" `{cell['got']}`") +
                             ("" if cell["passed"] else f" (!) expected `{cell['expected']}`"))
                continue
            text = cell["cell"]
            if cell["declared"] and cell["runs"] and cell["got"] != "clean":
                text += f" `{cell['got']}`"
            if cell["declared"] and cell["runs"] and not cell["passed"]:
                text += f" (!) expected `{cell['expected']}`"
            stress = cell.get("stress")  # a seed search (docs/stress.md): the seed that hit, against PCT's bound
            if cell["cell"] == "no gate":
                pass  # the seed changed nothing: no seed to name
            elif stress and stress.get("runs_to_hit"):
                bound = f", bound {1 / stress['pct_bound']:.0f}" if stress.get("pct_bound") else ""
                text += f" (seed {stress['seed']}: run {stress['runs_to_hit']}{bound})"
            elif stress and variant == "fixed":
                text += f" ({stress['runs']} seeds)"
            texts.append(text)
        p(f"| `{case}` | {variant} | " + " | ".join(texts) + " |")
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "--check":
        if len(sys.argv) != 4:
            sys.exit(__doc__)
        sys.exit(check(sys.argv[2], sys.argv[3]))
    if sys.argv[1] == "--reuse":
        if len(sys.argv) < 4:
            sys.exit(__doc__)
        keep = sys.argv[3] == "--keep-rows"
        main(sys.argv[4 if keep else 3:], reuse=sys.argv[2], keep_rows=keep)
    else:
        main(sys.argv[1:])
