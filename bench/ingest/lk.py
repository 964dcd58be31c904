"""Shared pieces of the ingest bench: ingresses (livekit-api), a Python SDK viewer, the server's
Prometheus histogram and the CPU time of processes from /proc.
"""

from __future__ import annotations

import asyncio
import os
import time
import urllib.request
import warnings

import numpy as np
from livekit import api, rtc

from stamp import Samples, now_ms, y_plane_of

API_KEY = os.environ.get("HIKARI_API_KEY", "devkey")
API_SECRET = os.environ.get("HIKARI_API_SECRET", "secret")
HZ = os.sysconf("SC_CLK_TCK")
warnings.filterwarnings("ignore", message=".*HMAC key.*")


def token(identity: str, room: str) -> str:
    grants = api.VideoGrants(room_join=True, room=room, can_subscribe=True, can_publish=False)
    return api.AccessToken(API_KEY, API_SECRET).with_identity(identity).with_grants(grants).to_jwt()


async def create_ingress(lk: api.LiveKitAPI, room: str, transcode: bool) -> tuple[str, str]:
    """An RTMP ingress into `room`; returns (ingress id, publish URL = url/stream_key)."""
    req = api.CreateIngressRequest(input_type=api.IngressInput.RTMP_INPUT, name=f"bench {room}",
                                   room_name=room, participant_identity=f"enc-{room}", participant_name="Encoder")
    if transcode:
        req.enable_transcoding = True
    info = await lk.ingress.create_ingress(req)
    return info.ingress_id, f"{info.url}/{info.stream_key}"


async def wait_publishing(lk: api.LiveKitAPI, ingress_id: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = (await lk.ingress.list_ingress(api.ListIngressRequest(ingress_id=ingress_id))).items
        if items and items[0].state.status == api.IngressState.ENDPOINT_PUBLISHING:
            return True
        await asyncio.sleep(0.25)
    return False


async def wait_live(lk: api.LiveKitAPI, ingress_id: str, viewer: "Viewer", timeout: float) -> bool:
    """The ingress says publishing and the viewer has its video track."""
    if not await wait_publishing(lk, ingress_id, timeout):
        return False
    try:
        await asyncio.wait_for(asyncio.shield(viewer.subscribed), timeout)
    except asyncio.TimeoutError:
        return False
    return True


class Viewer:
    """A Python SDK participant in one room: counts decoded video frames, and reads stamps when
    `samples` is given (receive time = when the decoded frame reaches Python)."""

    def __init__(self, url: str, room: str, samples: Samples | None = None, decode: bool = True) -> None:
        self.url, self.room_name, self.samples, self.decode = url, room, samples, decode
        self.room = rtc.Room()
        self.frames = 0
        self.first_frame = asyncio.get_running_loop().create_future()
        self.subscribed = asyncio.get_running_loop().create_future()
        self.tasks: list[asyncio.Task] = []

        @self.room.on("track_subscribed")
        def _on(track: rtc.Track, _pub, _p) -> None:
            if track.kind == rtc.TrackKind.KIND_VIDEO:
                if not self.subscribed.done():
                    self.subscribed.set_result(time.monotonic())
                if self.decode:
                    self.tasks.append(asyncio.create_task(self._watch(track)))

    async def _watch(self, track: rtc.Track) -> None:
        async for ev in rtc.VideoStream(track, format=rtc.VideoBufferType.I420):
            received = now_ms()
            self.frames += 1
            if not self.first_frame.done():
                self.first_frame.set_result(time.monotonic())
            if self.samples is not None:
                f = ev.frame
                plane = f.get_plane(0)
                if plane is not None:
                    self.samples.add(y_plane_of(plane, f.width, f.height), received)

    async def join(self, name: str) -> None:
        await self.room.connect(self.url, token(name, self.room_name))

    async def close(self) -> None:
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.room.disconnect()


# --- the server's metrics page ------------------------------------------------------------

def scrape(metrics_url: str) -> dict[str, float]:
    with urllib.request.urlopen(metrics_url, timeout=5) as r:
        text = r.read().decode()
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            try:
                out[name] = float(value)
            except ValueError:
                pass
    return out


def histogram_delta(before: dict[str, float], after: dict[str, float], name: str) -> dict:
    """Quantiles of a Prometheus histogram over the interval between two scrapes. A quantile is
    the upper bound of the bucket holding it: the smallest `le` whose cumulative count reaches
    q x total (a bound, not an interpolation)."""
    prefix = f'{name}_bucket{{le="'
    bounds = sorted((k[len(prefix):-2], after[k] - before.get(k, 0.0)) for k in after if k.startswith(prefix))
    bounds = sorted(bounds, key=lambda b: float("inf") if b[0] == "+Inf" else float(b[0]))
    total = after.get(f"{name}_count", 0.0) - before.get(f"{name}_count", 0.0)
    total_s = after.get(f"{name}_sum", 0.0) - before.get(f"{name}_sum", 0.0)
    out = {"count": int(total), "mean_ms": (1000 * total_s / total) if total else None,
           "buckets": {le: int(c) for le, c in bounds}}
    for q in (0.5, 0.9, 0.99, 0.999):
        le = next((b for b, c in bounds if total and c >= q * total), None)
        out[f"p{q * 100:g}_le_ms"] = None if le is None else ("inf" if le == "+Inf" else float(le) * 1000)
    return out


# --- CPU time from /proc ------------------------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    return s[s.rindex(")") + 2 :].split()  # fields from 3 (state) on


def cpu_ticks(pid: int) -> tuple[int, int]:
    """(utime+stime, cutime+cstime) of a process, in clock ticks."""
    f = _stat(pid)
    if f is None:
        return (0, 0)
    return (int(f[11]) + int(f[12]), int(f[13]) + int(f[14]))


def children(pid: int) -> dict[int, str]:
    """Live child processes of `pid`: pid -> command name."""
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            f = _stat(int(d))
            if f is not None and int(f[1]) == pid:
                try:
                    with open(f"/proc/{d}/comm") as c:
                        out[int(d)] = c.read().strip()
                except OSError:
                    pass
    return out


class CpuWindow:
    """CPU seconds of a server process and of its child processes (its ffmpeg codec jobs) over
    a window: children alive at the end count from their start or the window's start; children
    that ended inside it count through the server's cutime."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.t0 = time.monotonic()
        self.own0, self.reaped0 = cpu_ticks(pid)
        self.kids0 = {c: cpu_ticks(c)[0] for c in children(pid)}

    def stop(self) -> dict:
        wall = time.monotonic() - self.t0
        own1, reaped1 = cpu_ticks(self.pid)
        kids1 = {c: cpu_ticks(c)[0] for c in children(self.pid)}
        kids = sum(t - self.kids0.get(c, 0) for c, t in kids1.items()) + (reaped1 - self.reaped0)
        return {"wall_s": wall, "server_cpu_s": (own1 - self.own0) / HZ, "children_cpu_s": kids / HZ,
                "children": len(kids1)}


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q)) if values else float("nan")
