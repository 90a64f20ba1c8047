#!/usr/bin/env python3
"""Every case that declares an optional tool of this tree (`conclab tools --json`) is a ctest test
<tool>.<category>.<bug>, as tool_tests.cmake registers them, with the row's labels.

usage: tools_have_tests.py CONCLAB TREE CTEST BUILD_DIR               exit 1 naming each missing test
       tools_have_tests.py CONCLAB TREE CTEST BUILD_DIR --self-test   the check must fail without one test
"""
import json
import subprocess
import sys


def expected_tests(conclab, tree):
    tools = json.loads(subprocess.run([conclab, "tools", "--json"], check=True, capture_output=True, text=True).stdout)
    want = {}
    for t in tools:
        if t["tree"] != tree or t["required"]:
            continue
        for case in t["cases"]:
            want[f"{t['name']}.{case.replace('/', '.')}"] = set(filter(None, t["test"]["labels"].split(";")))
    return want


def registered_tests(ctest, build_dir):
    shown = subprocess.run([ctest, "--test-dir", build_dir, "--show-only=json-v1"], check=True, capture_output=True,
                           text=True).stdout
    tests = {}
    for test in json.loads(shown)["tests"]:
        labels = set()
        for prop in test.get("properties", []):
            if prop["name"] == "LABELS":
                labels = set(prop["value"])
        tests[test["name"]] = labels
    return tests


def problems(want, have):
    found = []
    for name, labels in sorted(want.items()):
        if name not in have:
            found.append(f"{name} is not a ctest test (harness/tests/tool_tests.cmake)")
        elif not labels <= have[name]:
            found.append(f"{name} lacks the labels {sorted(labels - have[name])}")
    return found


def main():
    conclab, tree, ctest, build_dir = sys.argv[1:5]
    want, have = expected_tests(conclab, tree), registered_tests(ctest, build_dir)
    if "--self-test" in sys.argv[5:]:
        if not want:
            print("tools_have_tests: no optional tool of this tree has a case: nothing to prove")
            return 0
        dropped = sorted(want)[0]
        cut = {k: v for k, v in have.items() if k != dropped}
        if not any(dropped in p for p in problems(want, cut)):
            print(f"tools_have_tests: a registration without {dropped} was not caught")
            return 1
        print(f"tools_have_tests: a registration without {dropped} is caught")
        return 0
    found = problems(want, have)
    for p in found:
        print(p)
    if not found:
        print(f"tools_have_tests: {len(want)} tests of the {tree} tree's optional tools, each registered")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
