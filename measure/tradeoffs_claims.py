"""The figures and flags of the report's closing prose (measure/tradeoffs_claims.md.j2): a verdict
on each usual claim about threads and processes, every one computed from this run's figures."""

from tradeoffs_results import fmt_ns, fmt_rate, fmt_size, kib, times, faster_slower, arg_values


def claims_context(r):
    """The `c` of tradeoffs_claims.md.j2: formatted figures, and a flag per sentence that depends on them."""
    ns, c = r.ns, r.counter
    big = max(arg_values(r, "creation/fork_exit_wait"))
    thread, pool = ns("creation/thread_create_join"), ns("creation/pooled_task")
    fork1, forkbig = ns("creation/fork_exit_wait/parent_mib:1"), ns(f"creation/fork_exit_wait/parent_mib:{big}")
    spawn1, spawnbig = ns("creation/posix_spawn_true/parent_mib:1"), ns(f"creation/posix_spawn_true/parent_mib:{big}")
    mem = {f: (c(f"memory/{f}/touch_kib:0", "pss_kib"), c(f"memory/{f}/touch_kib:0", "page_tables_kib"),
               c(f"memory/{f}/touch_kib:0", "rss_kib")) for f in ("thread", "fork", "spawn")}
    ctx = {
        "lighter": thread < fork1 and thread < spawn1,
        "lighter_memory": mem["thread"][0] + mem["thread"][1] < mem["fork"][0] + mem["fork"][1],
        "thread": fmt_ns(thread), "pool": fmt_ns(pool), "fork1": fmt_ns(fork1), "forkbig": fmt_ns(forkbig),
        "spawn1": fmt_ns(spawn1), "spawnbig": fmt_ns(spawnbig), "big": big,
        "exec1": fmt_ns(ns("creation/fork_exec_true/parent_mib:1")),
        "fork1_x_thread": times(fork1, thread), "spawn1_x_thread": times(spawn1, thread),
        "forkbig_x_fork1": times(forkbig, fork1),
    }
    for f in ("thread", "fork", "spawn"):
        ctx[f"{f}_pss"], ctx[f"{f}_pte"] = f"{mem[f][0]:.0f}", f"{mem[f][1]:.0f}"
    ctx["fork_rss"] = f"{mem['fork'][2]:.0f}"

    sw_t, sw_p = ns("switching/futex_threads/one_core"), ns("switching/futex_processes/one_core")
    pp_t, pp_p = ns("switching/pipe_threads/one_core"), ns("switching/pipe_processes/one_core")
    ctx.update({
        "futex_t": fmt_ns(sw_t), "futex_p": fmt_ns(sw_p), "pipe_t": fmt_ns(pp_t), "pipe_p": fmt_ns(pp_p),
        "switch_same": abs(sw_p / sw_t - 1) < 0.25 and abs(pp_p / pp_t - 1) < 0.25,
        "futex_p_vs_t": faster_slower(sw_p, sw_t), "pipe_p_vs_t": faster_slower(pp_p, pp_t),
        "processes_slower_both": sw_p > sw_t and pp_p > pp_t, "processes_faster_both": sw_p < sw_t and pp_p < pp_t,
    })

    kinds = {"queue": "queue", "pipe": "pipe", "socket": "unix_socket", "ring": "shm_ring"}
    sizes = arg_values(r, "ipc_latency/pipe")
    mid = 65536 if 65536 in sizes else sizes[-1]
    tps = {k: c(f"ipc_throughput/{v}/bytes:64", "bytes_per_second") for k, v in kinds.items()}
    for k, v in kinds.items():
        ctx[f"lat_{k}"] = fmt_ns(ns(f"ipc_latency/{v}/bytes:64"))
        ctx[f"tps_{k}"] = fmt_rate(tps[k])
        ctx[f"tp_{k}"] = fmt_rate(c(f"ipc_throughput/{v}/bytes:{mid}", "bytes_per_second"))
    ctx.update({"mid": fmt_size(mid), "kernel_slower": tps["pipe"] < tps["queue"] and tps["socket"] < tps["queue"],
                "ring_vs_queue": faster_slower(1 / tps["ring"], 1 / tps["queue"]),
                "ring_mid": fmt_rate(c(f"ipc_throughput/shm_ring/bytes:{mid}", "bytes_per_second"))})

    fs = {v: ns(f"contention/false_sharing/{v}") for v in ("threads", "processes", "threads_padded")}
    gl = {v: ns(f"contention/global_lock/{v}") for v in ("threads", "processes")}
    rb = {v: ns(f"contention/results_back/{v}") for v in ("threads", "processes_pipe", "processes_shm")}
    ctx.update({
        "fs_threads": fmt_ns(fs["threads"]), "fs_processes": fmt_ns(fs["processes"]),
        "fs_padded": fmt_ns(fs["threads_padded"]), "fs_p_vs_t": faster_slower(fs["processes"], fs["threads"]),
        "false_sharing_shows": fs["processes"] < 0.8 * fs["threads"],
        "gl_threads": fmt_ns(gl["threads"]), "gl_processes": fmt_ns(gl["processes"]),
        "gl_p_vs_t": faster_slower(gl["processes"], gl["threads"]), "lock_contended": gl["processes"] < 0.8 * gl["threads"],
        "rb_threads": fmt_ns(rb["threads"]), "rb_pipe": fmt_ns(rb["processes_pipe"]), "rb_shm": fmt_ns(rb["processes_shm"]),
        "rb_pipe_vs_t": faster_slower(rb["processes_pipe"], rb["threads"]),
        "rb_shm_vs_t": faster_slower(rb["processes_shm"], rb["threads"]),
        "rb_shm_vs_pipe": faster_slower(rb["processes_shm"], rb["processes_pipe"]),
    })

    n = arg_values(r, "async_waits/asio")[-1]
    aw = {m: ns(f"async_waits/{m}/connections:{n}") / n for m in ("threads", "processes", "asio")}
    names = {"threads": "a thread per connection", "processes": "a process per connection", "asio": "one Asio event loop"}
    best = min(aw, key=aw.get)
    ctx.update({"connections": n, "waits_close": max(aw.values()) < 1.3 * min(aw.values()), "aw_best": names[best],
                "aw_best_margin": times(max(aw.values()), aw[best])})
    for m in aw:
        k = f"async_waits/{m}/connections:{n}"
        ctx[f"aw_{m}"] = fmt_ns(aw[m])
        ctx[f"am_{m}"] = kib(max(0.0, c(k, "server_pss_kib_per_conn")))
        ctx[f"setup_{m}"] = fmt_ns(c(k, "setup_us_per_conn") * 1e3)

    for who, key in (("p", "crash/processes"), ("t", "crash/threads")):
        ctx[f"crash_{who}_notice"] = fmt_ns(c(key, "notice_us") * 1e3)
        ctx[f"crash_{who}_replaced"] = fmt_ns(ns(key))
        ctx[f"crash_{who}_lost"] = f"{c(key, 'lost_units'):.1f}"
    return ctx
