#!/usr/bin/env python3
"""Each case README's "## The fix" section shows `diff -u buggy.cpp fixed.cpp`: the lesson. This
keeps that block equal to the real diff of the two files, and the two files' opening comments (the
bug, the symptom, the fix, what each tool reports) identical, so that the diff is the fix alone.

usage: case_fix_diffs.py --check CASES-DIR    exit 1 naming each stale README and each case whose
                                              variants open with different comments
       case_fix_diffs.py --write CASES-DIR    rewrite the stale blocks (comments are for people to fix)
       case_fix_diffs.py --self-test CASES-DIR   the check must fail on a copy of one case with a
                                              changed comment in fixed.cpp and a stale README
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

BLOCK = re.compile(r"(## The fix\n(?:.*?\n)??```diff\n)(.*?)(```)", re.S)


def real_diff(case_dir):
    return subprocess.run(["diff", "-u", "--label", "buggy.cpp", "--label", "fixed.cpp",
                           os.path.join(case_dir, "buggy.cpp"), os.path.join(case_dir, "fixed.cpp")],
                          capture_output=True, text=True, check=False).stdout


def opening_comment(path):
    with open(path) as f:
        lines = f.readlines()
    n = next((i for i, line in enumerate(lines) if not line.startswith("//")), len(lines))
    return lines[:n]


def main(mode, cases_dir):
    problems = 0
    for case_dir in sorted(glob.glob(os.path.join(cases_dir, "*", "*", ""))):
        if not os.path.exists(os.path.join(case_dir, "fixed.cpp")):
            continue
        if opening_comment(os.path.join(case_dir, "buggy.cpp")) != opening_comment(os.path.join(case_dir, "fixed.cpp")):
            problems += 1
            print(f"{case_dir}: buggy.cpp and fixed.cpp open with different comments (keep them identical;"
                  " the README says what the fix changed)")
    stale = []
    for readme in sorted(glob.glob(os.path.join(cases_dir, "*", "*", "README.md"))):
        with open(readme) as f:
            text = f.read()
        match = BLOCK.search(text)
        want = real_diff(os.path.dirname(readme))
        if match and match.group(2) == want:
            continue
        stale.append(readme)
        if mode == "--write" and match:
            with open(readme, "w") as f:
                f.write(text[:match.start(2)] + want + text[match.end(2):])
    for readme in stale:
        print(f"{readme}: the diff under '## The fix' is not `diff -u buggy.cpp fixed.cpp`"
              + (" (rewritten)" if mode == "--write" else " (ci/case_fix_diffs.py --write cases)"))
    return 1 if (stale or problems) and mode == "--check" else 0


def self_test(cases_dir):
    one = sorted(glob.glob(os.path.join(cases_dir, "*", "*", "fixed.cpp")))[0]
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "category", "case")
        shutil.copytree(os.path.dirname(one), copy)
        with open(os.path.join(copy, "fixed.cpp")) as f:
            text = f.read()
        with open(os.path.join(copy, "fixed.cpp"), "w") as f:
            f.write("// Fixed here.\n" + text)
        failed = main("--check", tmp) == 1
    print("case_fix_diffs: a changed comment and a stale diff are " + ("caught" if failed else "NOT caught"))
    return 0 if failed else 1


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("--check", "--write", "--self-test"):
        sys.exit(__doc__)
    sys.exit(self_test(sys.argv[2]) if sys.argv[1] == "--self-test" else main(sys.argv[1], sys.argv[2]))
