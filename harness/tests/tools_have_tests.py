#!/usr/bin/env python3
"""Every optional tool of the registry (`conclab tools --json`) has its ctest registration line.

usage: tools_have_tests.py CONCLAB CMAKELISTS       exit 1 naming each tool without tests
       tools_have_tests.py CONCLAB CMAKELISTS --self-test   the check must fail on a copy without one line
"""
import json
import re
import subprocess
import sys
import tempfile


def missing(conclab, cmakelists_text):
    tools = json.loads(subprocess.run([conclab, "tools", "--json"], check=True, capture_output=True, text=True).stdout)
    registered = set(re.findall(r"^\s*conclab_add_tool_tests\((\w+)\s", cmakelists_text, re.M))
    return [t["name"] for t in tools if not t["required"] and t["name"] not in registered]


def main():
    conclab, cmakelists = sys.argv[1], sys.argv[2]
    with open(cmakelists) as f:
        text = f.read()
    if "--self-test" in sys.argv[3:]:
        cut = re.sub(r"^\s*conclab_add_tool_tests\(stress\s.*$", "", text, count=1, flags=re.M)
        if missing(conclab, cut) != ["stress"]:
            print("tools_have_tests: a CMakeLists without stress's line was not caught")
            return 1
        print("tools_have_tests: a CMakeLists without stress's line is caught")
        return 0
    absent = missing(conclab, text)
    for name in absent:
        print(f"tool {name} (tools/registry.cpp) has no conclab_add_tool_tests({name} ...) line in {cmakelists}")
    if not absent:
        print("tools_have_tests: every optional tool of the registry has its tests")
    return 1 if absent else 0


if __name__ == "__main__":
    sys.exit(main())
