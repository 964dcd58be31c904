"""Issue 13's broadcast-ingest bench (run by bench/ingest/run.sh inside a network namespace).

Phases (`--phases`, in this order):
  latency    server-added latency: a 60 s 720p30 publish (the pre-encoded FLV: x264
             zerolatency, no B-frames, AAC) with one viewer; quantiles of
             hikari_ingest_latency_seconds over the publish (scraped before and after).
  g2g        glass-to-glass, Hikari passthrough and transcoded, then nginx-rtmp -> HLS (g2g.py).
  density    N concurrent passthrough ingests of the pre-encoded FLV (-re -stream_loop -1 -c copy),
             one viewer each (no Python-side decoding), server CPU per ingest-second over a window.
  transcode  one 720p30 ingest with enable_transcoding: CPU of the server's ffmpeg job (ladder
             + Opus) per media second.
Prints a JSON line per phase ("RESULT {...}") and writes them all to --out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from livekit import api

import g2g
from lk import CpuWindow, Viewer, create_ingress, histogram_delta, scrape, wait_live

HIST = "hikari_ingest_latency_seconds"


def copy_publisher(flv: str, url: str, loop: bool, seconds: float) -> list[str]:
    head = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re"]
    if loop:
        head += ["-stream_loop", "-1"]
    return head + ["-i", flv, "-t", str(seconds), "-c", "copy", "-f", "flv", url]


async def start(args: list[str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(*args, stdin=asyncio.subprocess.DEVNULL)


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 5)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()


async def phase_latency(a, lk: api.LiveKitAPI) -> dict:
    room = "bench-latency"
    iid, pub = await create_ingress(lk, room, False)
    viewer = Viewer(a.url, room)
    await viewer.join("viewer-latency")
    before = scrape(a.metrics)
    cpu = CpuWindow(a.server_pid)
    proc = await start(copy_publisher(a.flv, pub, False, a.latency_seconds))
    live = await wait_live(lk, iid, viewer, 20)
    try:
        await asyncio.wait_for(proc.wait(), a.latency_seconds + 30)
    except asyncio.TimeoutError:
        await stop(proc)
    usage = cpu.stop()
    await asyncio.sleep(1.0)
    after = scrape(a.metrics)
    await viewer.close()
    await lk.ingress.delete_ingress(api.DeleteIngressRequest(ingress_id=iid))
    return {"phase": "latency", "live": live, "publisher_exit": proc.returncode, "viewer_frames": viewer.frames,
            "publish_s": round(usage["wall_s"], 1), "server_cpu_per_s": usage["server_cpu_s"] / usage["wall_s"],
            "codec_jobs_cpu_per_s": usage["children_cpu_s"] / usage["wall_s"], HIST: histogram_delta(before, after, HIST)}


async def phase_density(a, lk: api.LiveKitAPI, n: int) -> dict:
    ingresses = [await create_ingress(lk, f"bench-density-{n}-{i}", False) for i in range(n)]
    viewers = [Viewer(a.url, f"bench-density-{n}-{i}", decode=False) for i in range(n)]
    for i, v in enumerate(viewers):
        await v.join(f"viewer-{n}-{i}")
    procs = [await start(copy_publisher(a.flv, pub, True, 600)) for _, pub in ingresses]
    live = await asyncio.gather(*(wait_live(lk, iid, v, 30) for (iid, _), v in zip(ingresses, viewers)))
    await asyncio.sleep(a.settle)
    before = scrape(a.metrics)
    cpu = CpuWindow(a.server_pid)
    pubs_cpu = [CpuWindow(p.pid) for p in procs]
    await asyncio.sleep(a.window)
    usage = cpu.stop()
    pub_cpu = sum(w.stop()["server_cpu_s"] for w in pubs_cpu)
    after = scrape(a.metrics)
    alive = sum(1 for p in procs if p.returncode is None)
    await asyncio.gather(*(stop(p) for p in procs))
    await asyncio.gather(*(v.close() for v in viewers))
    for iid, _ in ingresses:
        await lk.ingress.delete_ingress(api.DeleteIngressRequest(ingress_id=iid))
    wall = usage["wall_s"]
    d = lambda k: (after.get(k, 0.0) - before.get(k, 0.0)) / wall  # noqa: E731
    ingest_s = n * wall
    return {"phase": "density", "ingests": n, "live": sum(live), "publishers_alive": alive, "window_s": round(wall, 1),
            "server_cpu_s_per_ingest_s": usage["server_cpu_s"] / ingest_s,
            "codec_jobs_cpu_s_per_ingest_s": usage["children_cpu_s"] / ingest_s,
            "codec_jobs": usage["children"],
            "server_vcpu": usage["server_cpu_s"] / wall, "codec_jobs_vcpu": usage["children_cpu_s"] / wall,
            "publishers_vcpu": pub_cpu / wall,
            "rtp_in_per_s": d("hikari_rtp_packets_in_total"), "rtp_forwarded_per_s": d("hikari_rtp_packets_forwarded_total"),
            "mbit_out_per_s": d("hikari_bytes_out_total") * 8 / 1e6}


async def phase_idle(a) -> dict:
    cpu = CpuWindow(a.server_pid)
    await asyncio.sleep(min(10.0, a.window))
    u = cpu.stop()
    return {"phase": "idle", "server_vcpu": u["server_cpu_s"] / u["wall_s"], "window_s": round(u["wall_s"], 1)}


async def phase_transcode(a, lk: api.LiveKitAPI) -> dict:
    room = "bench-transcode"
    iid, pub = await create_ingress(lk, room, True)
    viewer = Viewer(a.url, room, decode=False)
    await viewer.join("viewer-transcode")
    proc = await start(copy_publisher(a.flv, pub, True, 600))
    live = await wait_live(lk, iid, viewer, 30)
    await asyncio.sleep(a.settle + 2)
    items = (await lk.ingress.list_ingress(api.ListIngressRequest(ingress_id=iid))).items
    layers = [[f"{layer.width}x{layer.height}" for layer in t.layers] for t in items[0].state.tracks if t.type == 1] if items else []
    cpu = CpuWindow(a.server_pid)
    await asyncio.sleep(a.window)
    u = cpu.stop()
    await stop(proc)
    await viewer.close()
    await lk.ingress.delete_ingress(api.DeleteIngressRequest(ingress_id=iid))
    return {"phase": "transcode", "live": live, "layers": layers, "window_s": round(u["wall_s"], 1), "codec_jobs": u["children"],
            "codec_job_cpu_s_per_media_s": u["children_cpu_s"] / u["wall_s"], "server_cpu_s_per_media_s": u["server_cpu_s"] / u["wall_s"]}


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="ws://10.77.0.1:7880")
    ap.add_argument("--metrics", default="http://10.77.0.1:7889/metrics")
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("--flv", required=True, help="the pre-encoded 720p30 file")
    ap.add_argument("--hls-rtmp", default="rtmp://127.0.0.1:19350/live/stream")
    ap.add_argument("--hls-playlist", default="http://127.0.0.1:18080/hls/stream.m3u8")
    ap.add_argument("--phases", default="latency g2g density transcode")
    ap.add_argument("--latency-seconds", type=float, default=60)
    ap.add_argument("--g2g-paths", default="passthrough transcoded nginx")
    ap.add_argument("--g2g-seconds", type=float, default=26)
    ap.add_argument("--hls-seconds", type=float, default=45)
    ap.add_argument("--density", default="1 4 8")
    ap.add_argument("--window", type=float, default=20)
    ap.add_argument("--settle", type=float, default=3)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    phases = a.phases.split()
    lk = api.LiveKitAPI(a.url.replace("ws://", "http://"), "devkey", "secret")
    results: list[dict] = []

    def emit(r: dict) -> None:
        results.append(r)
        print("RESULT " + json.dumps(r), flush=True)

    t0 = time.monotonic()
    try:
        if "latency" in phases:
            emit(await phase_latency(a, lk))
        if "g2g" in phases:
            paths = a.g2g_paths.split()
            if "passthrough" in paths:
                emit({"phase": "g2g", "path": "hikari-passthrough", **await g2g.hikari(lk, a.url, a.server_pid, False, a.g2g_seconds)})
            if "transcoded" in paths:
                emit({"phase": "g2g", "path": "hikari-transcoded", **await g2g.hikari(lk, a.url, a.server_pid, True, a.g2g_seconds)})
            if a.hls_rtmp and "nginx" in paths:
                emit({"phase": "g2g", "path": "nginx-hls", **await g2g.nginx_hls(a.hls_rtmp, a.hls_playlist, a.hls_seconds)})
        if "density" in phases:
            emit(await phase_idle(a))
            for n in (int(x) for x in a.density.split()):
                emit(await phase_density(a, lk, n))
        if "transcode" in phases:
            emit(await phase_transcode(a, lk))
    finally:
        await lk.aclose()
        print(f"bench-ingest: {len(results)} results in {time.monotonic() - t0:.0f} s", flush=True)
        if a.out:
            with open(a.out, "w") as f:
                for r in results:
                    f.write(json.dumps(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
