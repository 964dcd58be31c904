"""The CPU of one room composite (a 720p30 grid of four) beside plain ffmpeg doing the same
work (issue 14; bench/composite/run.sh).

Four Python SDK participants publish a VP8 camera each (640x360, 30 fps, a moving test
pattern with temporal noise, up to 1 Mbit/s) and an Opus microphone (a tone, one pitch per
participant). Measured, each over the same window (30 s):

  baseline   the server with the four publishers and nothing else
  composite  the server with one StartRoomCompositeEgress (grid, LiveKit's default encoding
             H264_720P_30: 1280x720, 30 fps, 3 Mbit/s; Opus 128 kbit/s; an MP4 file), once
             ACTIVE and its ten ffmpeg children (4 video decoders, 4 audio decoders, the H.264
             and the Opus encoder) running; afterwards it is stopped and must COMPLETE with a
             file ffprobe reads as H.264 1280x720 + Opus, its duration within 1.5 s of the
             time recorded
  peer       one ffmpeg doing the same composite from four VP8 + Opus files made beforehand
             from the same pictures (read with -re, so in real time): decode, scale into the
             same 618x346 tiles, xstack on the same 1280x720 canvas, amix, x264 with the
             server's options, libopus, MP4
  peer_decode the same without the encoders (the filter graph into -f null): the decode,
             scale and compose floor
  peer_720p_inputs, peer_decode_720p_inputs (--peer-720p 1, the default): the same two
             with four 1280x720 inputs (1.7 Mbit/s), as a camera's top simulcast layer (the
             layer the composite's sinks take) would give them

Also checked and reported: the publishers' sent frame rate, size and CPU; the file's video
gaps, frame rate and audio (Opus bit rate, share of silent 20 ms blocks); the namespace's UDP
receive-buffer drops (/proc/net/snmp) and the sockets that dropped (/proc/net/udp); a job that
ended with an error in the server's log ("composite ended ... outcome=Err").

CPU of the server = utime+stime of the hikari process (all threads) + cutime+cstime (every
child it has reaped: an ffmpeg child that ended, its whole life) + utime+stime+cutime+cstime
of every live descendant (zombies included), read at the start and the end of the window;
the difference over the window's wall time, in cores. (cutime alone would miss the live
children, which the kernel adds to it only once reaped.) A child alive at the start and ended
before the end is counted exactly (its whole life is in cutime at the end, its part before
the window in the live sum at the start); a child born in the window counts from zero. The
snapshot is retried when the server reaped a child while it was being taken. The split by
component (ffmpeg children by their command line, hikari's threads by name) polls every
0.5 s, so a child that ended inside the window loses at most its last 0.5 s; the rest is
shown as "unsplit".

Prints one RESULT line (JSON) per measurement and a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time
import uuid

import numpy as np
from livekit import api, rtc
from livekit.rtc._proto import stats_pb2

KEY, SECRET = "devkey", "secret"
HZ = os.sysconf("SC_CLK_TCK")
W, H, FPS = 640, 360, 30
FRAME = W * H * 3 // 2
LOOP_FRAMES = 300  # 10 s of pictures, played in a loop; each participant starts elsewhere in it
TONES = [330, 440, 550, 660]
CANVAS = (1280, 720)
# The grid of four on 1280x720 (crates/media/compose/src/layout.rs: gap 8, 618x346 cells,
# the grid centred): the tiles' top-left corners.
TILE = (618, 346)
TILE_XY = [(18, 10), (644, 10), (18, 364), (644, 364)]
BG = "0x111111"
# The server's encoder options (crates/media/codec/src/args.rs) for H264_720P_30.
X264 = ["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-profile:v", "baseline", "-bf", "0",
        "-b:v", "3000000", "-maxrate", "3000000", "-bufsize", "3000000", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
        "-force_key_frames", "expr:gte(t,n_forced*2)"]
OPUS = ["-c:a", "libopus", "-ar", "48000", "-ac", "2", "-b:a", "128000", "-frame_duration", "20", "-application", "lowdelay"]


# ---------------------------------------------------------------- CPU of a process tree

def read_stat(pid: int) -> tuple[str, int, int, int] | None:
    """(comm, ppid, own ticks, reaped children's ticks) of `pid`, None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    comm = s[s.index("(") + 1:s.rindex(")")]
    x = s.rsplit(")", 1)[1].split()
    return comm, int(x[1]), int(x[11]) + int(x[12]), int(x[13]) + int(x[14])


def cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def descendants(root: int) -> dict[int, tuple[str, int, int, int]]:
    """Every descendant of `root` with its stat."""
    stats = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = read_stat(int(d))
            if st:
                stats[int(d)] = st
    out, frontier = {}, {root}
    while frontier:
        nxt = {p for p, st in stats.items() if st[1] in frontier and p not in out}
        for p in nxt:
            out[p] = stats[p]
        frontier = nxt
    return out


def tree_ticks(root: int) -> tuple[int, dict[int, int]]:
    """Ticks of `root` and all its descendants, alive or reaped; and each live descendant's own."""
    for _ in range(5):
        before = read_stat(root)
        if before is None:
            raise RuntimeError(f"process {root} is gone")
        kids = descendants(root)
        after = read_stat(root)
        if after is not None and after[3] == before[3]:
            return after[2] + after[3] + sum(k[2] + k[3] for k in kids.values()), {p: k[2] + k[3] for p, k in kids.items()}
    return after[2] + after[3] + sum(k[2] + k[3] for k in kids.values()), {p: k[2] + k[3] for p, k in kids.items()}


def child_class(args: list[str]) -> str:
    a = " ".join(args)
    if "libx264" in a:
        return "ffmpeg_h264_encoder"
    if "libopus" in a:
        return "ffmpeg_opus_encoder"
    if "-c:v rawvideo" in a:
        return "ffmpeg_video_decoders"
    if "pcm_s16le" in a:
        return "ffmpeg_audio_decoders"
    return "other_children" if args else "unknown_children"


def thread_class(comm: str) -> str:
    if comm.startswith("compose-"):
        return "hikari_compose_thread"
    if comm.startswith("egress-"):
        return "hikari_packaging_thread"
    return "hikari_other_threads"


def threads(root: int) -> dict[int, tuple[str, int]]:
    out = {}
    try:
        tids = os.listdir(f"/proc/{root}/task")
    except OSError:
        return out
    for t in tids:
        try:
            with open(f"/proc/{root}/task/{t}/stat") as f:
                s = f.read()
        except OSError:
            continue
        x = s.rsplit(")", 1)[1].split()
        out[int(t)] = (s[s.index("(") + 1:s.rindex(")")], int(x[11]) + int(x[12]))
    return out


async def measure(root: int, window: float, split: bool = True) -> dict:
    """The tree's CPU over `window` seconds (exact), and a split by component (polled)."""
    first_kids: dict[int, int] = {}
    first_threads: dict[int, int] = {}
    last: dict[tuple[str, int], tuple[str, int]] = {}  # (kind, id) -> (class, last ticks)
    classes: dict[int, str] = {}
    max_children = 0

    def poll(first: bool) -> None:
        nonlocal max_children
        kids = descendants(root)
        max_children = max(max_children, len(kids))
        for p, st in kids.items():
            if p not in classes:
                classes[p] = child_class(cmdline(p))
            ticks = st[2] + st[3]
            if first:
                first_kids[p] = ticks
            last[("p", p)] = (classes[p], ticks)
        for t, (comm, ticks) in threads(root).items():
            if first:
                first_threads[t] = ticks
            last[("t", t)] = (thread_class(comm), ticks)

    c0, _ = tree_ticks(root)
    t0 = time.monotonic()
    if split:
        poll(True)
    while time.monotonic() - t0 < window:
        await asyncio.sleep(min(0.5, max(0.0, window - (time.monotonic() - t0))))
        if split:
            poll(False)
    c1, _ = tree_ticks(root)
    dt = time.monotonic() - t0
    total = (c1 - c0) / HZ / dt
    out = {"cores": round(total, 3), "window_s": round(dt, 2)}
    if split:
        parts: dict[str, float] = {}
        for (kind, ident), (cls, ticks) in last.items():
            base = (first_kids if kind == "p" else first_threads).get(ident, 0)
            parts[cls] = parts.get(cls, 0.0) + (ticks - base) / HZ / dt
        out["parts"] = {k: round(v, 3) for k, v in sorted(parts.items())}
        out["unsplit"] = round(total - sum(parts.values()), 3)
        out["max_children"] = max_children
    return out


# ---------------------------------------------------------------- pictures and peer inputs

def make_pictures(workdir: str) -> np.ndarray:
    """LOOP_FRAMES I420 pictures: testsrc2 (moving) with temporal noise, as a camera gives."""
    path = os.path.join(workdir, "loop.yuv")
    if not os.path.exists(path) or os.path.getsize(path) != FRAME * LOOP_FRAMES:
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=s={W}x{H}:r={FPS},noise=alls=8:allf=t",
                        "-frames:v", str(LOOP_FRAMES), "-pix_fmt", "yuv420p", "-f", "rawvideo", path], check=True, timeout=120)
    return np.fromfile(path, np.uint8).reshape(LOOP_FRAMES, FRAME)


def offset(i: int) -> int:
    return i * LOOP_FRAMES // 4


def make_peer_inputs(workdir: str, pics: np.ndarray, seconds: float) -> list[dict]:
    """One VP8 (libvpx realtime, 1 Mbit/s) + Opus (the tone, mono 32 kbit/s) WebM per
    participant, the same pictures in the same order as it publishes (kept in `workdir`
    for the next run)."""
    out = []
    n = int(seconds * FPS)
    for i in range(4):
        path = os.path.join(workdir, f"peer-in-{i}-{seconds:.0f}s.webm")
        if not os.path.exists(path):
            p = subprocess.Popen(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{W}x{H}", "-r", str(FPS),
                                  "-i", "pipe:0", "-f", "lavfi", "-i", f"sine=frequency={TONES[i]}:sample_rate=48000", "-t", f"{seconds}",
                                  "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M", "-g", "3000", "-auto-alt-ref", "0",
                                  "-c:a", "libopus", "-b:a", "32k", "-ac", "1", path + ".tmp.webm"], stdin=subprocess.PIPE)
            try:
                for k in range(n):
                    p.stdin.write(pics[(offset(i) + k) % LOOP_FRAMES].data)
                p.stdin.close()
            except BrokenPipeError:
                pass
            if p.wait(timeout=300) != 0:
                raise RuntimeError(f"could not make {path}")
            os.rename(path + ".tmp.webm", path)
        info = probe(path)
        v = next((s for s in info["streams"] if s.get("codec_type") == "video"), {})
        out.append({"path": path, "video_kbps": round(int(v.get("bit_rate") or 0) / 1000) or round(8 * os.path.getsize(path) / info["duration"] / 1000)})
    return out


def make_720p_inputs(workdir: str, seconds: float) -> list[dict]:
    """Four 1280x720 VP8 (libvpx realtime, 1.7 Mbit/s: LiveKit's h720 layer) + Opus WebMs
    straight from testsrc2 with temporal noise (another seed each): what a camera's top
    simulcast layer gives the composite's decoders (its sinks take the top layer)."""
    out = []
    for i in range(4):
        path = os.path.join(workdir, f"peer-in-720p-{i}-{seconds:.0f}s.webm")
        if not os.path.exists(path):
            subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                            f"testsrc2=s=1280x720:r={FPS},noise=alls=8:allf=t:all_seed={i + 1}", "-f", "lavfi", "-i",
                            f"sine=frequency={TONES[i]}:sample_rate=48000", "-t", f"{seconds}",
                            "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1700k", "-g", "3000", "-auto-alt-ref", "0",
                            "-c:a", "libopus", "-b:a", "32k", "-ac", "1", path + ".tmp.webm"], check=True, timeout=600)
            os.rename(path + ".tmp.webm", path)
        info = probe(path)
        out.append({"path": path, "video_kbps": round(8 * os.path.getsize(path) / info["duration"] / 1000)})
    return out


def probe(path: str) -> dict:
    """Streams and duration; `nb_read_packets` counts each stream's packets (a fragmented MP4
    has no frame count in its header)."""
    r = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-show_entries",
                        "stream=codec_type,codec_name,width,height,nb_read_packets,bit_rate,start_time:format=duration",
                        "-of", "json", path], capture_output=True, text=True, timeout=60)
    info = json.loads(r.stdout or "{}")
    return {"streams": info.get("streams", []), "duration": float(info.get("format", {}).get("duration", 0) or 0)}


def peer_graph() -> str:
    tw, th = TILE
    parts = [f"[{i}:v]scale={tw}:{th}:force_original_aspect_ratio=decrease:force_divisible_by=2,pad={tw}:{th}:-1:-1:color={BG},setsar=1,format=yuv420p[v{i}]"
             for i in range(4)]
    (x0, y0) = TILE_XY[0]
    layout = "|".join(f"{x - x0}_{y - y0}" for x, y in TILE_XY)
    parts.append(f"[v0][v1][v2][v3]xstack=inputs=4:layout={layout}:fill={BG},pad={CANVAS[0]}:{CANVAS[1]}:{x0}:{y0}:color={BG},fps={FPS},format=yuv420p[v]")
    parts.append("[0:a][1:a][2:a][3:a]amix=inputs=4:normalize=0,aresample=48000,aformat=sample_fmts=s16:channel_layouts=stereo[a]")
    return ";".join(parts)


async def run_peer(inputs: list[dict], out: str | None, cpu: str, settle: float, window: float, log: str) -> dict:
    """The peer over `window` after `settle`; it ends on its own (-t)."""
    args = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "warning", "-nostats", "-y"]
    for i in inputs:
        args += ["-re", "-i", i["path"]]
    args += ["-filter_complex", peer_graph(), "-map", "[v]", "-map", "[a]", "-t", f"{settle + window + 3}"]
    args += (X264 + OPUS + ["-f", "mp4", out]) if out else ["-f", "null", "-"]
    # Unpinned: every CPU (this process itself runs on the publishers' CPU).
    args = ["taskset", "-c", cpu or f"0-{os.cpu_count() - 1}"] + args
    with open(log, "w") as lf:
        lf.write(" ".join(args) + "\n")
        lf.flush()
        p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=lf, stderr=lf)
        try:
            await asyncio.sleep(settle)
            if p.poll() is not None:
                raise RuntimeError(f"the peer ended early (status {p.returncode}); see {log}")
            m = await measure(p.pid, window, split=False)
            for _ in range(600):
                if p.poll() is not None:
                    break
                await asyncio.sleep(0.1)
        finally:
            if p.poll() is None:
                p.kill()
            p.wait()
    m["exit_status"] = p.returncode
    return m


# ---------------------------------------------------------------- publishers

class Publishers:
    """Four participants, each a VP8 camera and an Opus microphone, from one process."""

    def __init__(self, pics: np.ndarray) -> None:
        self.pics = pics
        self.rooms: list[rtc.Room] = []
        self.cams: list[rtc.VideoSource] = []
        self.mics: list[rtc.AudioSource] = []
        self.cam_tracks: list[rtc.LocalVideoTrack] = []
        self.tasks: list[asyncio.Task] = []
        self.late_frames = 0

    async def join(self, url: str, room_name: str) -> None:
        for i in range(4):
            room = rtc.Room()
            g = api.VideoGrants(room_join=True, room=room_name)
            await room.connect(url, api.AccessToken(KEY, SECRET).with_identity(f"p{i}").with_grants(g).to_jwt())
            mic, cam = rtc.AudioSource(48000, 1, queue_size_ms=1000), rtc.VideoSource(W, H)
            await room.local_participant.publish_track(rtc.LocalAudioTrack.create_audio_track("mic", mic),
                                                       rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
            track = rtc.LocalVideoTrack.create_video_track("cam", cam)
            await room.local_participant.publish_track(track, rtc.TrackPublishOptions(
                source=rtc.TrackSource.SOURCE_CAMERA, video_codec=rtc.VideoCodec.VP8, simulcast=False,
                video_encoding=rtc.VideoEncoding(max_bitrate=1_000_000, max_framerate=FPS)))
            self.rooms.append(room)
            self.mics.append(mic)
            self.cams.append(cam)
            self.cam_tracks.append(track)
        self.tasks = [asyncio.create_task(self._video())] + [asyncio.create_task(self._audio(i)) for i in range(4)]

    async def _video(self) -> None:
        k, t0 = 0, time.monotonic()
        while True:
            for i, cam in enumerate(self.cams):
                cam.capture_frame(rtc.VideoFrame(W, H, rtc.VideoBufferType.I420, self.pics[(offset(i) + k) % LOOP_FRAMES].data))
            k += 1
            ahead = t0 + k / FPS - time.monotonic()
            if ahead > 0:
                await asyncio.sleep(ahead)
            elif ahead < -0.1:
                self.late_frames += 1

    async def _audio(self, i: int) -> None:
        # One second of the tone (a whole number of periods), cut into 20 ms frames.
        tone = (6000 * np.sin(2 * np.pi * TONES[i] * np.arange(48000) / 48000)).astype(np.int16)
        n, t0 = 0, time.monotonic()
        while True:
            frame = rtc.AudioFrame.create(48000, 1, 960)
            np.frombuffer(frame.data, dtype=np.int16)[:] = tone[n % 48000:n % 48000 + 960]
            await self.mics[i].capture_frame(frame)
            n += 960
            ahead = t0 + n / 48000 - time.monotonic()
            if ahead > 0:
                await asyncio.sleep(ahead)

    async def stats(self) -> list[dict]:
        """Each camera's outbound RTP: resolution, frame rate, bytes sent, what limits it."""
        out = []
        for t in self.cam_tracks:
            row = {}
            try:
                for s in await t.get_stats():
                    if s.HasField("outbound_rtp"):
                        o = s.outbound_rtp
                        row = {"w": o.outbound.frame_width, "h": o.outbound.frame_height, "fps": round(o.outbound.frames_per_second, 1),
                               "bytes": o.sent.bytes_sent, "frames": o.outbound.frames_encoded,
                               "limited": stats_pb2.QualityLimitationReason.Name(o.outbound.quality_limitation_reason)}
            except Exception as e:  # noqa: BLE001
                row = {"error": str(e)[:100]}
            out.append(row)
        return out

    async def close(self) -> None:
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for r in self.rooms:
            await r.disconnect()


def publisher_summary(s0: list[dict], s1: list[dict], dt: float) -> dict:
    kbps = [round(8 * (b.get("bytes", 0) - a.get("bytes", 0)) / dt / 1000) for a, b in zip(s0, s1)]
    fps = [round((b.get("frames", 0) - a.get("frames", 0)) / dt, 1) for a, b in zip(s0, s1)]
    return {"publisher_kbps": kbps, "publisher_fps": fps, "publisher_size": [f"{b.get('w')}x{b.get('h')}" for b in s1],
            "publisher_limited": [b.get("limited") for b in s1]}


async def timed(pubs: Publishers, root: int, window: float, split: bool = True) -> dict:
    s0, t0, me0 = await pubs.stats(), time.monotonic(), read_stat(os.getpid())[2]
    m = await measure(root, window, split)
    dt = time.monotonic() - t0
    m["publishers_cores"] = round((read_stat(os.getpid())[2] - me0) / HZ / dt, 3)
    m.update(publisher_summary(s0, await pubs.stats(), dt))
    return m


# ---------------------------------------------------------------- the run

def udp_errors() -> dict[str, int]:
    """The namespace's UDP receive errors so far (/proc/net/snmp is per network namespace):
    a datagram dropped because a socket's buffer was full counts in RcvbufErrors."""
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Udp:")]
    got = dict(zip(rows[0][1:], map(int, rows[1][1:])))
    return {"in_errors": got.get("InErrors", 0), "rcvbuf_errors": got.get("RcvbufErrors", 0)}


def udp_delta(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: b[k] - a[k] for k in a}


def udp_socket_drops() -> list[str]:
    """The namespace's UDP sockets that dropped datagrams (/proc/net/udp, last column), as
    'address:port drops'."""
    out = []
    with open("/proc/net/udp") as f:
        for line in list(f)[1:]:
            x = line.split()
            if len(x) >= 13 and int(x[-1]) > 0:
                ip, port = x[1].split(":")
                addr = ".".join(str(b) for b in reversed(bytes.fromhex(ip)))
                out.append(f"{addr}:{int(port, 16)} {int(x[-1])}")
    return out


def video_gaps(path: str) -> list[str]:
    """Where the file's video skips frames (a step over 1.5 frames), as 'from->to s'."""
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time", "-of", "csv=p=0", path],
                       capture_output=True, text=True, timeout=120)
    ts = sorted(float(x.split(",")[0]) for x in r.stdout.split() if x.strip())
    return [f"{a:.3f}->{b:.3f}" for a, b in zip(ts, ts[1:]) if b - a > 1.5 / FPS]


def silent_share(path: str, start: float, seconds: float) -> float:
    """The share of 20 ms blocks of the first audio stream below -50 dBFS (RMS)."""
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-ss", f"{start}", "-t", f"{seconds}", "-i", path, "-map", "0:a:0",
                          "-f", "s16le", "-ac", "1", "-ar", "48000", "-"], capture_output=True, timeout=120).stdout
    x = np.frombuffer(raw, np.int16).astype(np.float64)
    if x.size < 960:
        return 1.0
    rms = np.sqrt((x[:x.size // 960 * 960].reshape(-1, 960) ** 2).mean(axis=1))
    return round(float((rms < 100).mean()), 3)


def log_lines(log: str, needle: str) -> list[str]:
    with open(log, errors="replace") as f:
        return [re.sub(r"\x1b\[[0-9;]*m", "", line.rstrip())[:400] for line in f if needle in line]


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("--log", required=True, help="the server's log")
    ap.add_argument("--recordings", required=True, help="the server's recordings directory")
    ap.add_argument("--workdir", required=True, help="outputs and logs of the peer")
    ap.add_argument("--cache", required=True, help="the pictures and the peer's inputs, kept between runs")
    ap.add_argument("--window", type=float, default=30)
    ap.add_argument("--settle", type=float, default=10, help="seconds before each window")
    ap.add_argument("--peer-cpu", default="0", help="CPU list for the peer ('' = unpinned)")
    ap.add_argument("--peer-720p", type=int, default=1, help="also the peer's decode with four 1280x720 inputs")
    ap.add_argument("--pinned", default="0", help="the server's CPU list, for the report ('' = unpinned)")
    args = ap.parse_args()
    results: list[dict] = []
    ok = True

    def result(r: dict) -> None:
        r["load"] = open("/proc/loadavg").read().split()[:3]
        r["server_cpus"] = args.pinned or "all"
        results.append(r)
        print("RESULT " + json.dumps(r), flush=True)

    os.makedirs(args.cache, exist_ok=True)
    pics = make_pictures(args.cache)
    t = time.monotonic()
    peer_inputs = make_peer_inputs(args.cache, pics, args.window + 15)
    print(f"=== peer inputs ready ({time.monotonic() - t:.0f} s): VP8 {[p['video_kbps'] for p in peer_inputs]} kbit/s", flush=True)

    http = args.url.replace("ws://", "http://")
    room_name = f"bench-{uuid.uuid4().hex[:6]}"
    lk = api.LiveKitAPI(http, KEY, SECRET)
    pubs = Publishers(pics)
    egress_id = None
    try:
        await pubs.join(args.url, room_name)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            people = (await lk.room.list_participants(api.ListParticipantsRequest(room=room_name))).participants
            if sum(1 for p in people for tr in p.tracks if tr.mime_type) >= 8:
                break
            await asyncio.sleep(0.3)
        else:
            print("FAIL publishers: 8 tracks not listed within 30 s", flush=True)
            return 1
        await asyncio.sleep(args.settle)  # the publishers' bandwidth estimate ramps up
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            sizes = [f"{x.get('w')}x{x.get('h')}" for x in await pubs.stats()]
            if all(z == f"{W}x{H}" for z in sizes):
                break
            await asyncio.sleep(1)
        else:
            print(f"WARN the publishers do not all send {W}x{H} after {args.settle + 30:.0f} s: {sizes}", flush=True)
        u0 = udp_errors()
        base = await timed(pubs, args.server_pid, args.window)
        base["udp_errors"] = udp_delta(u0, udp_errors())
        base["measure"] = "baseline"
        result(base)

        t_start = time.monotonic()
        u0 = udp_errors()
        info = await lk.egress.start_room_composite_egress(api.RoomCompositeEgressRequest(
            room_name=room_name, layout="grid", file_outputs=[api.EncodedFileOutput(filepath=f"bench/{room_name}.mp4")]))
        egress_id = info.egress_id
        deadline = time.monotonic() + 20
        status = None
        while time.monotonic() < deadline:
            status = (await lk.egress.list_egress(api.ListEgressRequest(egress_id=egress_id))).items[0]
            if status.status == api.EgressStatus.EGRESS_ACTIVE or status.status > api.EgressStatus.EGRESS_ENDING:
                break
            await asyncio.sleep(0.2)
        if status is None or status.status != api.EgressStatus.EGRESS_ACTIVE:
            print(f"FAIL composite_active: {status.status if status else None} {status.error if status else ''}", flush=True)
            return 1
        t_active = time.monotonic() - t_start
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(descendants(args.server_pid)) < 10:
            await asyncio.sleep(0.2)
        kids = {p: child_class(cmdline(p)) for p in descendants(args.server_pid)}
        print(f"=== composite {egress_id} ACTIVE after {t_active:.1f} s; server children: "
              f"{sorted(kids.values())}", flush=True)
        await asyncio.sleep(args.settle)
        uw = udp_errors()
        comp = await timed(pubs, args.server_pid, args.window)
        comp["udp_errors"] = udp_delta(uw, udp_errors())
        comp.update(measure="composite", egress_id=egress_id, cost_cores=round(comp["cores"] - base["cores"], 3))
        comp["udp_sockets_with_drops"] = udp_socket_drops()
        st = (await lk.egress.list_egress(api.ListEgressRequest(egress_id=egress_id))).items[0]
        comp["status_at_window_end"] = api.EgressStatus.Name(st.status)
        try:
            await lk.egress.stop_egress(api.StopEgressRequest(egress_id=egress_id))
        except api.TwirpError as e:
            print(f"FAIL composite_stop: {e.code}: {e.message}", flush=True)
            ok = False
        recorded = time.monotonic() - t_start
        done = None
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            done = (await lk.egress.list_egress(api.ListEgressRequest(egress_id=egress_id))).items[0]
            if done.status >= api.EgressStatus.EGRESS_COMPLETE:
                break
            await asyncio.sleep(0.3)
        comp["udp_errors_whole_composite"] = udp_delta(u0, udp_errors())
        comp["final_status"] = api.EgressStatus.Name(done.status) if done else None
        comp["error"] = done.error if done else ""
        complete = done is not None and done.status == api.EgressStatus.EGRESS_COMPLETE and len(done.file_results) == 1
        if complete:
            path = os.path.join(args.recordings, done.file_results[0].filename)
            pr = probe(path)
            v = next((s for s in pr["streams"] if s.get("codec_type") == "video"), {})
            a = next((s for s in pr["streams"] if s.get("codec_type") == "audio"), {})
            frames = int(v.get("nb_read_packets") or 0)
            comp.update(file=path, file_video=f"{v.get('codec_name')} {v.get('width')}x{v.get('height')}", file_audio=a.get("codec_name"),
                        file_duration_s=round(pr["duration"], 2), recorded_s=round(recorded, 2),
                        file_result_duration_s=round(done.file_results[0].duration / 1e9, 2),
                        file_fps=round(frames / pr["duration"], 2) if pr["duration"] else 0,
                        file_mbit_s=round(8 * os.path.getsize(path) / pr["duration"] / 1e6, 2) if pr["duration"] else 0,
                        video_gaps=video_gaps(path), audio_kbps=round(int(a.get("bit_rate") or 0) / 1000),
                        audio_silent_share=silent_share(path, 5, max(1.0, pr["duration"] - 10)), av_start_offset_ms=round(1000 * abs(float(v.get("start_time") or 0) - float(a.get("start_time") or 0)), 1))
            file_ok = (v.get("codec_name") == "h264" and (v.get("width"), v.get("height")) == CANVAS and a.get("codec_name") == "opus"
                       and abs(pr["duration"] - recorded) <= 1.5)
        else:
            file_ok = False
        comp["file_ok"] = file_ok
        await asyncio.sleep(0.5)
        comp["server_log_composite_ended"] = log_lines(args.log, "composite ended")[-1:]
        if any("outcome=Err" in line for line in comp["server_log_composite_ended"]):
            ok = False
            print(f"FAIL composite_outcome: the job failed ({comp['server_log_composite_ended'][0]}) "
                  f"but its EgressInfo says {comp['final_status']} error={comp['error']!r}", flush=True)
        result(comp)
        if comp.get("video_gaps"):
            print(f"WARN the composite's video skips frames at {comp['video_gaps']} s", flush=True)
        if not (complete and file_ok):
            ok = False
            print(f"FAIL composite_file: complete={complete} file_ok={file_ok}", flush=True)
        if args.pinned and comp["cores"] >= 0.9:
            print(f"WARN the server's CPU set ({args.pinned}) is nearly saturated ({comp['cores']} cores): "
                  "run unpinned (COMPOSITE_SERVER_CPU=) to see what the composite takes", flush=True)
    finally:
        await pubs.close()
        await lk.aclose()

    out = os.path.join(args.workdir, "peer.mp4")
    peer = await run_peer(peer_inputs, out, args.peer_cpu, 5, args.window, os.path.join(args.workdir, "peer.log"))
    pr = probe(out)
    v = next((s for s in pr["streams"] if s.get("codec_type") == "video"), {})
    a = next((s for s in pr["streams"] if s.get("codec_type") == "audio"), {})
    frames = int(v.get("nb_read_packets") or 0)
    peer.update(measure="peer", file_video=f"{v.get('codec_name')} {v.get('width')}x{v.get('height')}", file_audio=a.get("codec_name"),
                file_duration_s=round(pr["duration"], 2), file_fps=round(frames / pr["duration"], 2) if pr["duration"] else 0,
                file_mbit_s=round(8 * os.path.getsize(out) / pr["duration"] / 1e6, 2) if pr["duration"] else 0,
                input_vp8_kbps=[p["video_kbps"] for p in peer_inputs])
    result(peer)
    dec = await run_peer(peer_inputs, None, args.peer_cpu, 5, args.window, os.path.join(args.workdir, "peer-decode.log"))
    dec["measure"] = "peer_decode"
    result(dec)
    if args.peer_720p:
        big = make_720p_inputs(args.cache, args.window + 15)
        hd = await run_peer(big, os.path.join(args.workdir, "peer-720p.mp4"), args.peer_cpu, 5, args.window,
                            os.path.join(args.workdir, "peer-720p.log"))
        hd.update(measure="peer_720p_inputs", input_vp8_kbps=[x["video_kbps"] for x in big])
        result(hd)
        hdd = await run_peer(big, None, args.peer_cpu, 5, args.window, os.path.join(args.workdir, "peer-720p-decode.log"))
        hdd.update(measure="peer_decode_720p_inputs")
        result(hdd)

    r = {x["measure"]: x for x in results}
    b, c, p, d = r["baseline"], r["composite"], r["peer"], r["peer_decode"]
    cp = c.get("parts", {})
    dec_server = cp.get("ffmpeg_video_decoders", 0) + cp.get("ffmpeg_audio_decoders", 0)
    enc_server = cp.get("ffmpeg_h264_encoder", 0) + cp.get("ffmpeg_opus_encoder", 0)
    hik = sum(v for k, v in cp.items() if k.startswith("hikari_")) - sum(v for k, v in b.get("parts", {}).items() if k.startswith("hikari_"))
    print()
    print("| cores (CPU s per s) over 30 s | Hikari room composite | ffmpeg peer |")
    print("|---|---|---|")
    print(f"| whole composite (Hikari: server tree minus the publishers alone, {b['cores']}) | **{c['cost_cores']}** | **{p['cores']}** |")
    print(f"| decode + scale (+ compose) | {dec_server:.3f} (8 decoder children) | {d['cores']} (without the encoders) |")
    print(f"| encode (H.264 + Opus) | {enc_server:.3f} (x264 {cp.get('ffmpeg_h264_encoder', 0)}, Opus {cp.get('ffmpeg_opus_encoder', 0)}) | {p['cores'] - d['cores']:.3f} (difference) |")
    print(f"| Hikari process above the baseline (compose {cp.get('hikari_compose_thread', 0)}, packaging {cp.get('hikari_packaging_thread', 0)}) | {hik:.3f} | |")
    print(f"| publishers' frame rate in the window (sent, each) | {c.get('publisher_fps')} (baseline {b.get('publisher_fps')}) | |")
    print(f"| video gaps in the file; UDP receive-buffer drops in the namespace (composite's life) | {c.get('video_gaps')}; "
          f"{c.get('udp_errors_whole_composite', {}).get('rcvbuf_errors')} {c.get('udp_sockets_with_drops')} | |")
    print(f"| the file's audio: Opus kbit/s; 20 ms blocks below -50 dBFS | {c.get('audio_kbps')}; {c.get('audio_silent_share')} | |")
    print(f"| load average at the end of each window | {c['load'][0]} (baseline {b['load'][0]}) | {p['load'][0]} (decode only {d['load'][0]}) |")
    if "peer_decode_720p_inputs" in r:
        hd, hdd = r["peer_720p_inputs"], r["peer_decode_720p_inputs"]
        print(f"| with 1280x720 inputs (peer only: whole / decode only; Hikari estimated: its figure + the peer's extra decode) | "
              f"≈ {c['cost_cores'] + hdd['cores'] - d['cores']:.3f} | {hd['cores']} / {hdd['cores']} |")
    print(f"| output | {c.get('file_video')} + {c.get('file_audio')}, {c.get('file_fps')} fps, {c.get('file_mbit_s')} Mbit/s | "
          f"{p.get('file_video')} + {p.get('file_audio')}, {p.get('file_fps')} fps, {p.get('file_mbit_s')} Mbit/s |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
