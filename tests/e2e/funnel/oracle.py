"""Funnel counts against ClickHouse windowFunnel (chdb): generated event logs with window
edges (exactly W and W+1 ms), repeated steps and out-of-order steps.

Usage: oracle.py RUST_EXAMPLE_BIN [--write-fixture PATH]
Exits non-zero on any per-visitor mismatch.
"""
import json, random, subprocess, sys

import chdb

def generate(seed, visitors=400, n_steps=4, window=3_600_000):
    rnd = random.Random(seed)
    events = []
    for v in range(visitors):
        vid = f"v{seed}_{v}"
        t = rnd.randrange(0, 10_000_000)
        used = set()
        def add(step, ts):
            while ts in used:  # distinct times per visitor: ties have no defined order in either engine
                ts += 1
            used.add(ts)
            events.append({"visitor": vid, "step": step, "ts": ts})
        shape = rnd.random()
        if shape < 0.15:  # exact window edge: last step at start + W (counts) or W + 1 (does not)
            add(0, t)
            for k in range(1, n_steps - 1):
                add(k, t + k * 1000)
            add(n_steps - 1, t + window + rnd.choice([0, 1]))
        elif shape < 0.3:  # out of order: later steps first
            for k in reversed(range(n_steps)):
                add(k, t + (n_steps - k) * 1000)
        else:  # random walk with repeats and gaps
            for _ in range(rnd.randrange(1, 9)):
                add(rnd.randrange(n_steps), t)
                t += rnd.choice([1000, 60_000, 600_000, 1_800_000, 3_600_000])
    rnd.shuffle(events)
    return {"window_ms": window, "n_steps": n_steps, "events": events}

def oracle(case):
    n, w = case["n_steps"], case["window_ms"]
    rows = ",".join(f"('{e['visitor']}', {e['step']}, {e['ts']})" for e in case["events"])
    conds = ", ".join(f"step = {k}" for k in range(n))
    sql = (f"SELECT visitor, windowFunnel({w})(toUInt64(ts), {conds}) AS level "
           f"FROM values('visitor String, step UInt8, ts UInt64', {rows}) GROUP BY visitor")
    out = chdb.query(sql, "JSONEachRow").bytes().decode()
    return {r["visitor"]: int(r["level"]) for r in map(json.loads, filter(None, out.splitlines()))}

def ours(binary, case):
    p = subprocess.run([binary], input=json.dumps(case).encode(), capture_output=True, check=True, timeout=60)
    return {k: int(v) for k, v in json.loads(p.stdout).items()}

def main():
    binary = sys.argv[1]
    cases = [generate(seed) for seed in range(1, 6)]
    bad = 0
    for i, case in enumerate(cases):
        want, got = oracle(case), ours(binary, case)
        diff = [v for v in want if want[v] != got.get(v)]
        hist = {}
        for lvl in want.values():
            hist[lvl] = hist.get(lvl, 0) + 1
        print(f"case {i}: {len(want)} visitors, levels {dict(sorted(hist.items()))}, mismatches {len(diff)}")
        for v in diff[:5]:
            evs = sorted((e["ts"], e["step"]) for e in case["events"] if e["visitor"] == v)
            print(f"  {v}: windowFunnel={want[v]} ours={got.get(v)} events={evs}")
        bad += len(diff)
        case["expected_levels"] = want
    if "--write-fixture" in sys.argv:
        path = sys.argv[sys.argv.index("--write-fixture") + 1]
        small = cases[0]
        with open(path, "w") as f:
            json.dump(small, f, sort_keys=True)
        print(f"wrote {path}")
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main()
