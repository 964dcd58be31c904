"""Concurrent track recordings against one server vCPU (issue 14; bench/egress/run.sh).

A Python SDK participant publishes a VP8 camera (640x360, 30 fps, the SDK's encoder) and an
Opus microphone. For each step N (0 first: the publisher alone), N track egresses start, half
on each track (several recordings of one track cost what recordings of as many tracks would:
each is its own sink leg, batch queue, muxer and file), the server's CPU (utime+stime from
/proc) is measured over the window, then every recording is stopped and checked: COMPLETE,
its duration within 1.5 s of the window it ran, and its frames as the server's log counts
them. The server's hikari_sink_packets_dropped_total must not move; its RSS is read with the
recordings running.

Prints one RESULT line per step.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import time
import urllib.request
import uuid

import numpy as np
from livekit import api, rtc

KEY, SECRET = "devkey", "secret"
HZ = os.sysconf("SC_CLK_TCK")
W, H, FPS = 640, 360, 30


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def metric(url: str, name: str) -> float:
    with urllib.request.urlopen(url, timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


async def publish(room: rtc.Room, codec: int = rtc.VideoCodec.VP8) -> tuple[dict, list[asyncio.Task]]:
    """Publishes a 440 Hz tone and a moving pattern (W x H, FPS, `codec`) in real time."""
    audio = rtc.AudioSource(48000, 1)
    video = rtc.VideoSource(W, H)
    mic = await room.local_participant.publish_track(rtc.LocalAudioTrack.create_audio_track("mic", audio),
                                                     rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
    cam = await room.local_participant.publish_track(
        rtc.LocalVideoTrack.create_video_track("cam", video),
        rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA, video_codec=codec, simulcast=False))

    async def audio_loop():
        n, t0 = 0, time.monotonic()
        while True:
            frame = rtc.AudioFrame.create(48000, 1, 480)
            idx = np.arange(n, n + 480)
            np.frombuffer(frame.data, dtype=np.int16)[:] = (6000 * np.sin(2 * np.pi * 440 * idx / 48000)).astype(np.int16)
            await audio.capture_frame(frame)
            n += 480
            ahead = t0 + n / 48000 - time.monotonic()
            if ahead > 0:
                await asyncio.sleep(ahead)

    async def video_loop():
        rng = np.random.default_rng(1)
        base = rng.integers(0, 255, (H, W * 2, 4), dtype=np.uint8)
        base[:, :, 3] = 255
        i, t0 = 0, time.monotonic()
        while True:
            shift = (i * 6) % W
            video.capture_frame(rtc.VideoFrame(W, H, rtc.VideoBufferType.RGBA, np.ascontiguousarray(base[:, shift:shift + W]).tobytes()))
            i += 1
            ahead = t0 + i / FPS - time.monotonic()
            if ahead > 0:
                await asyncio.sleep(ahead)

    return {"audio": mic.sid, "video": cam.sid}, [asyncio.create_task(audio_loop()), asyncio.create_task(video_loop())]


def frames_logged(log: str, ids: set[str]) -> dict[str, tuple[int, int]]:
    out = {}
    pat = re.compile(r"egress=(EG_\w+) packets=(\d+) frames=(\d+) dropped_frames=(\d+)")
    with open(log, errors="replace") as f:
        for line in f:
            m = pat.search(line)
            if m and m.group(1) in ids:
                out[m.group(1)] = (int(m.group(3)), int(m.group(4)))
    return out


async def step(lk, room_name: str, sids: dict, n: int, window: float, pid: int, metrics: str, log: str) -> dict:
    ids = []
    for i in range(n):
        sid = sids["audio" if i % 2 else "video"]
        info = await lk.egress.start_track_egress(api.TrackEgressRequest(
            room_name=room_name, track_id=sid, file=api.DirectFileOutput(filepath=f"bench/{n}/{i}-{{track_type}}")))
        ids.append(info.egress_id)
    deadline = time.monotonic() + 15
    while n and time.monotonic() < deadline:
        items = (await lk.egress.list_egress(api.ListEgressRequest(room_name=room_name, active=True))).items
        if sum(i.status == api.EgressStatus.EGRESS_ACTIVE for i in items) == n:
            break
        await asyncio.sleep(0.2)
    drops0 = metric(metrics, "hikari_sink_packets_dropped_total")
    rss = rss_mb(pid)
    c0, t0 = cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(window)
    cpu = (cpu_seconds(pid) - c0) / (time.monotonic() - t0)
    drops = metric(metrics, "hikari_sink_packets_dropped_total") - drops0
    for eid in ids:
        await lk.egress.stop_egress(api.StopEgressRequest(egress_id=eid))
    done = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done = [(await lk.egress.list_egress(api.ListEgressRequest(egress_id=e))).items[0] for e in ids]
        if all(d.status >= api.EgressStatus.EGRESS_COMPLETE for d in done):
            break
        await asyncio.sleep(0.3)
    complete = sum(d.status == api.EgressStatus.EGRESS_COMPLETE for d in done)
    durations = [d.file_results[0].duration / 1e9 for d in done if d.file_results]
    short = sum(dur < window - 1.5 for dur in durations)
    await asyncio.sleep(0.5)
    logged = frames_logged(log, set(ids))
    dropped_frames = sum(v[1] for v in logged.values())
    frames = sum(v[0] for v in logged.values())
    size = sum(d.file_results[0].size for d in done if d.file_results)
    return {"recordings": n, "server_cpu": round(cpu, 3), "sink_drops": int(drops), "complete": complete,
            "shorter_than_window": short, "frames": frames, "dropped_frames": dropped_frames,
            "mbytes_written": round(size / 1e6, 1), "window_s": window, "server_rss_mb": round(rss, 1)}


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--steps", default="0,10,50,100")
    ap.add_argument("--window", type=float, default=20)
    args = ap.parse_args()
    http = args.url.replace("ws://", "http://")
    room_name = f"bench-{uuid.uuid4().hex[:6]}"
    lk = api.LiveKitAPI(http, KEY, SECRET)
    room = rtc.Room()
    grants = api.VideoGrants(room_join=True, room=room_name)
    await room.connect(args.url, api.AccessToken(KEY, SECRET).with_identity("presenter").with_grants(grants).to_jwt())
    sids, tasks = await publish(room)
    ok = True
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            people = (await lk.room.list_participants(api.ListParticipantsRequest(room=room_name))).participants
            if len([t for p in people for t in p.tracks if t.mime_type]) >= 2:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)
        baseline = None
        for n in [int(s) for s in args.steps.split(",")]:
            r = await step(lk, room_name, sids, n, args.window, args.server_pid, args.metrics, args.log)
            if n == 0:
                baseline = r["server_cpu"]
            elif baseline is not None:
                per = (r["server_cpu"] - baseline) / n
                r["cpu_per_recording_pct"] = round(100 * per, 3)
                r["recordings_per_vcpu"] = round(1 / per) if per > 0 else None
            print("RESULT " + json.dumps(r), flush=True)
            ok &= r["sink_drops"] == 0 and r["complete"] == n and r["shorter_than_window"] == 0
    finally:
        for t in tasks:
            t.cancel()
        await room.disconnect()
        await lk.aclose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
