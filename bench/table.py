#!/usr/bin/env python3
"""Renders target/bench/results.jsonl (one hikari-load result line per run) as a Markdown table.

Medians over repetitions; ratio = Hikari / Janus (for latency and memory, lower is better).
LiveKit's column is its published per-vCPU figure for the same shape (bench/README.md).
"""
import json
import statistics
import sys

LIVEKIT = {  # derived from LiveKit's benchmark page (16 vCPU c2-standard-16)
    ("webinar", "pps_per_vcpu"): "38,100",
    ("webinar", "mbps_per_vcpu"): "289",
    ("webinar", "receivers_per_vcpu"): "204",
    ("audio", "pps_per_vcpu"): "74,900",
    ("meeting", "pps_per_vcpu"): "59,800 (in+out)",
}

METRICS = [
    ("participants", "participants", None),
    ("server_cpu", "server CPU (vCPU)", None),
    ("rx_pps", "forwarded pkt/s (received)", "hi"),
    ("pps_per_vcpu", "forwarded pkt/s per busy vCPU", "hi"),
    ("mbps_per_vcpu", "forwarded Mbit/s per busy vCPU", "hi"),
    ("receivers_per_vcpu", "subscribers per busy vCPU", "hi"),
    ("delivery", "delivery", "hi"),
    ("transit_p50_ms", "transit p50 (ms)", "lo"),
    ("transit_p99_ms", "transit p99 (ms)", "lo"),
    ("join_p50_ms", "connect→first packet p50 (ms)", "lo"),
    ("join_p99_ms", "connect→first packet p99 (ms)", "lo"),
    ("rss_per_participant_kb", "server RSS per participant (KiB)", "lo"),
    ("gen_cpu", "generator CPU (vCPU)", None),
]


def med(rows, key):
    vals = [r.get(key) for r in rows]
    vals = [v for v in vals if isinstance(v, (int, float)) and v == v]
    return statistics.median(vals) if vals else None


def fmt(v):
    if v is None:
        return "–"
    if isinstance(v, float) and abs(v) < 10 and v != int(v):
        return f"{v:.3g}" if v < 1 else f"{v:.2f}"
    return f"{v:,.0f}"


def server(r):
    return r.get("server", r.get("label"))


def bench(r):
    return r.get("bench", r["scenario"])


def ramp_table(rows, min_delivery=0.999):
    """One row per step and server; then the largest step each server held at ≥ 99.9%."""
    print(f"\n### ramp: webinar subscribers stepped up until delivery < {min_delivery:.1%}\n")
    print("| subscribers | server | server CPU (vCPU) | forwarded pkt/s | delivery | transit p50 / p99 (ms) | server RSS (MiB) | generator CPU |")
    print("|---|---|---|---|---|---|---|---|")
    for r in sorted(rows, key=lambda r: (r["participants"], server(r), r.get("rep", 0))):
        print(f"| {r['participants'] - 1} | {server(r)} | {fmt(r.get('server_cpu'))} | {fmt(r.get('rx_pps'))} | "
              f"{r.get('delivery', 0):.4%} | {fmt(r.get('transit_p50_ms'))} / {fmt(r.get('transit_p99_ms'))} | "
              f"{fmt((r.get('server_rss_kb') or 0) / 1024)} | {fmt(r.get('gen_cpu'))} |")
    print()
    best = {}
    for name in [n for n in ("hikari", "janus") if any(server(r) == n for r in rows)]:
        held = [r for r in rows if server(r) == name and r.get("delivery", 0) >= min_delivery]
        if not held:
            print(f"- {name}: no step held {min_delivery:.1%} delivery")
            continue
        top = max(held, key=lambda r: r["participants"])
        subs = top["participants"] - 1
        cpu = top.get("server_cpu") or 0
        # A server below one full vCPU could take more: per busy vCPU extrapolates.
        per = subs / cpu if cpu > 0 else None
        best[name] = subs
        print(f"- {name}: {subs} subscribers at {top['delivery']:.4%} delivery on {fmt(cpu)} vCPU "
              f"({fmt(per)} per busy vCPU, {fmt(top.get('pps_per_vcpu'))} pkt/s per busy vCPU)")
        mine = sorted((r for r in rows if server(r) == name and r.get("server_rss_kb")), key=lambda r: r["participants"])
        if len(mine) >= 2 and mine[-1]["participants"] > mine[0]["participants"]:
            slope = (mine[-1]["server_rss_kb"] - mine[0]["server_rss_kb"]) / (mine[-1]["participants"] - mine[0]["participants"])
            print(f"  - RSS grows {fmt(slope)} KiB per added subscriber ({mine[0]['participants'] - 1} → {mine[-1]['participants'] - 1})")
    if "hikari" in best and "janus" in best and best["janus"]:
        print(f"- subscribers held, Hikari / Janus: {best['hikari'] / best['janus']:.2f}×")


def main(path):
    rows = [json.loads(l) for l in open(path) if l.strip().startswith("{")]
    scenarios = []
    for r in rows:
        if bench(r) not in scenarios:
            scenarios.append(bench(r))
    for sc in scenarios:
        if sc == "ramp":
            ramp_table([r for r in rows if bench(r) == sc])
            continue
        ours = [r for r in rows if bench(r) == sc and server(r) == "hikari"]
        janus = [r for r in rows if bench(r) == sc and server(r) == "janus"]
        print(f"\n### {sc} (runs: hikari {len(ours)}, janus {len(janus)})\n")
        print("| metric | Hikari | Janus | Hikari/Janus | LiveKit published |")
        print("|---|---|---|---|---|")
        for key, name, _ in METRICS:
            a, b = med(ours, key), med(janus, key)
            ratio = f"{a / b:.2f}×" if a is not None and b not in (None, 0) else "–"
            print(f"| {name} | {fmt(a)} | {fmt(b)} | {ratio} | {LIVEKIT.get((sc, key), '')} |")
        short = [n for n, rs in (("Hikari", ours), ("Janus", janus)) if rs and (med(rs, "delivery") or 0) < 0.999]
        if short:
            print(f"\n{' and '.join(short)} delivered under 99.9% here: saturated, so its per-vCPU figures are what an "
                  "overloaded server managed, not a capacity (the ramp gives that).")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/bench/results.jsonl")
