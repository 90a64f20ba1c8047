"""Reading one run of measure/tradeoffs.sh (the Google Benchmark JSON of each section, the cross-checks'
output) and formatting its figures for the report."""
import glob
import json
import os
import re


UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


class Results:
    def __init__(self, folder):
        self.folder = folder
        self.median, self.mean, self.cv, self.context = {}, {}, {}, {}
        for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
            if os.path.basename(path).startswith("hyperfine"):
                continue
            with open(path) as f:  # the cv of an all-zero counter comes out as NaN, which is not JSON
                data = json.loads(re.sub(r":\s*-?(nan|inf)\b", ": null", f.read(), flags=re.I))
            self.context = data["context"]
            for b in data["benchmarks"]:
                key = re.sub(r"/(min_time|repeats|iterations):[^/]*", "", b["run_name"])
                key = re.sub(r"/(real|manual)_time$", "", key)
                if b.get("aggregate_name") == "median":
                    self.median[key] = b
                elif b.get("aggregate_name") == "mean":
                    self.mean[key] = b["real_time"] * UNIT_NS[b["time_unit"]]
                elif b.get("aggregate_name") == "cv":
                    self.cv[key] = b["real_time"]

    def has(self, key):
        return key in self.median

    def ns(self, key):
        b = self.median[key]
        return b["real_time"] * UNIT_NS[b["time_unit"]]

    def counter(self, key, name):
        return self.median[key][name]

    def text(self, name):
        path = os.path.join(self.folder, name)
        return open(path).read() if os.path.exists(path) else ""


def fmt_ns(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def fmt_rate(bytes_per_s):
    for unit, scale in (("GB/s", 1e9), ("MB/s", 1e6), ("kB/s", 1e3)):
        if bytes_per_s >= scale:
            return f"{bytes_per_s / scale:.3g} {unit}"
    return f"{bytes_per_s:.3g} B/s"


def fmt_size(n):
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n >> 10} KiB" if n >= 1 << 10 else f"{n} B"


def kib(v):
    return "< 0.1 KiB" if v < 0.05 else f"{v:.1f} KiB"


def times(a, b):
    """'N× more' phrasing of a/b, both positive."""
    r = a / b
    return f"{r:.1f}×" if r < 10 else f"{r:.0f}×"


def faster_slower(a, b):
    """How a (a time) compares with b: '3.1× faster' / '2.0× slower' / 'about as fast'."""
    if abs(a / b - 1) < 0.15:
        return "about as fast as"
    return f"{times(b, a)} faster than" if a < b else f"{times(a, b)} slower than"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def read_floats(text):
    return [float(x) for x in text.split() if re.match(r"^[0-9.]+$", x)]


def kv_lines(text):
    out = {}
    for line in text.splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            out[key.strip()] = value.strip()
    return out


def arg_values(r, prefix):
    """The integer arguments a benchmark family ran with, e.g. parent_mib of creation/fork_exit_wait."""
    return sorted(int(k.rsplit(":", 1)[1]) for k in r.median if k.startswith(prefix + "/") and ":" in k)
