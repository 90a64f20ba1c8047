"""The report's closing prose: a verdict on each claim of the seed, computed from this run's figures,
and what the measurements leave out."""

from tradeoffs_results import fmt_ns, fmt_rate, fmt_size, kib, times, faster_slower, table, arg_values


def claims(r):
    """A paragraph per usual claim about threads and processes; every verdict is computed from this run's figures."""
    ns, c = r.ns, r.counter
    big = max(arg_values(r, "creation/fork_exit_wait"))
    thread, pool = ns("creation/thread_create_join"), ns("creation/pooled_task")
    fork1, forkbig = ns("creation/fork_exit_wait/parent_mib:1"), ns(f"creation/fork_exit_wait/parent_mib:{big}")
    exec1 = ns("creation/fork_exec_true/parent_mib:1")
    spawn1, spawnbig = ns("creation/posix_spawn_true/parent_mib:1"), ns(f"creation/posix_spawn_true/parent_mib:{big}")
    mem = {f: (c(f"memory/{f}/touch_kib:0", "pss_kib"), c(f"memory/{f}/touch_kib:0", "page_tables_kib"),
               c(f"memory/{f}/touch_kib:0", "rss_kib")) for f in ("thread", "fork", "spawn")}
    out = ["## What the numbers say about the usual claims\n\n"]

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
           f"with a pipe" + (
               ": on one core a switch between processes also changes the address space (page tables, TLB "
               "entries), and here that shows." if sw_p > sw_t and pp_p > pp_t else
               ": processes faster both ways, so the address-space switch is not what costs here."
               if sw_p < sw_t and pp_p < pp_t else
               "; no consistent direction, so the address-space switch is not what costs here."))
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
