#!/usr/bin/env python3
"""Paired timing for the benchmark scripts: A and B alternate (A B, B A, ...), so a shared
machine's drifting speed hits both; prints each side's median wall and CPU time and the
median and quartiles of the per-pair ratios A/B.

usage: paired.py RUNS 'COMMAND A' 'COMMAND B'   (each split as a shell splits words; no shell)
"""
import os, shlex, statistics, subprocess, sys, time

n, a, b = int(sys.argv[1]), shlex.split(sys.argv[2]), shlex.split(sys.argv[3])


def run(argv):
    """Wall and CPU (user + sys of the process and its waited-for children) of one run."""
    t = time.perf_counter_ns()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter_ns() - t
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"paired.py: {argv[0]} exited with {os.waitstatus_to_exitcode(status)}")
    return wall, (ru.ru_utime + ru.ru_stime) * 1e9


for _ in range(10):
    run(a), run(b)
wa, wb, ca, cb = [], [], [], []
for i in range(n):
    if i % 2:
        y, x = run(b), run(a)
    else:
        x, y = run(a), run(b)
    wa.append(x[0]); wb.append(y[0]); ca.append(x[1]); cb.append(y[1])
for what, sa, sb in (("wall", wa, wb), ("cpu", ca, cb)):
    r = [x / y for x, y in zip(sa, sb) if y > 0]
    q = statistics.quantiles(r, n=4)
    print(f"A/B {what}: A {statistics.median(sa) / 1e6:.2f} ms, B {statistics.median(sb) / 1e6:.2f} ms, "
          f"median {statistics.median(r):.2f} (quartiles {q[0]:.2f}-{q[2]:.2f}), {n} pairs")
