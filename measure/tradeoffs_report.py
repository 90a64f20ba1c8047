#!/usr/bin/env python3
"""Writes the threads-vs-processes report (docs/tradeoffs.md and its SVG charts) from one run of
measure/tradeoffs.sh: the Google Benchmark JSON of each harness/bench/tradeoffs program (medians of
repetitions), the cross-checks (perf bench sched pipe, hyperfine) and the machine description.
The prose is measure/tradeoffs_report.md.j2 (and tradeoffs_claims.md.j2), a Jinja2 template this
script fills: figures, tables, charts, and a flag for each sentence that depends on them.
Prints the cross-check table (ours, theirs, ratio) on stdout. Python 3, python3-jinja2, gnuplot."""
import argparse
import json
import os
import shutil
import statistics

import jinja2

import tradeoffs_compare
from tradeoffs_results import Results, fmt_ns, fmt_rate, fmt_size, kib, times, faster_slower, table, read_floats, kv_lines, arg_values
from tradeoffs_charts import THREAD_COLOR, PROCESS_COLOR, OTHER_COLOR, Charts
from tradeoffs_claims import claims_context


RANGE = (0.67, 1.5)


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


def machine_context(r, args):
    machine = kv_lines(r.text("machine.txt"))
    lscpu = kv_lines(r.text("lscpu.txt"))
    load_start, load_end = machine.get("loadavg_start", "?"), machine.get("loadavg_end", "?")
    start_1min = load_start.split()[0] if load_start != "?" else "?"
    return {
        "date": machine.get("date", "?"), "nproc": machine.get("nproc", "?"),
        "load_start_1min": start_1min, "load_end_1min": load_end.split()[0] if load_end != "?" else "?",
        # the same threshold as measure/tradeoffs.sh, which refuses a full run above it
        "quiet": start_1min != "?" and float(start_1min) <= 1,
        "machine_table": table(["", ""], [
            ("CPU", f"{lscpu.get('Model name', r.context.get('cpu_model', '?'))}, {r.context.get('mhz_per_cpu', '?')} MHz"),
            ("CPUs (nproc)", f"{machine.get('nproc', '?')} ({lscpu.get('Thread(s) per core', '?')} thread per core, "
                             f"{lscpu.get('Socket(s)', '?')} socket)"),
            ("virtualisation", f"{lscpu.get('Hypervisor vendor', 'none')} {lscpu.get('Virtualization type', '')}".strip()),
            ("caches", f"L1d {lscpu.get('L1d cache', '?')}, L2 {lscpu.get('L2 cache', '?')}, L3 {lscpu.get('L3 cache', '?')}"),
            ("memory", machine.get("memory", "?")),
            ("kernel", machine.get("kernel", "?")),
            ("OS, compiler", f"{machine.get('os', '?')}, {machine.get('compiler', '?')} (-O2 -g, RelWithDebInfo)"),
            ("load average (1, 5, 15 min)", f"{load_start} at the start, {load_end} at the end"),
        ]),
    }


def crosscheck_context(r):
    checks = crosschecks(r)
    rows, xrows, notes = [], [], []
    for what, ours, theirs, runs in checks:
        ratio = ours / theirs
        ok = RANGE[0] <= ratio <= RANGE[1]
        rows.append((what, fmt_ns(ours), fmt_ns(theirs), f"{ratio:.2f}", "yes" if ok else "**no** (see below)"))
        xrows.append((what.split(":")[0], fmt_ns(ours), fmt_ns(theirs), ratio, ok))
        if not ok:
            notes.append({"what": what.split(":")[0], "ratio": f"{ratio:.2f}", "why": explain(what, ours, theirs, runs, r)})
    return {
        "perf_runs": next((len(runs) for what, _, _, runs in checks if "perf" in what), 0),
        "hyperfine_runs": next((len(runs) for what, _, _, runs in checks if "hyperfine" in what), 0),
        "single_spawn_repetitions": r.median.get("creation/posix_spawn_true_single/parent_mib:1", {}).get("repetitions", 0),
        "crosscheck_table": table(["quantity", "ours", "theirs", "ratio", "within 0.67–1.5"], rows),
        "crosscheck_notes": notes,
    }, xrows


def creation_context(r, charts):
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
    series = []
    for title, fam in (("fork + _exit", "creation/fork_exit_wait"), ("fork + exec", "creation/fork_exec_true"),
                       ("posix_spawn", "creation/posix_spawn_true")):
        series.append((title, [(m, r.ns(f"{fam}/parent_mib:{m}") / 1e3) for m in arg_values(r, fam)]))
    xt = ", ".join(f"'{m} MiB' {m}" for m in arg_values(r, "creation/fork_exit_wait"))
    return {
        "creation_table": table(["what", "median", "cv", "× thread create+join"],
                                [(label, fmt_ns(r.ns(k)), f"{r.cv.get(k, 0) * 100:.0f}%", f"{r.ns(k) / base:.1f}")
                                 for label, k, _ in crows]),
        "creation_chart": charts.bars("creation", "create + wait (µs, log scale)",
                                      [(label.replace(" + waitpid", "").replace(" + wait", "").replace(" + join", "+join"),
                                        r.ns(k) / 1e3, c) for label, k, c in crows]),
        "fork_memory_chart": charts.lines("fork_memory", "parent memory touched (MiB, log scale)",
                                          "create + wait (µs, log scale)", series, xt),
    }


def switching_context(r, charts):
    mechs = [("condition variable, threads", "condvar_threads"), ("futex, threads", "futex_threads"),
             ("futex on a shared page, processes", "futex_processes"), ("pipe, threads", "pipe_threads"),
             ("pipe, processes", "pipe_processes")]
    places = [p for p in ("one_core", "two_cores", "unpinned") if r.has(f"switching/pipe_processes/{p}")]
    ctx = {
        "switching_table": table(["round trip"] + [p.replace("_", " ") for p in places],
                                 [(label, *[fmt_ns(r.ns(f"switching/{m}/{p}")) for p in places]) for label, m in mechs]),
        "switching_chart": charts.clusters("switching", "round trip (µs, log scale)", [p.replace("_", " ") for p in places],
                                           [(label, [r.ns(f"switching/{m}/{p}") / 1e3 for p in places]) for label, m in mechs]),
        "two_cores": "two_cores" in places,
    }
    if ctx["two_cores"]:
        one, two = r.ns("switching/pipe_processes/one_core"), r.ns("switching/pipe_processes/two_cores")
        ctx.update({"two_cores_vs_one": faster_slower(two, one), "two_cores_far_slower": two > 3 * one})
    return ctx


def ipc_context(r, charts):
    kinds = [("in-process queue (threads)", "queue"), ("pipe (processes)", "pipe"),
             ("UNIX socket (processes)", "unix_socket"), ("shared-memory ring (processes)", "shm_ring")]
    sizes = arg_values(r, "ipc_latency/pipe")
    xt = ", ".join(f"'{fmt_size(s)}' {s}" for s in sizes)
    rate = lambda k, s: r.counter(f"ipc_throughput/{k}/bytes:{s}", "bytes_per_second")
    return {
        "ipc_latency_table": table(["channel"] + [fmt_size(s) for s in sizes],
                                   [(label, *[fmt_ns(r.ns(f"ipc_latency/{k}/bytes:{s}")) for s in sizes]) for label, k in kinds]),
        "ipc_throughput_table": table(["channel"] + [fmt_size(s) for s in sizes],
                                      [(label, *[fmt_rate(rate(k, s)) for s in sizes]) for label, k in kinds]),
        "ipc_latency_chart": charts.lines("ipc_latency", "message size", "round trip (µs, log scale)",
                                          [(label, [(s, r.ns(f"ipc_latency/{k}/bytes:{s}") / 1e3) for s in sizes])
                                           for label, k in kinds], xt),
        "ipc_throughput_chart": charts.lines("ipc_throughput", "message size", "throughput (MB/s, log scale)",
                                             [(label, [(s, rate(k, s) / 1e6) for s in sizes]) for label, k in kinds], xt),
    }


def memory_context(r, charts):
    count = int(r.counter("memory/thread/touch_kib:0", "count"))
    mrows = []
    for touch in arg_values(r, "memory/thread"):
        for label, fam in (("one more thread", "thread"), ("one more forked process", "fork"),
                           ("one more spawned process", "spawn")):
            mrows.append((f"{label}, touch {touch} KiB", f"memory/{fam}/touch_kib:{touch}"))
    return {
        "memory_count": count,
        "memory_table": table(["unit", "PSS", "page tables", "RSS", f"time to start {count}"],
                              [(label, f"{r.counter(k, 'pss_kib'):.0f} KiB", f"{r.counter(k, 'page_tables_kib'):.0f} KiB",
                                f"{r.counter(k, 'rss_kib'):.0f} KiB", fmt_ns(r.ns(k))) for label, k in mrows]),
        "memory_chart": charts.clusters("memory", "KiB per unit (log scale)", ["PSS", "page tables", "RSS"],
                                        [(label.replace("one more ", ""),
                                          [max(0.5, r.counter(k, f)) for f in ("pss_kib", "page_tables_kib", "rss_kib")])
                                         for label, k in mrows]),
    }


def contention_context(r, charts):
    ct = [("false sharing", "threads", "contention/false_sharing/threads", THREAD_COLOR),
          ("false sharing", "processes", "contention/false_sharing/processes", PROCESS_COLOR),
          ("false sharing", "threads, padded", "contention/false_sharing/threads_padded", OTHER_COLOR),
          ("global lock", "threads", "contention/global_lock/threads", THREAD_COLOR),
          ("global lock", "processes", "contention/global_lock/processes", PROCESS_COLOR),
          ("results back", "threads", "contention/results_back/threads", THREAD_COLOR),
          ("results back", "processes + pipe", "contention/results_back/processes_pipe", PROCESS_COLOR),
          ("results back", "processes + shared memory", "contention/results_back/processes_shm", OTHER_COLOR)]
    crash = [("worker processes", "crash/processes", "the crashed worker only"),
             ("threads of one process", "crash/threads", "every worker: the whole process")]
    return {
        "contention_table": table(["workload", "workers", "job time", "cv", "× threads"],
                                  [(wl, v, fmt_ns(r.ns(k)), f"{r.cv.get(k, 0) * 100:.0f}%",
                                    f"{r.ns(k) / r.ns('contention/' + k.split('/')[1] + '/threads'):.2f}")
                                   for wl, v, k, _ in ct]),
        "contention_chart": charts.bars("contention", "job time (ms, log scale)",
                                        [(f"{wl}: {v}", r.ns(k) / 1e6, c) for wl, v, k, c in ct]),
        "crash_table": table(["workers are", "crash noticed after", "crash to replacement working", "units lost per crash",
                              "who stops"],
                             [(label, fmt_ns(r.counter(k, "notice_us") * 1e3), fmt_ns(r.ns(k)),
                               f"{r.counter(k, 'lost_units'):.1f}", who) for label, k, who in crash]),
    }


def async_context(r, charts):
    models = [("thread per connection", "threads"), ("process per connection", "processes"), ("one Asio event loop", "asio")]
    counts = arg_values(r, "async_waits/asio")
    rows = []
    for n in counts:
        for label, m in models:
            k = f"async_waits/{m}/connections:{n}"
            rows.append((n, label, fmt_ns(r.ns(k) / n), fmt_ns(r.counter(k, "setup_us_per_conn") * 1e3),
                         kib(r.counter(k, "server_pss_kib_per_conn"))))
    return {
        "async_table": table(["connections", "served by", "per request", "setup per connection",
                              "server memory per connection"], rows),
        "async_chart": charts.lines("async_waits", "connections", "time per request (µs, log scale)",
                                    [(label, [(n, r.ns(f"async_waits/{m}/connections:{n}") / n / 1e3) for n in counts])
                                     for label, m in models], ", ".join(f"'{n}' {n}" for n in counts)),
    }


def render(r, charts, args):
    """The report (tradeoffs_report.md.j2 filled with this run's figures) and the cross-check rows."""
    ctx = {"quick": args.mode == "quick", "mode": args.mode, "elapsed_min": args.elapsed // 60,
           "elapsed_s": args.elapsed % 60, "repetitions": "7 (5 for the slower sections)" if args.mode == "full" else "3",
           "min_time": "0.2" if args.mode == "full" else "0.01"}
    ctx.update(machine_context(r, args))
    crosscheck, xrows = crosscheck_context(r)
    ctx.update(crosscheck)
    for section in (creation_context, switching_context, ipc_context, memory_context, contention_context, async_context):
        ctx.update(section(r, charts))
    ctx["c"] = claims_context(r)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.dirname(os.path.abspath(__file__))),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    return env.get_template("tradeoffs_report.md.j2").render(ctx), xrows


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
