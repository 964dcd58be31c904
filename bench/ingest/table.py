"""Tables (Markdown) from bench/ingest's results.jsonl: python3 table.py results.jsonl"""

from __future__ import annotations

import json
import sys


def ms(v) -> str:
    return "–" if v is None else (v if isinstance(v, str) else f"{v:,.0f}" if v >= 100 else f"{v:.3g}")


def main(path: str) -> None:
    rows = [json.loads(line) for line in open(path) if line.strip()]
    by = lambda phase: [r for r in rows if r.get("phase") == phase]  # noqa: E731
    for r in by("latency"):
        h = r["hikari_ingest_latency_seconds"]
        print("\n#### Server-added latency, passthrough RTMP (hikari_ingest_latency_seconds over the publish)\n")
        print("| packets | p50 | p90 | p99 | p99.9 | mean | viewer frames | server CPU (vCPU) | audio job (vCPU) |")
        print("|---|---|---|---|---|---|---|---|---|")
        print(f"| {h['count']:,} | ≤ {ms(h['p50_le_ms'])} ms | ≤ {ms(h['p90_le_ms'])} ms | ≤ {ms(h['p99_le_ms'])} ms | ≤ {ms(h['p99.9_le_ms'])} ms "
              f"| {ms(h['mean_ms'])} ms | {r['viewer_frames']:,} in {r['publish_s']} s | {r['server_cpu_per_s']:.3f} | {r['codec_jobs_cpu_per_s']:.3f} |")
        print("\nbuckets (packets per upper bound): " + ", ".join(f"{k}: {v}" for k, v in h["buckets"].items() if v))
    g = by("g2g")
    if g:
        print("\n#### Glass-to-glass (stamp made → decoded frame in Python), after the first second\n")
        print("| path | p50 | p95 | max | frames kept (window) | illegible | decoded sizes |")
        print("|---|---|---|---|---|---|---|")
        for r in g:
            parts = [(r["path"], r)] if "asap" not in r else [(f"{r['path']} (reader takes each segment when listed)", r["asap"]),
                                                             (f"{r['path']} (reader paced, starts 3 segments back)", r["paced"])]
            for name, s in parts:
                print(f"| {name} | {ms(s.get('p50_ms'))} ms | {ms(s.get('p95_ms'))} ms | {ms(s.get('max_ms'))} ms "
                      f"| {s['legible_kept']:,} ({s['window_s']} s) | {s['illegible']} | {s['sizes']} |")
    d = by("density")
    if d:
        idle = by("idle")
        print("\n#### Passthrough ingests: server CPU per ingest-second (720p30 2 Mbit/s + AAC, one viewer each)\n")
        if idle:
            print(f"idle server: {idle[0]['server_vcpu']:.4f} vCPU\n")
        print("| ingests | live | server (vCPU) | audio jobs (vCPU) | server CPU-s per ingest-s | audio job CPU-s per ingest-s | total per ingest-s | RTP in/s | RTP forwarded/s | Mbit/s out | publishers (vCPU) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in d:
            tot = r["server_cpu_s_per_ingest_s"] + r["codec_jobs_cpu_s_per_ingest_s"]
            print(f"| {r['ingests']} | {r['live']} | {r['server_vcpu']:.3f} | {r['codec_jobs_vcpu']:.3f} | {r['server_cpu_s_per_ingest_s']:.4f} "
                  f"| {r['codec_jobs_cpu_s_per_ingest_s']:.4f} | {tot:.4f} | {r['rtp_in_per_s']:,.0f} | {r['rtp_forwarded_per_s']:,.0f} "
                  f"| {r['mbit_out_per_s']:.1f} | {r['publishers_vcpu']:.3f} |")
        if len(d) >= 2:
            a, b = d[0], d[-1]
            slope = lambda k: (b[k] - a[k]) / (b["ingests"] - a["ingests"])  # noqa: E731
            s_srv, s_job = slope("server_vcpu"), slope("codec_jobs_vcpu")
            print(f"\nmarginal cost ({a['ingests']} → {b['ingests']} ingests): server {s_srv:.4f} + audio job {s_job:.4f} = {s_srv + s_job:.4f} vCPU per ingest"
                  f" → {1 / s_srv:,.0f} ingests per vCPU for the server process alone, {1 / (s_srv + s_job):,.0f} with the AAC→Opus jobs")
    for r in by("transcode"):
        print("\n#### Transcoding, one 720p30 input (the server's ffmpeg job: ladder + Opus)\n")
        print(f"layers {r['layers']}: job {r['codec_job_cpu_s_per_media_s']:.3f} CPU-s per media-s, server process {r['server_cpu_s_per_media_s']:.3f}, over {r['window_s']} s")


if __name__ == "__main__":
    main(sys.argv[1])
