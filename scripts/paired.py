#!/usr/bin/env python3
"""paired.py: wall time of commands measured in interleaved rounds.

Each round runs every command once, in an order that rotates from round to
round, so that a slow spell of this (shared, 2-core) machine hits all
commands alike. Prints, per command, the median and quartiles of its wall
times, user+system CPU, and, against the first command, the median of the
per-round ratios (a paired comparison: what the "at most 1.10x" targets are
about).

usage: paired.py [--runs N] [--warmup N] [--cwd DIR] [--ok-exit] -- CMD1 -- CMD2 [-- CMD3 ...]
Each command is an argv (no shell); stdout and stderr go to /dev/null.
--ok-exit: a non-zero exit status is not an error (a failing build).
"""
import os
import statistics
import sys
import time


def run(argv, cwd):
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        t0 = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ,
                              file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                            (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status, ru = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
    finally:
        os.close(devnull)
    return wall, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status)


def main():
    args = sys.argv[1:]
    runs, warmup, cwd, ok_exit = 30, 3, None, False
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
            run(c, cwd)
    walls = [[] for _ in cmds]  # seconds, per command, in round order
    cpus = [[] for _ in cmds]
    for r in range(runs):
        order = list(range(len(cmds)))
        k = r % len(cmds)
        order = order[k:] + order[:k]
        for i in order:
            w, c, code = run(cmds[i], cwd)
            if code != 0 and not ok_exit:
                sys.exit(f"paired.py: {' '.join(cmds[i])}: exit status {code}")
            walls[i].append(w)
            cpus[i].append(c)
    base = walls[0]
    for i, c in enumerate(cmds):
        q = statistics.quantiles(walls[i], n=4)
        line = (f"median {statistics.median(walls[i])*1e3:8.1f} ms  "
                f"(q1 {q[0]*1e3:.1f}, q3 {q[2]*1e3:.1f})  "
                f"cpu {statistics.median(cpus[i])*1e3:7.1f} ms")
        if i > 0:
            ratios = [w / b for w, b in zip(walls[i], base)]
            line += f"  ratio to #1: {statistics.median(ratios):.3f}"
        print(f"{line}  #{i+1} {' '.join(c)}")
    print(f"({runs} interleaved rounds, {warmup} warm-up rounds)")


if __name__ == "__main__":
    main()
