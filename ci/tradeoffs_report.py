#!/usr/bin/env python3
"""Writes the threads-vs-processes report (docs/tradeoffs.md and its SVG charts) from one run of
ci/tradeoffs.sh: the Google Benchmark JSON of each harness/bench/tradeoffs program (medians of
repetitions), the cross-checks (perf bench sched pipe, hyperfine) and the machine description.
Prints the cross-check table (ours, theirs, ratio) on stdout. Python 3 standard library + gnuplot."""
import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

import tradeoffs_compare

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
RANGE = (0.67, 1.5)
THREAD_COLOR, PROCESS_COLOR, OTHER_COLOR = 0x4477AA, 0xCC6677, 0x228833  # gnuplot reads them as integers


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


class Charts:
    """Writes gnuplot data and scripts to a temporary folder and renders SVGs into `out`."""

    def __init__(self, out, rel):
        self.out, self.rel, self.tmp = out, rel, tempfile.mkdtemp(prefix="tradeoffs-")
        os.makedirs(out, exist_ok=True)

    def _render(self, name, script, data, size="800,440"):
        dat = os.path.join(self.tmp, name + ".dat")
        with open(dat, "w") as f:
            f.write(data)
        svg = os.path.join(self.out, name + ".svg")
        head = (f"set terminal svg size {size} dynamic font 'Helvetica,12' background rgb 'white'\n"
                f"set termoption noenhanced\nset output '{svg}'\nset grid ytics lc rgb '#dddddd'\n"
                "set key outside top center horizontal\nset style fill solid 0.85 border -1\n")
        subprocess.run(["gnuplot"], input=head + script.replace("DATA", f"'{dat}'"), text=True, check=True)
        return f"![{name}]({self.rel}/{name}.svg)\n"

    LABEL = "($2 >= 100 ? sprintf('%.0f', $2) : sprintf('%.2g', $2))"

    def bars(self, name, ylabel, rows, log=True):
        """rows: (label, value, color as an integer 0xRRGGBB)."""
        data = "".join(f'"{label}" {value:.6g} {color:d}\n' for label, value, color in rows)
        script = (("set logscale y\n" if log else "set yrange [0:*]\n") + f"set ylabel '{ylabel}'\n"
                  "set boxwidth 0.7\nset xtics rotate by -40 left nomirror font ',11'\nset bmargin 13\n"
                  "set rmargin 12\nset offsets 0.5, 0.5, 0, 0\n"
                  "plot DATA using 0:2:3:xtic(1) with boxes lc rgb variable notitle, "
                  f"DATA using 0:2:{self.LABEL} with labels offset 0,0.7 font ',10' notitle\n")
        return self._render(name, script, data, "900,560")

    def clusters(self, name, ylabel, columns, rows, log=True):
        """rows: (label, [value per column])."""
        data = "".join(f'"{label}" ' + " ".join(f"{v:.6g}" for v in values) + "\n" for label, values in rows)
        plots = ", ".join(f"DATA using {i + 2}:xtic(1) title '{c}'" if i == 0 else f"DATA using {i + 2} title '{c}'"
                          for i, c in enumerate(columns))
        script = (("set logscale y\n" if log else "set yrange [0:*]\n") + f"set ylabel '{ylabel}'\n"
                  "set style data histograms\nset style histogram cluster gap 1\n"
                  "set xtics rotate by -25 left nomirror font ',11'\nset bmargin 8\nset rmargin 10\n"
                  "plot " + plots + "\n")
        return self._render(name, script, data, "900,500")

    def lines(self, name, xlabel, ylabel, series, xtics=None, logx=True):
        """series: (title, [(x, y)])."""
        data = "\n\n\n".join("\n".join(f"{x:.6g} {y:.6g}" for x, y in points) for _, points in series) + "\n"
        plots = ", ".join(f"DATA index {i} using 1:2 with linespoints lw 2 pt 7 title '{title}'"
                          for i, (title, _) in enumerate(series))
        script = (("set logscale x 2\n" if logx else "") + "set logscale y\n" + f"set xlabel '{xlabel}'\n"
                  f"set ylabel '{ylabel}'\nset offsets graph 0.04, graph 0.04, 0, 0\n"
                  + (f"set xtics ({xtics})\n" if xtics else "") + "plot " + plots + "\n")
        return self._render(name, script, data)


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


def crosschecks(r):
    """(what, ours ns, theirs ns, their runs in ns)."""
    rows = []
    for what, key, variant in (
            ("pipe round trip, 2 processes, unpinned: `perf bench sched pipe`",
             "switching/pipe_processes/unpinned", "processes"),
            ("pipe round trip, 2 threads, unpinned: `perf bench sched pipe -T`",
             "switching/pipe_threads/unpinned", "threads"),
            ("pipe round trip, 2 processes on CPU 0: `taskset -c 0 perf bench sched pipe`",
             "switching/pipe_processes/one_core", "processes_one_core")):
        runs = [v * 1e3 for v in read_floats(r.text(f"perf_pipe_{variant}.txt"))]
        if runs and r.has(key):
            rows.append((what, r.ns(key), statistics.median(runs), runs))
    hf = r.text("hyperfine_true.json")
    key = "creation/posix_spawn_true_single/parent_mib:1"
    if hf and r.has(key):
        result = json.loads(hf)["results"][0]
        runs = [t * 1e9 for t in result["times"]]
        rows.append(("posix_spawn + wait of /bin/true, median of single runs: `hyperfine -N /bin/true`",
                     r.ns(key), result["median"] * 1e9, runs))
        rows.append(("posix_spawn + wait of /bin/true, mean of single runs: `hyperfine -N /bin/true`",
                     r.mean[key], result["mean"] * 1e9, runs))
    return rows


def explain(what, ours, theirs, runs, r):
    """Why a cross-check ratio left 0.67-1.5, from the figures of this run."""
    if "hyperfine" in what:
        median, mean = statistics.median(runs), statistics.mean(runs)
        key = "creation/posix_spawn_true_single/parent_mib:1"
        return (f"hyperfine's {len(runs)} runs ranged {fmt_ns(min(runs))} to {fmt_ns(max(runs))}, median "
                f"{fmt_ns(median)}, mean {fmt_ns(mean)}; ours (300 single spawns) median {fmt_ns(r.ns(key))}, mean "
                f"{fmt_ns(r.mean[key])}. "
                + ("A mean this far above the median is a long tail of spawns that waited for a CPU the other jobs "
                   "held; the two tools sampled that tail at different moments, seconds apart. The medians are the "
                   "robust comparison. " if mean > 1.5 * median else "")
                + "hyperfine also spawns differently: Rust's `std::process::Command` opens /dev/null for the "
                "child's three streams first.")
    spread = f"perf's {len(runs)} runs ranged {fmt_ns(min(runs))} to {fmt_ns(max(runs))}"
    key = {"2 threads": "switching/pipe_threads", "CPU 0": "switching/pipe_processes"}
    fam = next((v for k, v in key.items() if k in what), "switching/pipe_processes")
    if "unpinned" in what:
        one, two = r.ns(f"{fam}/one_core"), r.ns(f"{fam}/two_cores") if r.has(f"{fam}/two_cores") else 0
        return (f"{spread}. Unpinned, a round trip costs what the scheduler's placement makes it: both sides on one "
                f"CPU ({fmt_ns(one)} here, pinned) or one on each ({fmt_ns(two)}, pinned), and the placement changes "
                f"from run to run and with the other jobs on the machine.")
    return (f"{spread}; ours varied by {r.cv.get(fam + '/one_core', 0) * 100:.0f}% (cv) between repetitions. On CPU 0 "
            f"both sides share that CPU with whatever else the scheduler runs there, so each figure depends on the "
            f"other jobs at the moment it was taken.")


def render(r, charts, args):
    machine = kv_lines(r.text("machine.txt"))
    lscpu = kv_lines(r.text("lscpu.txt"))
    md = []
    w = md.append
    reps = "7 (5 for the slower sections)" if args.mode == "full" else "3"
    w("# Threads vs processes, measured\n\n")
    w(f"Generated by `bash ci/tradeoffs.sh{' --quick' if args.mode == 'quick' else ''}` on "
      f"{machine.get('date', '?')} from one run on the machine below ({args.mode} mode, "
      f"{args.elapsed // 60} min {args.elapsed % 60} s including the build check and the cross-checks). "
      f"Do not edit: rerun. The programs are in `harness/bench/tradeoffs/`, one per section; every figure is "
      f"the **median of {reps} repetitions** (Google Benchmark, wall-clock time), each repetition "
      f"running for at least {'0.2' if args.mode == 'full' else '0.01'} s or a fixed number of rounds. The cv columns give the spread between "
      f"repetitions (standard deviation / mean). Benchmarks are not tests: CI only builds them and runs "
      f"`--quick` once (`ctest -L bench`), asserting no timing.\n\n")

    w("## The machine\n\n")
    load_start, load_end = machine.get("loadavg_start", "?"), machine.get("loadavg_end", "?")
    w(table(["", ""], [
        ("CPU", f"{lscpu.get('Model name', r.context.get('cpu_model', '?'))}, {r.context.get('mhz_per_cpu', '?')} MHz"),
        ("CPUs (nproc)", f"{machine.get('nproc', '?')} ({lscpu.get('Thread(s) per core', '?')} thread per core, "
                         f"{lscpu.get('Socket(s)', '?')} socket)"),
        ("virtualisation", f"{lscpu.get('Hypervisor vendor', 'none')} {lscpu.get('Virtualization type', '')}".strip()),
        ("caches", f"L1d {lscpu.get('L1d cache', '?')}, L2 {lscpu.get('L2 cache', '?')}, L3 {lscpu.get('L3 cache', '?')}"),
        ("memory", machine.get("memory", "?")),
        ("kernel", machine.get("kernel", "?")),
        ("OS, compiler", f"{machine.get('os', '?')}, {machine.get('compiler', '?')} (-O2 -g, RelWithDebInfo)"),
        ("load average (1, 5, 15 min)", f"{load_start} at the start, {load_end} at the end"),
    ]))
    w(f"\n**The machine was shared with other jobs during this run** (builds and tests of other work on the "
      f"same two CPUs: a load average of {load_start.split()[0] if load_start != '?' else '?'} on "
      f"{machine.get('nproc', '?')} CPUs means runnable threads were usually waiting for a CPU). Wall-clock "
      f"figures that involve waking another thread or process include time spent waiting for a CPU; the "
      f"ratios between rows measured minutes apart are therefore rougher than the digits suggest, and the "
      f"cv columns show where. CPU-bound rows (creation, contention) suffer least.\n\n")

    # Cross-check
    w("## Cross-check with tools nobody here wrote\n\n")
    checks = crosschecks(r)
    perf_runs = next((len(runs) for what, _, _, runs in checks if "perf" in what), 0)
    hf_runs = next((len(runs) for what, _, _, runs in checks if "hyperfine" in what), 0)
    single = r.median.get("creation/posix_spawn_true_single/parent_mib:1", {}).get("repetitions", 0)
    w(f"The same quantities, measured in the same run by `perf bench sched pipe` (linux-perf) and `hyperfine`, "
      f"each right after the section it checks. perf prints the mean round trip of one run; it ran {perf_runs} "
      f"times and *theirs* is the median of those means, as ours is the median of the repetitions' means. "
      f"hyperfine times {hf_runs} single spawns; our figure for it comes from one spawn per repetition "
      f"({single} repetitions), so both sides give the median and the mean of single runs. "
      f"Ratio = ours / theirs; goal 0.67–1.5.\n\n")
    rows, xrows, notes = [], [], []
    for what, ours, theirs, runs in checks:
        ratio = ours / theirs
        ok = RANGE[0] <= ratio <= RANGE[1]
        rows.append((what, fmt_ns(ours), fmt_ns(theirs), f"{ratio:.2f}", "yes" if ok else "**no** (see below)"))
        xrows.append((what.split(":")[0], fmt_ns(ours), fmt_ns(theirs), ratio, ok))
        if not ok:
            notes.append(f"- *{what.split(':')[0]}*: ratio {ratio:.2f}. {explain(what, ours, theirs, runs, r)}\n")
    w(table(["quantity", "ours", "theirs", "ratio", "within 0.67–1.5"], rows))
    w("\n" + ("".join(notes) if notes else "Every ratio is within range.\n") + "\n")

    # Creation
    w("## Creation and teardown\n\n")
    w("One unit of concurrency started, run to an empty end, and waited for. *parent MiB* is memory the "
      "benchmark mapped and touched (4 KiB pages, no huge pages) on top of its own few MiB before forking: "
      "fork copies the page tables of all of it, exit tears the copy down.\n\n")
    base = r.ns("creation/thread_create_join")
    crows = [("std::thread create + join", "creation/thread_create_join", THREAD_COLOR),
             ("std::async(launch::async) + get", "creation/std_async", THREAD_COLOR),
             ("task posted to a running pool + wait", "creation/pooled_task", THREAD_COLOR),
             ("vfork + _exit + waitpid", "creation/vfork_exit_wait/parent_mib:1", PROCESS_COLOR)]
    for m in arg_values(r, "creation/fork_exit_wait"):
        crows.append((f"fork + _exit + waitpid, parent {m} MiB", f"creation/fork_exit_wait/parent_mib:{m}", PROCESS_COLOR))
    for m in arg_values(r, "creation/fork_exec_true"):
        crows.append((f"fork + exec /bin/true + waitpid, parent {m} MiB", f"creation/fork_exec_true/parent_mib:{m}", PROCESS_COLOR))
    for m in arg_values(r, "creation/posix_spawn_true"):
        crows.append((f"posix_spawn /bin/true + waitpid, parent {m} MiB", f"creation/posix_spawn_true/parent_mib:{m}", PROCESS_COLOR))
    crows.append(("Boost.Process v2 /bin/true + wait", "creation/boost_process_true/parent_mib:1", PROCESS_COLOR))
    crows.append(("posix_spawn /bin/true + waitpid, single runs (median)", "creation/posix_spawn_true_single/parent_mib:1",
                  PROCESS_COLOR))
    crows = [c for c in crows if r.has(c[1])]
    w(table(["what", "median", "cv", "× thread create+join"],
            [(label, fmt_ns(r.ns(k)), f"{r.cv.get(k, 0) * 100:.0f}%", f"{r.ns(k) / base:.1f}") for label, k, _ in crows]))
    w("\n" + charts.bars("creation", "create + wait (µs, log scale)",
                         [(label.replace(" + waitpid", "").replace(" + wait", "").replace(" + join", "+join"),
                           r.ns(k) / 1e3, c) for label, k, c in crows]))
    series = []
    for title, fam in (("fork + _exit", "creation/fork_exit_wait"), ("fork + exec", "creation/fork_exec_true"),
                       ("posix_spawn", "creation/posix_spawn_true")):
        series.append((title, [(m, r.ns(f"{fam}/parent_mib:{m}") / 1e3) for m in arg_values(r, fam)]))
    xt = ", ".join(f"'{m} MiB' {m}" for m in arg_values(r, "creation/fork_exit_wait"))
    w(charts.lines("fork_memory", "parent memory touched (MiB, log scale)", "create + wait (µs, log scale)", series, xt))
    w("\nBlue: threads; red: processes.\n\n")

    # Switching
    w("## Switching\n\n")
    w("A ping-pong between two threads or two processes; one round trip = two wake-ups. *one core*: both "
      "pinned to CPU 0, so every hand-off is a context switch on that core; *two cores*: pinned to CPUs 0 "
      "and 1, a cross-CPU wake-up; *unpinned*: the scheduler places them.\n\n")
    mechs = [("condition variable, threads", "condvar_threads"), ("futex, threads", "futex_threads"),
             ("futex on a shared page, processes", "futex_processes"), ("pipe, threads", "pipe_threads"),
             ("pipe, processes", "pipe_processes")]
    places = [p for p in ("one_core", "two_cores", "unpinned") if r.has(f"switching/pipe_processes/{p}")]
    w(table(["round trip"] + [p.replace("_", " ") for p in places],
            [(label, *[fmt_ns(r.ns(f"switching/{m}/{p}")) for p in places]) for label, m in mechs]))
    if "two_cores" in places:
        one, two = r.ns("switching/pipe_processes/one_core"), r.ns("switching/pipe_processes/two_cores")
        w(f"\nOn one core a round trip is two context switches on that core; on two cores, two cross-CPU wake-ups "
          f"(an interrupt to the other CPU each), and a pinned side cannot move when another job holds its CPU. "
          f"Two processes over a pipe were {faster_slower(two, one)} on one core here"
          + (", most likely from waiting for a pinned CPU that other jobs hold, which the scheduler avoids when "
             "nothing is pinned (compare the unpinned column)." if two > 3 * one else ".") + "\n")
    w("\n" + charts.clusters("switching", "round trip (µs, log scale)", [p.replace("_", " ") for p in places],
                             [(label, [r.ns(f"switching/{m}/{p}") / 1e3 for p in places]) for label, m in mechs]))

    # IPC
    w("\n## IPC\n\n")
    w("Latency: a message there and the same message back (round trip). Throughput: a stream one way, "
      "acknowledged once per batch (8 MiB per batch in full mode). The in-process queue (mutex + condition "
      "variable, a vector per message) runs between two threads; the pipe, UNIX socket (socketpair, stream) "
      "and shared-memory ring (POSIX shm, single producer, single consumer, a short spin then a futex) "
      "between two processes. Every channel copies a message twice, in and out. Unpinned.\n\n")
    kinds = [("in-process queue (threads)", "queue"), ("pipe (processes)", "pipe"),
             ("UNIX socket (processes)", "unix_socket"), ("shared-memory ring (processes)", "shm_ring")]
    sizes = arg_values(r, "ipc_latency/pipe")
    w("Round trip:\n\n")
    w(table(["channel"] + [fmt_size(s) for s in sizes],
            [(label, *[fmt_ns(r.ns(f"ipc_latency/{k}/bytes:{s}")) for s in sizes]) for label, k in kinds]))
    w("\nThroughput (one way):\n\n")
    w(table(["channel"] + [fmt_size(s) for s in sizes],
            [(label, *[fmt_rate(r.counter(f"ipc_throughput/{k}/bytes:{s}", "bytes_per_second")) for s in sizes])
             for label, k in kinds]))
    xt = ", ".join(f"'{fmt_size(s)}' {s}" for s in sizes)
    w("\n" + charts.lines("ipc_latency", "message size", "round trip (µs, log scale)",
                          [(label, [(s, r.ns(f"ipc_latency/{k}/bytes:{s}") / 1e3) for s in sizes]) for label, k in kinds], xt))
    w(charts.lines("ipc_throughput", "message size", "throughput (MB/s, log scale)",
                   [(label, [(s, r.counter(f"ipc_throughput/{k}/bytes:{s}", "bytes_per_second") / 1e6) for s in sizes])
                    for label, k in kinds], xt))

    # Memory
    w("\n## Memory\n\n")
    count = int(r.counter("memory/thread/touch_kib:0", "count"))
    w(f"{count} of each are started and parked; the figures are per unit. **PSS** (proportional set size: "
      f"a page shared by k processes counts 1/k to each) summed over the parent and the children, minus "
      f"the parent's before: what one more really costs in user memory. **page tables**: growth of VmPTE "
      f"(/proc/<pid>/status) over the same processes, kernel memory that no smaps figure shows; every thread "
      f"and every process also has a 16 KiB kernel stack (x86-64), not counted here. **RSS**: each child's "
      f"resident set (for threads, the process's RSS growth): it counts every shared page in full, so it "
      f"overstates what a forked child costs. *fork*: a copy of the benchmark process; *spawn*: posix_spawn of "
      f"the benchmark program anew (`--idle-child`), a small C++ program with libstdc++ and Google Benchmark "
      f"loaded. *touch*: each unit also allocates and touches that much heap.\n\n")
    mrows = []
    for touch in arg_values(r, "memory/thread"):
        for label, fam in (("one more thread", "thread"), ("one more forked process", "fork"),
                           ("one more spawned process", "spawn")):
            k = f"memory/{fam}/touch_kib:{touch}"
            mrows.append((f"{label}, touch {touch} KiB", k))
    w(table(["unit", "PSS", "page tables", "RSS", f"time to start {count}"],
            [(label, f"{r.counter(k, 'pss_kib'):.0f} KiB", f"{r.counter(k, 'page_tables_kib'):.0f} KiB",
              f"{r.counter(k, 'rss_kib'):.0f} KiB", fmt_ns(r.ns(k))) for label, k in mrows]))
    w("\n" + charts.clusters("memory", "KiB per unit (log scale)", ["PSS", "page tables", "RSS"],
                             [(label.replace("one more ", ""), [max(0.5, r.counter(k, f)) for f in ("pss_kib", "page_tables_kib", "rss_kib")])
                              for label, k in mrows]))

    # Contention
    w("\n## Contention: it depends on the workload\n\n")
    w("Two workers, the same code run as two threads or two forked processes; the time is "
      "the whole job, creating and joining or reaping the workers included; worker i is pinned to CPU i, so the "
      "two can run at the same time whenever the other jobs let them.\n\n"
      "- *false sharing*: each worker increments its own counter 20 M times (2 M in quick mode), but the "
      "two counters share a cache line. Threads share the line; each process gets its own copy of the "
      "page on its first write. *threads, padded* is the fix: counters 64 bytes apart.\n"
      "- *global lock*: each worker takes one global mutex around a tiny critical section 5 M times (a "
      "logger's or an allocator's lock taken out of habit). Threads contend for it; each process has its "
      "own copy, so there is no contention (and no shared result).\n"
      "- *results back*: the workers transform halves of a 64 MiB buffer (8 MiB quick) that the parent "
      "needs back. Threads write it in place; processes send it through a pipe, or write it into a "
      "MAP_SHARED mapping they inherited.\n\n")
    ct = [("false sharing", "threads", "contention/false_sharing/threads", THREAD_COLOR),
          ("false sharing", "processes", "contention/false_sharing/processes", PROCESS_COLOR),
          ("false sharing", "threads, padded", "contention/false_sharing/threads_padded", OTHER_COLOR),
          ("global lock", "threads", "contention/global_lock/threads", THREAD_COLOR),
          ("global lock", "processes", "contention/global_lock/processes", PROCESS_COLOR),
          ("results back", "threads", "contention/results_back/threads", THREAD_COLOR),
          ("results back", "processes + pipe", "contention/results_back/processes_pipe", PROCESS_COLOR),
          ("results back", "processes + shared memory", "contention/results_back/processes_shm", OTHER_COLOR)]
    w(table(["workload", "workers", "job time", "cv", "× threads"],
            [(wl, v, fmt_ns(r.ns(k)), f"{r.cv.get(k, 0) * 100:.0f}%",
              f"{r.ns(k) / r.ns('contention/' + k.split('/')[1] + '/threads'):.2f}") for wl, v, k, _ in ct]))
    w("\n" + charts.bars("contention", "job time (ms, log scale)",
                         [(f"{wl}: {v}", r.ns(k) / 1e6, c) for wl, v, k, c in ct]))

    # Crash isolation
    w("\n## Crash isolation\n\n")
    w("Two workers process units of work (100 µs of CPU each) and commit results every 8 units; one "
      "dereferences a null pointer at a varying point of its batch. *processes*: each worker is a process; "
      "the supervisor notices the death (`waitpid`) and forks a replacement while the other worker goes "
      "on. *threads*: both workers are threads of one process, which the crash takes down; the supervisor "
      "starts a new process with two threads. *lost* counts units started but not committed by every "
      "worker that died (and a dead process also loses whatever else it held in memory).\n\n")
    crash = [("worker processes", "crash/processes", "the crashed worker only"),
             ("threads of one process", "crash/threads", "every worker: the whole process")]
    w(table(["workers are", "crash noticed after", "crash to replacement working", "units lost per crash", "who stops"],
            [(label, fmt_ns(r.counter(k, "notice_us") * 1e3), fmt_ns(r.ns(k)), f"{r.counter(k, 'lost_units'):.1f}", who)
             for label, k, who in crash]))

    # Async
    w("\n## The async alternative\n\n")
    w("N loopback TCP connections, each mostly waiting: the client (one thread, epoll) sends a 64-byte "
      "request on every connection, then collects the N echoes. Served by a thread per connection, a "
      "process per connection (pre-forked, each accepts one), or one Asio event loop on one thread. "
      "*per request*: round time / N. *setup*: start the servers, connect, first round, per connection. "
      "*server memory*: PSS the servers added, per connection.\n\n")
    models = [("thread per connection", "threads"), ("process per connection", "processes"), ("one Asio event loop", "asio")]
    counts = arg_values(r, "async_waits/asio")
    arows = []
    for n in counts:
        for label, m in models:
            k = f"async_waits/{m}/connections:{n}"
            arows.append((n, label, fmt_ns(r.ns(k) / n), fmt_ns(r.counter(k, "setup_us_per_conn") * 1e3),
                          kib(r.counter(k, "server_pss_kib_per_conn"))))
    w(table(["connections", "served by", "per request", "setup per connection", "server memory per connection"], arows))
    w("\n" + charts.lines("async_waits", "connections", "time per request (µs, log scale)",
                          [(label, [(n, r.ns(f"async_waits/{m}/connections:{n}") / n / 1e3) for n in counts]) for label, m in models],
                          ", ".join(f"'{n}' {n}" for n in counts)))

    w("\n" + claims(r) + "\n")
    w(LEFT_OUT)
    return "".join(md), xrows


def claims(r):
    """A paragraph per claim of the seed; every verdict is computed from this run's figures."""
    ns, c = r.ns, r.counter
    big = max(arg_values(r, "creation/fork_exit_wait"))
    thread, pool = ns("creation/thread_create_join"), ns("creation/pooled_task")
    fork1, forkbig = ns("creation/fork_exit_wait/parent_mib:1"), ns(f"creation/fork_exit_wait/parent_mib:{big}")
    exec1 = ns("creation/fork_exec_true/parent_mib:1")
    spawn1, spawnbig = ns("creation/posix_spawn_true/parent_mib:1"), ns(f"creation/posix_spawn_true/parent_mib:{big}")
    mem = {f: (c(f"memory/{f}/touch_kib:0", "pss_kib"), c(f"memory/{f}/touch_kib:0", "page_tables_kib"),
               c(f"memory/{f}/touch_kib:0", "rss_kib")) for f in ("thread", "fork", "spawn")}
    out = ["## What the numbers say about the seed's claims\n\n"]

    lighter = thread < fork1 and thread < spawn1
    lighter_mem = mem["thread"][0] + mem["thread"][1] < mem["fork"][0] + mem["fork"][1]
    out.append(
        f"**\"Threads are lighter.\"** {'To create, yes' if lighter else 'To create, not on this run'}: a thread "
        f"created and joined took {fmt_ns(thread)}; fork + exit + wait of this small process {fmt_ns(fork1)} "
        f"({times(fork1, thread)} a thread), posix_spawn of /bin/true + wait {fmt_ns(spawn1)} "
        f"({times(spawn1, thread)}). A task handed to a pool that already runs took {fmt_ns(pool)}: most of a "
        f"thread's cost is its creation, which pools and event loops pay once. In memory, one more parked thread "
        f"added {mem['thread'][0]:.0f} KiB of PSS (the stack pages it touched) and {mem['thread'][1]:.0f} KiB of page "
        f"tables; one more forked process {mem['fork'][0]:.0f} KiB (the pages either side wrote after the fork) and "
        f"{mem['fork'][1]:.0f} KiB of page tables; one more freshly spawned C++ program {mem['spawn'][0]:.0f} KiB "
        f"(its own heap, stack, relocated library data) and {mem['spawn'][1]:.0f} KiB; each also has a 16 KiB "
        f"kernel stack. "
        + ("So threads are lighter in memory too, " if lighter_mem else "In memory the two are close here, ")
        + f"but a forked process is far from the {mem['fork'][2]:.0f} KiB its RSS suggests: RSS counts the pages "
        f"it shares with its parent in full.\n\n")

    sw_t, sw_p = ns("switching/futex_threads/one_core"), ns("switching/futex_processes/one_core")
    pp_t, pp_p = ns("switching/pipe_threads/one_core"), ns("switching/pipe_processes/one_core")
    switch_same = abs(sw_p / sw_t - 1) < 0.25 and abs(pp_p / pp_t - 1) < 0.25
    out.append(
        f"**\"Processes cost more.\"** To start, yes, and more the bigger the parent: fork + exit took "
        f"{fmt_ns(fork1)} with 1 MiB touched and {fmt_ns(forkbig)} with {big} MiB ({times(forkbig, fork1)}), because "
        f"fork copies the parent's page tables and exit tears them down. posix_spawn does not copy them (glibc "
        f"clones with CLONE_VM | CLONE_VFORK): {fmt_ns(spawn1)} at 1 MiB, {fmt_ns(spawnbig)} at {big} MiB. What a "
        f"spawn costs is mostly exec and dynamic loading: fork + exec of /bin/true took {fmt_ns(exec1)}, fork alone "
        f"{fmt_ns(fork1)}. Once they run, switching between two processes on one core took {fmt_ns(sw_p)} per "
        f"futex round trip and {fmt_ns(pp_p)} per pipe round trip, between two threads {fmt_ns(sw_t)} and "
        f"{fmt_ns(pp_t)}: "
        + ("the address-space switch is lost in the noise of this machine." if switch_same else
           f"processes were {faster_slower(sw_p, sw_t)} threads with a futex and {faster_slower(pp_p, pp_t)} them "
           f"with a pipe; no consistent direction, so the address-space switch is not what costs here.")
        + "\n\n")

    kinds = ("queue", "pipe", "unix_socket", "shm_ring")
    sizes = arg_values(r, "ipc_latency/pipe")
    mid = 65536 if 65536 in sizes else sizes[-1]
    lat = {k: ns(f"ipc_latency/{k}/bytes:64") for k in kinds}
    tp = {k: c(f"ipc_throughput/{k}/bytes:{mid}", "bytes_per_second") for k in kinds}
    tps = {k: c(f"ipc_throughput/{k}/bytes:64", "bytes_per_second") for k in kinds}
    kernel_slower = tps["pipe"] < tps["queue"] and tps["unix_socket"] < tps["queue"]
    ring_vs_queue = faster_slower(1 / tps["shm_ring"], 1 / tps["queue"])
    out.append(
        f"**\"IPC is slower.\"** That depends on the mechanism more than on the boundary. Streaming 64 B messages, the in-process queue between "
        f"threads moved {fmt_rate(tps['queue'])}; between processes a pipe moved {fmt_rate(tps['pipe'])}, a UNIX "
        f"socket {fmt_rate(tps['unix_socket'])} and the shared-memory ring {fmt_rate(tps['shm_ring'])}. At "
        f"{fmt_size(mid)} per message: {fmt_rate(tp['queue'])}, {fmt_rate(tp['pipe'])}, {fmt_rate(tp['unix_socket'])} "
        f"and {fmt_rate(tp['shm_ring'])}. "
        + ("So the kernel's channels are slower for small messages: each message costs a system call at each end. "
           if kernel_slower else "The kernel's channels were not slower here even for small messages. ")
        + f"But the shared-memory ring is IPC too, with no system call while both sides run, and it streamed small "
        f"messages {ring_vs_queue} the in-process queue: what is slow is the mechanism, not the process boundary. "
        f"A 64 B round trip (two wake-ups) took {fmt_ns(lat['queue'])} through the queue, {fmt_ns(lat['pipe'])} "
        f"through a pipe, {fmt_ns(lat['unix_socket'])} through a socket and {fmt_ns(lat['shm_ring'])} through the "
        f"ring: there the wake-ups dominate, and a wake-up costs about as much between threads as between "
        f"processes (see Switching).\n\n")

    fs = {v: ns(f"contention/false_sharing/{v}") for v in ("threads", "processes", "threads_padded")}
    gl = {v: ns(f"contention/global_lock/{v}") for v in ("threads", "processes")}
    rb = {v: ns(f"contention/results_back/{v}") for v in ("threads", "processes_pipe", "processes_shm")}
    n = arg_values(r, "async_waits/asio")[-1]
    aw = {m: ns(f"async_waits/{m}/connections:{n}") / n for m in ("threads", "processes", "asio")}
    am = {m: max(0.0, c(f"async_waits/{m}/connections:{n}", "server_pss_kib_per_conn")) for m in aw}
    names = {"threads": "a thread per connection", "processes": "a process per connection", "asio": "one Asio event loop"}
    best = min(aw, key=aw.get)
    setup = {m: c(f"async_waits/{m}/connections:{n}", "setup_us_per_conn") * 1e3 for m in aw}
    wait_text = (f"For many waits, with {n} connections that mostly wait, a request cost {fmt_ns(aw['threads'])} "
                 f"with a thread per connection, {fmt_ns(aw['processes'])} with a process per connection and "
                 f"{fmt_ns(aw['asio'])} with one Asio event loop on one thread: "
                 + ("close enough that time does not decide; memory and set-up do. "
                    if max(aw.values()) < 1.3 * min(aw.values()) else
                    f"{names[best]} was fastest, {times(max(aw.values()), aw[best])} ahead of the slowest; memory and "
                    f"set-up differ too. ")
                 + f"The event loop holds a connection in {kib(am['asio'])} against "
                 f"{kib(am['threads'])} for a thread and {kib(am['processes'])} for a process, and setting up a "
                 f"connection cost {fmt_ns(setup['asio'])}, {fmt_ns(setup['threads'])} and {fmt_ns(setup['processes'])}.")
    fs_text = (f"Two workers bumping counters that share a cache line took {fmt_ns(fs['threads'])} as threads and "
               f"{fmt_ns(fs['processes'])} as processes, {faster_slower(fs['processes'], fs['threads'])} the threads")
    fs_text += (": each process writes a private copy of the page, so no line bounces between the CPUs (threads with "
                f"the counters 64 bytes apart, {fmt_ns(fs['threads_padded'])}, show the shared line was the cost). "
                if fs["processes"] < 0.8 * fs["threads"] else
                f". The shared line did not cost much on this run (padded threads {fmt_ns(fs['threads_padded'])}), "
                f"probably because the other jobs on the machine seldom let the two workers run at the same time. ")
    gl_text = (f"Behind one global lock, threads took {fmt_ns(gl['threads'])} and processes {fmt_ns(gl['processes'])}, "
               f"{faster_slower(gl['processes'], gl['threads'])} the threads"
               + (": each process locks its own copy of the lock, uncontended. " if gl["processes"] < 0.8 * gl["threads"]
                  else "; the lock was rarely contended on this run. "))
    out.append(
        f"**\"Threads are not always faster.\"** The workload decides. {fs_text}{gl_text}Threads win when the "
        f"result must end up in one place: transforming a buffer the parent needs back took {fmt_ns(rb['threads'])} "
        f"with threads and {fmt_ns(rb['processes_pipe'])} with processes sending their halves through pipes "
        f"({faster_slower(rb['processes_pipe'], rb['threads'])} the threads). {wait_text}\n\n")

    ring_mid = c(f"ipc_throughput/shm_ring/bytes:{mid}", "bytes_per_second")
    out.append(
        f"**\"Processes can share data.\"** They can: processes writing their results into a MAP_SHARED mapping "
        f"they inherited took {fmt_ns(rb['processes_shm'])}, {faster_slower(rb['processes_shm'], rb['threads'])} "
        f"threads writing in place ({fmt_ns(rb['threads'])}) and {faster_slower(rb['processes_shm'], rb['processes_pipe'])} "
        f"processes sending results through pipes ({fmt_ns(rb['processes_pipe'])}). What still separates them from "
        f"threads is the fork of a parent holding the buffers (its page tables are copied) and a page fault on each "
        f"page of the shared mapping the child first touches (fork does not copy those page tables). The shared-memory ring "
        f"moved {fmt_rate(ring_mid)} at {fmt_size(mid)} between processes. And a forked child shares all its "
        f"parent's memory copy-on-write: its RSS reads {mem['fork'][2]:.0f} KiB, its PSS {mem['fork'][0]:.0f} KiB. "
        f"What differs from threads: sharing is explicit (a mapping made before fork, or a named shm object that must "
        f"be unlinked), only what is in the shared mapping is shared, and pointers into anything else mean nothing "
        f"to the other process.\n\n")

    cp, ct = "crash/processes", "crash/threads"
    out.append(
        f"**Crash isolation.** When a worker process crashed, the supervisor heard of it after "
        f"{fmt_ns(c(cp, 'notice_us') * 1e3)} and had a replacement working {fmt_ns(ns(cp))} after the crash; "
        f"the other worker never stopped, and {c(cp, 'lost_units'):.1f} units were lost per crash. When a thread "
        f"crashed it took its process with it: noticed after {fmt_ns(c(ct, 'notice_us') * 1e3)}, "
        f"{fmt_ns(ns(ct))} until a new process was working, and {c(ct, 'lost_units'):.1f} units lost per crash, "
        f"every worker's uncommitted work, plus everything else that process held in memory.\n")
    return "".join(out)


LEFT_OUT = """
## Left out, and limits

- **Hardware counters.** `perf stat` cycles and cache misses would show false sharing directly; this
  virtual machine does not expose them (`<not supported>`), and nothing here needs them (`perf bench`
  does not).
- **Huge pages.** The fork rows use 4 KiB pages (`MADV_NOHUGEPAGE`); with transparent huge pages a
  parent's memory needs far fewer page-table entries and fork would grow much less with it (not
  measured here).
- **Replacing a crashed worker** is a fork of the supervisor. A supervisor that execs a fresh program
  adds the posix_spawn row of the creation table and that program's start-up.
- **The async section** is loopback only, with at most 512 connections (64 in quick mode) and a client
  that is itself one epoll thread on the same two CPUs; no io_uring, no multi-threaded event loop.
- **Kernel memory beyond page tables** (task and mm structures, the 16 KiB kernel stack, open file
  tables) is not measured per unit: /proc/meminfo's counters are machine-wide, and other jobs move them.
- **A shared machine.** Every wake-up figure includes waiting for a CPU when the other jobs hold
  both; the pinned *two cores* column suffers most (the pinned side cannot move to the idle CPU).
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--out", required=True, help="folder for tradeoffs.md and tradeoffs/*.svg")
    ap.add_argument("--mode", default="full")
    ap.add_argument("--elapsed", type=int, default=0)
    args = ap.parse_args()
    r = Results(args.results)
    charts = Charts(os.path.join(args.out, "tradeoffs"), "tradeoffs")
    try:
        md, crosscheck_rows = render(r, charts, args)
    finally:
        shutil.rmtree(charts.tmp)
    report = os.path.join(args.out, "tradeoffs.md")
    if os.path.exists(report):  # say what moved since the report this one replaces
        with open(report) as f:
            section = tradeoffs_compare.changes(f.read(), md)
        limits = md.find("## Left out, and limits")
        md = md[:limits] + section + md[limits:] if limits >= 0 else md + "\n" + section
    with open(report, "w") as f:
        f.write(md)
    print("cross-check (ours vs an independent tool; goal: ratio within 0.67-1.5)")
    width = max(len(row[0]) for row in crosscheck_rows)
    for name, ours, theirs, ratio, ok in crosscheck_rows:
        print(f"  {name:<{width}}  ours {ours:>10}  theirs {theirs:>10}  ratio {ratio:5.2f}  {'ok' if ok else 'OUT OF RANGE'}")


if __name__ == "__main__":
    main()
