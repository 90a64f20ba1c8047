#!/usr/bin/env python3
"""The harness's stages include each other one way only (docs/design.md, "Stages").

harness/src/STAGE/*.{hpp,cpp} may include its own stage and earlier ones, never a later one:

    core < run = hang < judge < tools < report < exercise

run/ and hang/ are one stage in two folders: run_program samples a live tree with hang/'s
HangMonitor, and hang/ runs its helpers (eu-stack, llvm-symbolizer) with run_program.
Every file of harness/src must sit in a stage folder (or a folder inside one, e.g. exercise/internal/).

    stage_order.py SRC_DIR      check the tree; one line per backward include, exit 1
    stage_order.py --self-test  show the check failing on a backward include and a stray file
"""
import re
import sys
from pathlib import Path

RANK = {"core": 0, "run": 1, "hang": 1, "judge": 2, "tools": 3, "report": 4, "exercise": 5}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([^"]+)"', re.M)


def problems(files):
    """files: {"stage/name.cpp": text}. Returns one line per problem."""
    found = []
    for path, text in sorted(files.items()):
        parts = path.split("/")
        if len(parts) < 2 or parts[0] not in RANK:
            found.append(f"{path}: not in a stage folder ({', '.join(RANK)})")
            continue
        stage = parts[0]
        for included_stage, name in INCLUDE.findall(text):
            if included_stage not in RANK:
                found.append(f"{path}: includes {included_stage}/{name}, which is not a stage")
            elif RANK[included_stage] > RANK[stage]:
                found.append(f"{path}: {stage}/ includes {included_stage}/{name}, a later stage")
    return found


def read_tree(src):
    return {p.relative_to(src).as_posix(): p.read_text(errors="replace")
            for p in sorted(src.rglob("*")) if p.is_file()}


def self_test():
    good = {"core/a.hpp": '#include "core/b.hpp"\n', "judge/v.cpp": '#include "run/spawn.hpp"\n',
            "hang/s.cpp": '#include "run/spawn.hpp"\n', "exercise/internal/b.hpp": '#include "tools/case_run.hpp"\n', "run/spawn.cpp": '#include "hang/hang.hpp"\n'}
    bad = dict(good)
    bad["run/watch.cpp"] = '#include <vector>\n#include "report/json_report.hpp"\n'
    bad["loose.cpp"] = ""
    bad["core/internal/x.hpp"] = '#include "exercise/exercise.hpp"\n'
    ok = problems(good) == [] and len(problems(bad)) == 3
    print("stage_order self-test:", "the check passes a good tree and fails a bad one" if ok else "BROKEN",
          problems(bad))
    return 0 if ok else 1


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 2 or not Path(argv[1]).is_dir():
        print("usage: stage_order.py SRC_DIR | --self-test", file=sys.stderr)
        return 2
    found = problems(read_tree(Path(argv[1])))
    for line in found:
        print(line)
    if not found:
        print(f"stage_order: every include of {argv[1]} points to its own stage or an earlier one")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
