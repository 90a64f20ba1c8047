#!/usr/bin/env python3
"""Each case README's "## The fix" section shows `diff -u buggy.cpp fixed.cpp`: the lesson. This
keeps that block equal to the real diff of the two files.

usage: case_fix_diffs.py --check CASES-DIR    exit 1 naming each README whose diff is stale
       case_fix_diffs.py --write CASES-DIR    rewrite the stale blocks
"""
import glob
import os
import re
import subprocess
import sys

BLOCK = re.compile(r"(## The fix\n(?:.*?\n)??```diff\n)(.*?)(```)", re.S)


def real_diff(case_dir):
    return subprocess.run(["diff", "-u", "--label", "buggy.cpp", "--label", "fixed.cpp",
                           os.path.join(case_dir, "buggy.cpp"), os.path.join(case_dir, "fixed.cpp")],
                          capture_output=True, text=True, check=False).stdout


def main(mode, cases_dir):
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
    return 1 if stale and mode == "--check" else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("--check", "--write"):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
