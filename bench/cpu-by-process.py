#!/usr/bin/env python3
"""Where a bench row's CPU went, by kind of process.

    cpu-by-process.py snapshot > before      # pid, kind, CPU ticks of every process now
    cpu-by-process.py since before ORDERS    # per kind, ms of CPU per order since `before`

Kinds: the process name, except PostgreSQL's, told apart by their title (`postgres:
autovacuum worker`, `postgres: checkpointer`, …; every client backend is one kind), and
Python's, by their script (the Stripe stand-in is `fake-stripe.py`).
Only processes alive at both ends are counted: the load generator started after the
snapshot (wrk) and a worker recycled during the row are missing, so the kinds add up to less
than the machine's busy ticks.
"""
import os
import sys

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def kind(pid, name):
    if name not in ("postgres", "python3"):
        return name
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = [a.decode(errors="replace") for a in f.read().split(b"\0")]
    except OSError:
        return name
    if name == "python3":
        # The local stand-ins (Stripe, SMTP, the webhook receiver) by their script's name.
        return os.path.basename(argv[1]) if len(argv) > 1 and argv[1].endswith(".py") else name
    title = argv[0]
    if not title.startswith("postgres: "):
        return "postgres"
    words = title[len("postgres: "):].split()
    # A client backend's title is "user database host(port) state", or "user database [local]
    # state" over the unix socket; the others name themselves.
    if len(words) >= 3 and ("(" in words[2] or words[2] == "[local]"):
        return "postgres backends"
    return "postgres " + " ".join(w for w in words if not w.startswith("("))[:40]


def snapshot():
    rows = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The name is in parentheses and may hold spaces; the fields after it are fixed.
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        rows[entry] = (kind(entry, name), int(fields[11]) + int(fields[12]))  # utime + stime
    return rows


def main():
    if sys.argv[1:2] == ["snapshot"]:
        for pid, (k, ticks) in snapshot().items():
            print(f"{pid}\t{k}\t{ticks}")
        return
    if len(sys.argv) != 4 or sys.argv[1] != "since":
        sys.exit(__doc__)
    before = {}
    with open(sys.argv[2]) as f:
        for line in f:
            pid, k, ticks = line.rstrip("\n").split("\t")
            before[pid] = (k, int(ticks))
    orders = int(sys.argv[3])
    spent = {}
    for pid, (k, ticks) in snapshot().items():
        if pid in before and before[pid][0] == k:
            spent[k] = spent.get(k, 0) + ticks - before[pid][1]
    if orders <= 0:
        print("no orders")
        return
    top = sorted(((t, k) for k, t in spent.items() if t > 0), reverse=True)[:6]
    print(", ".join(f"{k} {1000 * t / TICKS_PER_SECOND / orders:.2f}" for t, k in top))


main()
