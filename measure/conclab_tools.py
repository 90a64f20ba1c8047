"""conclab's detector tools for the scripts of ci/: the registry's rows (harness/src/tools/registry.cpp)
as `conclab tools --json` prints them, in the detector matrix's column order, so that no script keeps
its own list of tools."""
import json
import os
import subprocess
import sys

_REGISTRY = []


def registry():
    """The tools in column order, from `conclab tools --json` ($CONCLAB, else the release tree's)."""
    if not _REGISTRY:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        conclab = os.environ.get("CONCLAB") or os.path.join(root, "build", "release", "harness", "conclab")
        try:
            out = subprocess.run([conclab, "tools", "--json"], check=True, capture_output=True, text=True).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"{conclab} tools --json failed ({e}): build the release tree or set CONCLAB", file=sys.stderr)
            sys.exit(2)
        _REGISTRY.extend(json.loads(out))
    return _REGISTRY


def tool_order():
    return [t["name"] for t in registry()]


def has(tool, flag):
    return any(t["name"] == tool and t[flag] for t in registry())
