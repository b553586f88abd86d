#!/usr/bin/env python3
"""paired.py: wall time of commands measured in interleaved rounds.

Each round runs every command once, in an order that rotates from round to
round, so that a slow spell of this (shared, 2-core) machine hits all
commands alike. Prints, per command, the median and quartiles of its wall
times, user+system CPU, and, against the first command, the median of the
per-round ratios (a paired comparison: what the "at most 1.10x" targets are
about), and the median peak RSS: the ru_maxrss that wait4 returns, what
/usr/bin/time -v prints as "Maximum resident set size", that is the largest
single process of the command's tree (the command itself when it runs no
other program). Linux keeps a process's peak across exec, so a figure
cannot read below this script's own RSS (about 14 MB): `true` shows it.

usage: paired.py [--runs N] [--warmup N] [--cwd DIR] [--ok-exit] [--fresh-env VAR] [--hwm] -- CMD1 -- CMD2 [-- CMD3 ...]
Each command is an argv (no shell); stdout and stderr go to /dev/null.
--ok-exit: a non-zero exit status is not an error (a failing build).
--fresh-env VAR: every run gets VAR set to a new empty directory, removed
  after the run and outside its time (GOCACHE: a cold build cache per run).
--hwm: also the command's own peak RSS, without its children: VmHWM of
  /proc/PID/status read every 10 ms while it runs (a lower bound: the last
  few ms before it exits are not seen). The polling costs every command
  alike.
"""
import os
import shutil
import tempfile
import statistics
import sys
import time


def vmhwm(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(argv, cwd, fresh_env=None, hwm=False):
    devnull = os.open(os.devnull, os.O_WRONLY)
    env, fresh = os.environ, None
    if fresh_env:
        fresh = tempfile.mkdtemp(prefix="paired-fresh-")
        env = dict(os.environ, **{fresh_env: fresh})
    try:
        t0 = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, env,
                              file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                            (os.POSIX_SPAWN_DUP2, devnull, 2)])
        own = 0
        if hwm:
            while True:
                p, status, ru = os.wait4(pid, os.WNOHANG)
                if p:
                    break
                own = max(own, vmhwm(pid))
                time.sleep(0.01)
        else:
            _, status, ru = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
    finally:
        os.close(devnull)
        if fresh:
            shutil.rmtree(fresh, ignore_errors=True)
    return wall, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status), ru.ru_maxrss, own


def main():
    args = sys.argv[1:]
    runs, warmup, cwd, ok_exit, fresh_env, hwm = 30, 3, None, False, None, False
    while args and args[0] != "--":
        a = args.pop(0)
        if a == "--runs":
            runs = int(args.pop(0))
        elif a == "--warmup":
            warmup = int(args.pop(0))
        elif a == "--cwd":
            cwd = args.pop(0)
        elif a == "--ok-exit":
            ok_exit = True
        elif a == "--hwm":
            hwm = True
        elif a == "--fresh-env":
            fresh_env = args.pop(0)
        else:
            sys.exit(f"paired.py: unknown option {a}")
    cmds, cur = [], None
    for a in args:
        if a == "--":
            cur = []
            cmds.append(cur)
        else:
            cur.append(a)
    cmds = [c for c in cmds if c]
    if len(cmds) < 2:
        sys.exit("paired.py: need at least two commands, each after --")
    if cwd:
        os.chdir(cwd)
    for _ in range(warmup):
        for c in cmds:
            run(c, cwd, fresh_env, hwm)
    walls = [[] for _ in cmds]  # seconds, per command, in round order
    cpus = [[] for _ in cmds]
    rss = [[] for _ in cmds]  # KiB
    owns = [[] for _ in cmds]  # KiB
    for r in range(runs):
        order = list(range(len(cmds)))
        k = r % len(cmds)
        order = order[k:] + order[:k]
        for i in order:
            w, c, code, m, own = run(cmds[i], cwd, fresh_env, hwm)
            if code != 0 and not ok_exit:
                sys.exit(f"paired.py: {' '.join(cmds[i])}: exit status {code}")
            walls[i].append(w)
            cpus[i].append(c)
            rss[i].append(m)
            owns[i].append(own)
    base = walls[0]
    for i, c in enumerate(cmds):
        q = statistics.quantiles(walls[i], n=4) if runs > 1 else [walls[i][0]] * 3
        line = (f"median {statistics.median(walls[i])*1e3:8.1f} ms  "
                f"(q1 {q[0]*1e3:.1f}, q3 {q[2]*1e3:.1f})  "
                f"cpu {statistics.median(cpus[i])*1e3:7.1f} ms  "
                f"peak rss {statistics.median(rss[i])/1024:6.1f} MB")
        if hwm:
            line += f" (own >= {statistics.median(owns[i])/1024:.1f} MB)"
        if i > 0:
            ratios = [w / b for w, b in zip(walls[i], base)]
            line += f"  ratio to #1: {statistics.median(ratios):.3f}"
        print(f"{line}  #{i+1} {' '.join(c)}")
    print(f"({runs} interleaved rounds, {warmup} warm-up rounds)")


if __name__ == "__main__":
    main()
