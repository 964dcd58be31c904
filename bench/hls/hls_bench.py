"""LL-HLS fan-out, blocking-reload answer times and RTMP restream cost (issue 14; bench/hls/run.sh).

A Python SDK participant publishes an H.264 camera (640x360, 30 fps, the SDK's encoder) and an
Opus microphone. Then, one run:

  hls       StartParticipantEgress with a segment output (2 s segments). Once the live playlist
            lists segments: wrk (one thread, on the client CPU) against the newest complete
            segment, the newest complete part and the live playlist on /hls/<egress>/…
            (?access_token= a viewer's token), 64 and 256 connections, WRK_SECONDS each; the
            server's CPU from /proc over each run. The peer: nginx (one worker, on the server's
            CPU) serving the same bytes as static files, same wrk parameters. Objects leave the
            live window after 6 segments (12 s), so each run picks the newest one afresh and
            runs at most 10 s; non-2xx answers are counted and reported.
  reload    chained blocking playlist reloads: ask for the part the preload hint names, time
            the answer, ask for the next; and after each answer a plain (non-blocking)
            playlist GET, timed: the server's own response time. N_RELOADS answers idle, then
            as many with wrk (64 connections, nice 10) loading the newest segment.
  restream  the HLS egress stopped; StartParticipantEgress with a stream output to K local
            RTMP receivers (ffmpeg -listen 1 … -c copy -f null -), K = 1 and 4, one egress
            each step: over WINDOW seconds the CPU of the server process and, apart, of its
            ffmpeg push children (cmdline with '-f flv'); the receivers' CPU is shown, excluded.

Prints RESULT lines (JSON after the tag). Every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid

import aiohttp
import numpy as np
from livekit import api, rtc

# The publisher of the egress bench (the same tone and moving pattern, here in H.264).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "egress"))
from egress_bench import publish  # noqa: E402

KEY, SECRET = "devkey", "secret"
HZ = os.sysconf("SC_CLK_TCK")
SEGMENT_SECONDS = 2
HINT = re.compile(r'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part(\d+)\.(\d+)\.m4s')
PART = re.compile(r'#EXT-X-PART:DURATION=([\d.]+)[^\n]*URI="(part(\d+)\.(\d+)\.m4s)')
SEG = re.compile(r"^(seg(\d+)\.m4s)", re.M)


def result(tag: str, **kw) -> None:
    print("RESULT " + json.dumps({"result": tag, **kw}), flush=True)


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / HZ
    except OSError:
        return 0.0


def children(pid: int, needle: str) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid != pid:
                continue
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            if needle in cmd:
                out.append(int(d))
        except (OSError, ValueError, IndexError):
            continue
    return out


def tok(identity: str, room: str) -> str:
    return (api.AccessToken(KEY, SECRET).with_identity(identity)
            .with_grants(api.VideoGrants(room_join=True, room=room, can_subscribe=True, can_publish=identity == "host")).to_jwt())


UNITS = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "TB": 1024 ** 4}


def parse_wrk(out: str) -> dict:
    def grab(pat, conv=float, default=0.0):
        m = re.search(pat, out, re.M)
        return conv(m.group(1)) if m else default
    rps = grab(r"^Requests/sec:\s+([\d.]+)")
    m = re.search(r"^Transfer/sec:\s+([\d.]+)([KMGT]?B)", out, re.M)
    bps = float(m.group(1)) * UNITS[m.group(2)] if m else 0.0
    lat = {}
    for q in ("50", "99"):
        m = re.search(rf"^\s+{q}(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if m:
            lat[q] = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    return {"rps": rps, "gbit_s": bps * 8 / 1e9, "non2xx": int(grab(r"Non-2xx or 3xx responses:\s+(\d+)", int, 0)),
            "requests": int(grab(r"(\d+) requests in", int, 0)), "socket_errors": grab(r"Socket errors:(.*)$", str, ""),
            "lat_p50_ms": lat.get("50"), "lat_p99_ms": lat.get("99")}


def wrk(url: str, conns: int, seconds: float, cpu: int, pids: list[int], nice: int = 0) -> dict:
    """One wrk run (blocking); the CPU of `pids` (the server or nginx) and of wrk over it."""
    c0 = sum(cpu_seconds(p) for p in pids)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    cmd = ["taskset", "-c", str(cpu), "nice", "-n", str(nice), "wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--timeout", "5s", "--latency", url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    dt = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    c1 = sum(cpu_seconds(p) for p in pids)
    r = parse_wrk(out.stdout)
    r["server_vcpu"] = round((c1 - c0) / dt, 3)
    r["wrk_vcpu"] = round((r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) / dt, 3)
    if r["requests"] == 0:
        r["wrk_output"] = (out.stdout + out.stderr)[-400:]
    return r


class Live:
    def __init__(self, http: aiohttp.ClientSession, base: str, egress: str, token: str) -> None:
        self.http, self.dir, self.token = http, f"{base}/hls/{egress}", token

    def url(self, name: str) -> str:
        return f"{self.dir}/{name}?access_token={self.token}"

    async def get(self, name: str, query: str = "") -> tuple[int, bytes]:
        async with self.http.get(self.url(name) + query, timeout=aiohttp.ClientTimeout(total=20)) as r:
            return r.status, await r.read()

    async def playlist(self, query: str = "") -> str:
        status, body = await self.get("live.m3u8", query)
        return body.decode(errors="replace") if status == 200 else ""

    async def newest(self) -> tuple[str, str, str]:
        """(newest complete segment, newest listed part, playlist text)."""
        text = await self.playlist()
        segs = SEG.findall(text)
        parts = PART.findall(text)
        return (segs[-1][0] if segs else "", parts[-1][1] if parts else "", text)


def find_file(root: str, data: bytes) -> str:
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            if f.endswith(".m4s") and os.path.getsize(p) == len(data):
                with open(p, "rb") as fh:
                    if fh.read() == data:
                        return p
    return ""


async def fanout(args, live: Live, server_pid: int) -> None:
    conns = [int(c) for c in args.conns.split(",")]
    secs = args.wrk_seconds
    nginx_pids = [int(p) for p in args.nginx_pids.split(",") if p] if args.nginx_pids else []
    for kind in ("segment", "part", "playlist"):
        for c in conns:
            seg, part, text = await live.newest()
            name = {"segment": seg, "part": part, "playlist": "live.m3u8"}[kind]
            status, body = await live.get(name)
            if status != 200:
                result("fanout_skip", server="hikari", object=kind, status=status)
                continue
            r = await asyncio.to_thread(wrk, live.url(name), c, secs, args.client_cpu, [server_pid])
            result("fanout", server="hikari", object=kind, uri=name, bytes=len(body), conns=c, seconds=secs, **r)
            if not nginx_pids:
                continue
            # The peer: the same bytes as a static file (a segment: the recording's own file).
            # A new file per run: nginx's open_file_cache keeps the descriptor of a file, and a
            # file rewritten in place would be sent truncated.
            static = f"{kind}-{c}." + ("m3u8" if kind == "playlist" else "m4s")
            src = find_file(args.recordings, body) if kind == "segment" else ""
            dst = os.path.join(args.www, static)
            if src:
                shutil.copyfile(src, dst)
            else:
                with open(dst, "wb") as f:
                    f.write(body)
            r = await asyncio.to_thread(wrk, f"{args.nginx_url}/{static}", c, secs, args.client_cpu, nginx_pids)
            result("fanout", server="nginx", object=kind, uri=static, bytes=os.path.getsize(dst), conns=c, seconds=secs,
                   copied_from_recordings=bool(src), **r)


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


async def reloads(args, live: Live, label: str) -> None:
    """Chained blocking reloads for the hinted part, and a timed plain GET after each."""
    waits, plain, gaps, errors = [], [], [], 0
    text = await live.playlist()
    last_arrival, last_dur = None, None
    deadline = time.monotonic() + args.reloads * 0.5 + 30
    while len(waits) < args.reloads and time.monotonic() < deadline:
        m = HINT.search(text)
        if not m:
            errors += 1
            text = await live.playlist()
            await asyncio.sleep(0.05)
            continue
        msn, idx = int(m.group(1)), int(m.group(2))
        t0 = time.monotonic()
        status, body = await live.get("live.m3u8", f"&_HLS_msn={msn}&_HLS_part={idx}")
        t1 = time.monotonic()
        if status != 200:
            errors += 1
            text = await live.playlist()
            continue
        text = body.decode(errors="replace")
        waits.append((t1 - t0) * 1000)
        parts = PART.findall(text)
        dur = float(parts[-1][0]) if parts else None
        if last_arrival is not None and dur is not None:
            gaps.append(abs((t1 - last_arrival) - dur) * 1000)
        last_arrival, last_dur = t1, dur
        t2 = time.monotonic()
        s2, _ = await live.get("live.m3u8")
        if s2 == 200:
            plain.append((time.monotonic() - t2) * 1000)
    result("blocking_reload", load=label, answers=len(waits), errors=errors,
           wait_p50_ms=round(pct(waits, 0.5), 1), wait_p99_ms=round(pct(waits, 0.99), 1), wait_max_ms=round(max(waits or [0]), 1),
           plain_get_p50_ms=round(pct(plain, 0.5), 2), plain_get_p99_ms=round(pct(plain, 0.99), 2), plain_get_max_ms=round(max(plain or [0]), 2),
           arrival_vs_part_duration_p50_ms=round(pct(gaps, 0.5), 1), arrival_vs_part_duration_p99_ms=round(pct(gaps, 0.99), 1))


async def reloads_under_load(args, live: Live) -> None:
    stop = asyncio.Event()

    async def load():
        runs = []
        while not stop.is_set() and len(runs) < 12:
            seg, _, _ = await live.newest()
            if not seg:
                await asyncio.sleep(0.5)
                continue
            r = await asyncio.to_thread(wrk, live.url(seg), 64, 8, args.client_cpu, [args.server_pid], 10)
            runs.append(r)
        return runs
    task = asyncio.create_task(load())
    await asyncio.sleep(2)
    try:
        await reloads(args, live, "wrk 64 conns on the newest segment")
    finally:
        stop.set()
        runs = await asyncio.wait_for(task, 60)
    if runs:
        result("blocking_reload_load", wrk_runs=len(runs), rps=round(statistics.mean(r["rps"] for r in runs)),
               gbit_s=round(statistics.mean(r["gbit_s"] for r in runs), 2), server_vcpu=round(statistics.mean(r["server_vcpu"] for r in runs), 3),
               non2xx=sum(r["non2xx"] for r in runs))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def restream(args, lk, room_name: str, server_pid: int) -> None:
    for k in [int(x) for x in args.restream.split(",")]:
        receivers = []
        for i in range(k):
            port = free_port()
            url = f"rtmp://127.0.0.1:{port}/live/bench{uuid.uuid4().hex[:12]}"
            p = subprocess.Popen(["taskset", "-c", str(args.client_cpu), "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
                                  "-listen", "1", "-i", url, "-c", "copy", "-f", "null", "-"],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            receivers.append((p, url, port))
        await asyncio.sleep(1.0)
        egress = None
        if k:
            egress = await lk.egress.start_participant_egress(api.ParticipantEgressRequest(
                room_name=room_name, identity="host",
                stream_outputs=[api.StreamOutput(protocol=api.StreamProtocol.RTMP, urls=[u for _, u, _ in receivers])]))
            deadline = time.monotonic() + 20
            active = 0
            while time.monotonic() < deadline:
                items = (await lk.egress.list_egress(api.ListEgressRequest(egress_id=egress.egress_id))).items
                active = sum(s.status == api.StreamInfo.ACTIVE and not s.error for i in items for s in i.stream_results)
                if active == k:
                    break
                await asyncio.sleep(0.3)
        await asyncio.sleep(args.settle)
        pushers = children(server_pid, "-f flv")
        others = [p for p in children(server_pid, "ffmpeg") if p not in pushers]
        rec = [p.pid for p, _, _ in receivers]
        # the receivers run under taskset: their ffmpeg is the taskset's exec'd self (same pid)
        s0, p0, o0, q0, t0 = cpu_seconds(server_pid), sum(map(cpu_seconds, pushers)), sum(map(cpu_seconds, others)), sum(map(cpu_seconds, rec)), time.monotonic()
        await asyncio.sleep(args.window)
        s1, p1, o1, q1, t1 = cpu_seconds(server_pid), sum(map(cpu_seconds, pushers)), sum(map(cpu_seconds, others)), sum(map(cpu_seconds, rec)), time.monotonic()
        dt = t1 - t0
        alive = sum(p.poll() is None for p, _, _ in receivers)
        streams = []
        if egress:
            items = (await lk.egress.list_egress(api.ListEgressRequest(egress_id=egress.egress_id))).items
            streams = [(api.StreamInfo.Status.Name(s.status), s.error[:80], s.retries) for i in items for s in i.stream_results]
            await lk.egress.stop_egress(api.StopEgressRequest(egress_id=egress.egress_id))
        result("restream", destinations=k, window_s=round(dt, 1), server_vcpu=round((s1 - s0) / dt, 4),
               push_children=len(pushers), push_vcpu=round((p1 - p0) / dt, 4), other_server_children=len(others),
               other_children_vcpu=round((o1 - o0) / dt, 4), receivers_alive=alive, receivers_vcpu_excluded=round((q1 - q0) / dt, 4),
               streams=streams)
        await asyncio.sleep(2)
        for p, _, _ in receivers:
            if p.poll() is None:
                p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("--client-cpu", type=int, default=1)
    ap.add_argument("--recordings", required=True)
    ap.add_argument("--www", required=True)
    ap.add_argument("--nginx-url", default="")
    ap.add_argument("--nginx-pids", default="")
    ap.add_argument("--conns", default="64,256")
    ap.add_argument("--wrk-seconds", type=int, default=10)
    ap.add_argument("--reloads", type=int, default=100)
    ap.add_argument("--restream", default="0,1,4")
    ap.add_argument("--window", type=float, default=15)
    ap.add_argument("--settle", type=float, default=4)
    args = ap.parse_args()
    base = args.url.replace("ws://", "http://")
    room_name = f"benchhls-{uuid.uuid4().hex[:6]}"
    lk = api.LiveKitAPI(base, KEY, SECRET)
    room = rtc.Room()
    http = aiohttp.ClientSession()
    tasks: list[asyncio.Task] = []
    try:
        await room.connect(args.url, tok("host", room_name))
        _, tasks = await publish(room, rtc.VideoCodec.H264)
        await asyncio.sleep(2)
        c0, t0 = cpu_seconds(args.server_pid), time.monotonic()
        await asyncio.sleep(8)
        result("server_idle_publisher", server_vcpu=round((cpu_seconds(args.server_pid) - c0) / (time.monotonic() - t0), 4))
        info = await lk.egress.start_participant_egress(api.ParticipantEgressRequest(
            room_name=room_name, identity="host",
            segment_outputs=[api.SegmentedFileOutput(segment_duration=SEGMENT_SECONDS, filename_prefix="bench-hls/{room_name}/host")]))
        live = Live(http, base, info.egress_id, tok("viewer", room_name))
        deadline = time.monotonic() + 40
        text = ""
        while time.monotonic() < deadline:
            text = await live.playlist()
            if text.count("#EXTINF") >= 3:
                break
            await asyncio.sleep(0.5)
        if text.count("#EXTINF") < 3:
            print("no live playlist with 3 segments in 40 s:\n" + text[:500], file=sys.stderr)
            return 1
        c0, t0 = cpu_seconds(args.server_pid), time.monotonic()
        await asyncio.sleep(8)
        seg, part, text = await live.newest()
        _, sbody = await live.get(seg)
        _, pbody = await live.get(part)
        result("server_hls_egress", server_vcpu=round((cpu_seconds(args.server_pid) - c0) / (time.monotonic() - t0), 4),
               segment_bytes=len(sbody), part_bytes=len(pbody), playlist_bytes=len(text.encode()),
               part_target=re.search(r"PART-TARGET=([\d.]+)", text).group(1) if "PART-TARGET" in text else None)
        await fanout(args, live, args.server_pid)
        await reloads(args, live, "idle")
        await reloads_under_load(args, live)
        await lk.egress.stop_egress(api.StopEgressRequest(egress_id=info.egress_id))
        await asyncio.sleep(3)
        await restream(args, lk, room_name, args.server_pid)
        return 0
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await room.disconnect()
        await http.close()
        await lk.aclose()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
