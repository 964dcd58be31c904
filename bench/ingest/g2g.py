"""Glass-to-glass: stamped frames (stamp.py) encoded by ffmpeg (x264 zerolatency, no B-frames,
GOP 2 s) and published over RTMP; a reader decodes them and compares each frame's stamp with
the wall clock when the decoded frame reaches Python.

- Hikari: a Python SDK viewer (rtc.VideoStream, I420) in the ingress's room; passthrough or
  transcoded (enable_transcoding=True).
- The peer: nginx-rtmp writing HLS (2 s fragments), served by nginx over HTTP on 127.0.0.1;
  ffmpeg reads the playlist and writes gray rawvideo to a pipe. Two readers at once: one that
  takes each segment as soon as it is listed (the lower bound of any HLS player), one paced at
  real time (`-re`) from ffmpeg's default live start, three segments from the end (close to
  what a player such as hls.js does; it is not hls.js).
"""

from __future__ import annotations

import asyncio
import time
import urllib.request

from livekit import api

from lk import CpuWindow, Viewer, create_ingress
from stamp import FPS, HEIGHT, WIDTH, Generator, Samples, now_ms, y_plane_of


def publisher_args(url: str) -> list[str]:
    return ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
            "-use_wallclock_as_timestamps", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-s", f"{WIDTH}x{HEIGHT}", "-r", str(FPS), "-i", "-",
            "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-map", "0:v", "-map", "1:a", "-shortest",
            "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-bf", "0", "-g", "60",
            "-b:v", "1M", "-maxrate", "1M", "-bufsize", "1M", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2", "-f", "flv", url]


async def publish(url: str, seconds: float) -> Generator:
    proc = await asyncio.create_subprocess_exec(*publisher_args(url), stdin=asyncio.subprocess.PIPE)
    gen = Generator(proc)
    try:
        await asyncio.wait_for(gen.run(seconds), seconds + 30)
        await asyncio.wait_for(proc.wait(), 15)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
    return gen


async def hikari(lk: api.LiveKitAPI, url: str, server_pid: int, transcode: bool, seconds: float) -> dict:
    room = "bench-g2g-" + ("transcoded" if transcode else "passthrough")
    iid, pub = await create_ingress(lk, room, transcode)
    samples = Samples()
    viewer = Viewer(url, room, samples)
    await viewer.join(f"viewer-{room}")
    cpu = CpuWindow(server_pid)
    t0 = time.monotonic()
    gen = await publish(pub, seconds)
    usage = cpu.stop()
    await asyncio.sleep(1.0)
    await viewer.close()
    await lk.ingress.delete_ingress(api.DeleteIngressRequest(ingress_id=iid))
    out = samples.summary()
    out.update(generated=gen.frames, generator_late=gen.late, publish_s=round(time.monotonic() - t0, 1),
               server_cpu_per_s=usage["server_cpu_s"] / usage["wall_s"],
               codec_jobs_cpu_per_s=usage["children_cpu_s"] / usage["wall_s"])
    return out


async def _read_hls(args: list[str], samples: Samples, stop: asyncio.Event) -> None:
    proc = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.DEVNULL, stdin=asyncio.subprocess.DEVNULL)
    assert proc.stdout is not None
    size = WIDTH * HEIGHT
    try:
        while not stop.is_set():
            try:
                buf = await asyncio.wait_for(proc.stdout.readexactly(size), 1.0)
            except asyncio.TimeoutError:
                continue
            except asyncio.IncompleteReadError:
                break
            samples.add(y_plane_of(buf, WIDTH, HEIGHT), now_ms())
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


def _segments(playlist_url: str) -> int:
    try:
        with urllib.request.urlopen(playlist_url, timeout=2) as r:
            return sum(1 for line in r.read().decode().splitlines() if line and not line.startswith("#"))
    except OSError:
        return 0


async def nginx_hls(rtmp_url: str, playlist_url: str, seconds: float) -> dict:
    """Publish to nginx-rtmp; once the playlist lists three segments, start both readers."""
    reading = {"asap": Samples(), "paced": Samples()}
    stop = asyncio.Event()
    pub = asyncio.create_task(publish(rtmp_url, seconds))
    t0 = time.monotonic()
    while _segments(playlist_url) < 3 and time.monotonic() - t0 < 20 and not pub.done():
        await asyncio.sleep(0.2)
    listed_after = time.monotonic() - t0
    base = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error"]
    tail = ["-i", playlist_url, "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "gray", "-"]
    readers = [asyncio.create_task(_read_hls(base + tail, reading["asap"], stop)),
               asyncio.create_task(_read_hls(base + ["-re"] + tail, reading["paced"], stop))]
    gen = await pub
    # The paced reader runs about three segments behind: let it reach the end of the stream.
    await asyncio.sleep(12)
    stop.set()
    await asyncio.gather(*readers, return_exceptions=True)
    return {"generated": gen.frames, "generator_late": gen.late, "three_segments_listed_after_s": round(listed_after, 1),
            "asap": reading["asap"].summary(), "paced": reading["paced"].summary()}

