"""Broadcast ingest end to end: ffmpeg publishes over RTMP as OBS does (and over SRT), the official Python SDK
watches, the server SDK (livekit-api) manages the ingress and reads its state.

For each case (passthrough: x264 without B-frames; ladder: x264 with B-frames, as OBS sends,
which the server transcodes into a simulcast ladder):
  1. CreateIngress(RTMP_INPUT) gives an rtmp:// URL and a stream key; the state is inactive.
  2. A viewer (livekit rtc) joins the room; ffmpeg publishes 640x360 test video and a 440 Hz
     tone to URL/KEY.
  3. The viewer sees a participant of kind INGRESS, decodes its video at 640x360 and hears
     the tone at 440 Hz; ListIngress says publishing with the input's video size.
  4. ffmpeg stops: the state returns to inactive (RTMP ingresses are reusable), and the
     webhooks ingress_started and ingress_ended arrived (when --hooks is given).
  5. While publishing, the server's Prometheus page (--metrics) has the session's series: input
     bitrates, frame rate, keyframe interval (2 s), the path and the codec job's CPU.
Plus: a wrong stream key is refused (ffmpeg exits non-zero); DeleteIngress removes it.

Every wait is bounded; prints PASS/FAIL lines, METRIC lines and "LABEL: N passed, N failed".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import warnings

import numpy as np
from livekit import api, rtc

API_KEY = os.environ.get("HIKARI_API_KEY", "devkey")
API_SECRET = os.environ.get("HIKARI_API_SECRET", "secret")
SAMPLE_RATE = 48000
TONE_HZ = 440.0
WIDTH, HEIGHT = 640, 360
PUBLISH_S = 14
warnings.filterwarnings("ignore", message=".*HMAC key.*")


class Checks:
    def __init__(self, label: str) -> None:
        self.label = label
        self.passed = 0
        self.failed = 0

    def check(self, name: str, cond: bool, detail: str = "") -> bool:
        if cond:
            self.passed += 1
            print(f"PASS {name}" + (f"  ({detail})" if detail else ""), flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name}: {detail}", flush=True)
        return cond

    def metric(self, name: str, seconds: float) -> None:
        print(f"METRIC {self.label} {name} {seconds * 1000:.0f} ms", flush=True)


def token(identity: str, room: str) -> str:
    grants = api.VideoGrants(room_join=True, room=room, can_subscribe=True, can_publish=False)
    return api.AccessToken(API_KEY, API_SECRET).with_identity(identity).with_grants(grants).to_jwt()


def ffmpeg_args(url: str, x264: list[str], seconds: int, container: str = "flv") -> list[str]:
    return ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re",
            "-f", "lavfi", "-i", f"testsrc=size={WIDTH}x{HEIGHT}:rate=30",
            "-f", "lavfi", "-i", f"sine=frequency={TONE_HZ:.0f}:sample_rate=44100",
            "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast", "-g", "60",
            "-pix_fmt", "yuv420p", *x264, "-c:a", "aac", "-b:a", "128k", "-ac", "2",
            "-f", container, url]


async def run_ffmpeg(args: list[str], timeout: float) -> int:
    proc = await asyncio.create_subprocess_exec(*args, stdin=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.PIPE)
    try:
        _, err = await asyncio.wait_for(proc.communicate(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        return -1
    if proc.returncode != 0 and err:
        print(f"  ffmpeg: {err.decode(errors='replace').strip()[-300:]}", flush=True)
    return proc.returncode


def hooks_seen(path: str | None, ingress_id: str) -> list[str]:
    if not path or not os.path.exists(path):
        return []
    seen = []
    with open(path) as f:
        for line in f:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            body = event.get("body", event)
            if isinstance(body, str):
                try:
                    body = json.loads(body)
                except ValueError:
                    continue
            info = body.get("ingressInfo") or body.get("ingress_info") or {}
            if info.get("ingressId", info.get("ingress_id")) == ingress_id:
                seen.append(body.get("event", ""))
    return seen


def read_metrics(url: str, ingress_id: str) -> dict[str, float]:
    """The per-ingress series of /metrics for one ingress, by name."""
    import re
    import urllib.request
    with urllib.request.urlopen(url, timeout=5) as r:
        text = r.read().decode()
    out = {}
    for m in re.finditer(r'^(hikari_ingress_\w+)\{ingress="([^"]+)",input="(\w+)"\} (\S+)$', text, re.M):
        if m.group(2) == ingress_id:
            out[m.group(1)] = float(m.group(4))
            out["input:" + m.group(3)] = 1.0
    return out


async def wait_metrics(url: str, ingress_id: str, timeout: float) -> dict[str, float]:
    """Waits (bounded) until the session's report measured a video bitrate, two keyframes
    apart and the codec job's CPU. A report made soon after the start can hold only part of
    that (a CI run read one with no keyframe interval yet and ffmpeg's start-up burst as its
    frame rate), so this waits for one that has it all."""
    deadline = time.monotonic() + timeout
    seen: dict[str, float] = {}
    while time.monotonic() < deadline:
        seen = await asyncio.to_thread(read_metrics, url, ingress_id)
        if (seen.get("hikari_ingress_video_bitrate_bits_per_second", 0) > 0
                and seen.get("hikari_ingress_keyframe_interval_seconds", 0) > 0
                and seen.get("hikari_ingress_transcode_cpu_seconds_total", 0) > 0):
            break
        await asyncio.sleep(0.5)
    return seen


async def wait_status(lk: api.LiveKitAPI, ingress_id: str, status: int, timeout: float):
    deadline = time.monotonic() + timeout
    info = None
    while time.monotonic() < deadline:
        items = (await lk.ingress.list_ingress(api.ListIngressRequest(ingress_id=ingress_id))).items
        info = items[0] if items else None
        if info is not None and info.state.status == status:
            return info
        await asyncio.sleep(0.2)
    return info


async def late_viewer(c: Checks, url: str, name: str, room_name: str) -> None:
    """A viewer joining a transcoded ingress mid-stream asks for a keyframe, and the ladder's
    encoder makes one at once: its first frame comes well inside the 4 s keyframe interval."""
    room = rtc.Room()
    first = asyncio.get_running_loop().create_future()
    tasks: list[asyncio.Task] = []

    async def watch(track: rtc.Track) -> None:
        async for _ in rtc.VideoStream(track):
            if not first.done():
                first.set_result(time.monotonic())

    @room.on("track_subscribed")
    def on_track(track: rtc.Track, _pub, _participant) -> None:
        if track.kind == rtc.TrackKind.KIND_VIDEO:
            tasks.append(asyncio.create_task(watch(track)))

    try:
        await room.connect(url, token(f"late-{name}", room_name))
        joined = time.monotonic()
        try:
            waited = await asyncio.wait_for(first, 10) - joined
        except asyncio.TimeoutError:
            waited = None
        if waited is not None:
            c.metric(f"{name}_late_viewer_first_frame", waited)
        c.check(f"{name}_late_viewer_gets_a_keyframe_at_once", waited is not None and waited < 1.5,
                f"first frame {waited if waited is None else round(waited, 3)} s after joining")
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await room.disconnect()


async def case(c: Checks, lk: api.LiveKitAPI, url: str, name: str, x264: list[str], hooks: str | None, srt: bool = False,
               metrics: str | None = None) -> None:
    room_name = f"webinar-{name}"
    info = await lk.ingress.create_ingress(api.CreateIngressRequest(
        input_type=api.IngressInput.RTMP_INPUT, name=f"OBS {name}", room_name=room_name,
        participant_identity=f"obs-{name}", participant_name="Host (OBS)"))
    c.check(f"{name}_created", info.url.startswith("rtmp://") and len(info.stream_key) >= 16
            and info.state.status == api.IngressState.ENDPOINT_INACTIVE,
            f"url={info.url} key={len(info.stream_key)} chars status={info.state.status}")

    room = rtc.Room()
    video_frames: dict[tuple[int, int], int] = {}
    audio: list[np.ndarray] = []
    got = {"video": asyncio.get_running_loop().create_future(), "audio": asyncio.get_running_loop().create_future()}
    kinds: dict[str, int] = {}

    async def watch_video(track: rtc.Track) -> None:
        async for ev in rtc.VideoStream(track):
            key = (ev.frame.width, ev.frame.height)
            video_frames[key] = video_frames.get(key, 0) + 1
            if video_frames.get((WIDTH, HEIGHT), 0) >= 60 and not got["video"].done():
                got["video"].set_result(time.monotonic())

    async def watch_audio(track: rtc.Track) -> None:
        n = 0
        async for ev in rtc.AudioStream(track, sample_rate=SAMPLE_RATE, num_channels=1):
            s = np.frombuffer(bytes(ev.frame.data), np.int16)
            n += 1
            if n > 100 and sum(len(a) for a in audio) < SAMPLE_RATE:  # after 1 s, keep 1 s
                audio.append(s.copy())
            elif sum(len(a) for a in audio) >= SAMPLE_RATE and not got["audio"].done():
                got["audio"].set_result(time.monotonic())

    tasks: list[asyncio.Task] = []

    @room.on("track_subscribed")
    def on_track(track: rtc.Track, _pub, participant: rtc.RemoteParticipant) -> None:
        kinds[participant.identity] = participant.kind
        if track.kind == rtc.TrackKind.KIND_VIDEO:
            tasks.append(asyncio.create_task(watch_video(track)))
        else:
            tasks.append(asyncio.create_task(watch_audio(track)))

    await room.connect(url, token(f"viewer-{name}", room_name))
    started = time.monotonic()
    if srt:
        # Hikari's extension: an RTMP ingress also takes SRT, its key as the stream id.
        host = info.url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]
        target = ffmpeg_args(f"srt://{host}:9710?streamid={info.stream_key}", x264, PUBLISH_S, "mpegts")
    else:
        target = ffmpeg_args(f"{info.url}/{info.stream_key}", x264, PUBLISH_S)
    publish = asyncio.create_task(run_ffmpeg(target, PUBLISH_S + 30))
    try:
        done, _ = await asyncio.wait([got["video"], got["audio"]], timeout=PUBLISH_S)
        c.check(f"{name}_ingress_participant", kinds.get(f"obs-{name}") == rtc.ParticipantKind.PARTICIPANT_KIND_INGRESS,
                f"kinds={kinds}")
        if got["video"].done():
            c.metric(f"{name}_first_60_frames_at_640x360", got["video"].result() - started)
        c.check(f"{name}_video_decoded_at_published_size", video_frames.get((WIDTH, HEIGHT), 0) >= 60,
                f"frames by size={video_frames}")
        if got["audio"].done():
            x = np.concatenate(audio).astype(np.float64)
            spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
            freqs = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
            spec[freqs < 50] = 0
            peak = float(freqs[int(np.argmax(spec))])
            rms = float(np.sqrt(np.mean(x ** 2)))
            c.check(f"{name}_audio_tone", abs(peak - TONE_HZ) < 15 and rms > 500, f"peak {peak:.1f} Hz, rms {rms:.0f}")
        else:
            c.check(f"{name}_audio_tone", False, "no audio decoded")
        if name == "ladder":
            await late_viewer(c, url, name, room_name)
        live = await wait_status(lk, info.ingress_id, api.IngressState.ENDPOINT_PUBLISHING, 5)
        c.check(f"{name}_state_publishing",
                live is not None and live.state.status == api.IngressState.ENDPOINT_PUBLISHING
                and live.state.video.width == WIDTH and live.state.video.height == HEIGHT
                and live.state.audio.sample_rate == 44100 and len(live.state.tracks) == 2,
                f"state={live.state if live else None}")
        if live is not None:
            layers = [len(t.layers) for t in live.state.tracks if t.type == 1]  # TrackType.VIDEO
            want = (lambda n: n >= 2) if name == "ladder" else (lambda n: n == 1)
            c.check(f"{name}_video_path", layers and want(layers[0]),
                    f"video layers {layers}: one when passed through, a ladder when transcoded")
        if metrics:
            m = await wait_metrics(metrics, info.ingress_id, 12)
            transcoded = name == "ladder"
            c.check(f"{name}_metrics", m.get("hikari_ingress_video_bitrate_bits_per_second", 0) > 20_000
                    and 25 <= m.get("hikari_ingress_video_frames_per_second", 0) <= 35
                    and abs(m.get("hikari_ingress_keyframe_interval_seconds", 0) - 2.0) < 0.2
                    and m.get("hikari_ingress_audio_bitrate_bits_per_second", 0) > 50_000
                    and m.get("hikari_ingress_passthrough") == (0.0 if transcoded else 1.0)
                    and m.get("hikari_ingress_transcode_cpu_seconds_total", 0) > 0
                    # Subscribers' keyframe requests reach the transcoder's encoders; an RTMP
                    # or SRT encoder cannot be asked.
                    and (m.get("hikari_ingress_keyframes_forced_total", 0) > 0) == transcoded
                    and m.get("input:srt" if srt else "input:rtmp") == 1.0,
                    f"series={m}")
    finally:
        code = await publish
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await room.disconnect()
    c.check(f"{name}_ffmpeg_published", code == 0, f"exit {code}")
    ended = await wait_status(lk, info.ingress_id, api.IngressState.ENDPOINT_INACTIVE, 15)
    c.check(f"{name}_state_inactive_after", ended is not None and ended.state.status == api.IngressState.ENDPOINT_INACTIVE
            and ended.state.ended_at > 0, f"state={ended.state if ended else None}")
    if hooks:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "ingress_ended" not in hooks_seen(hooks, info.ingress_id):
            await asyncio.sleep(0.2)
        seen = hooks_seen(hooks, info.ingress_id)
        c.check(f"{name}_webhooks", {"ingress_created", "ingress_started", "ingress_ended"} <= set(seen), f"seen={seen}")
    await lk.ingress.delete_ingress(api.DeleteIngressRequest(ingress_id=info.ingress_id))
    try:
        left = (await lk.ingress.list_ingress(api.ListIngressRequest(ingress_id=info.ingress_id))).items
        c.check(f"{name}_deleted", False, f"still listed: {len(left)}")
    except api.TwirpError as e:
        # As LiveKit: listing a deleted ingress by id is not_found.
        c.check(f"{name}_deleted", e.code == "not_found", f"{e.code}: {e.message}")


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="ws://10.77.0.1:7880")
    ap.add_argument("--label", default="ingress")
    ap.add_argument("--hooks", default=None)
    ap.add_argument("--metrics", default=None, help="the server's Prometheus URL")
    args = ap.parse_args()
    c = Checks(args.label)
    http = args.url.replace("ws://", "http://").replace("wss://", "https://")
    lk = api.LiveKitAPI(http, API_KEY, API_SECRET)
    try:
        await case(c, lk, args.url, "passthrough", ["-bf", "0", "-tune", "zerolatency"], args.hooks, metrics=args.metrics)
        await case(c, lk, args.url, "ladder", ["-bf", "2", "-profile:v", "high"], args.hooks, metrics=args.metrics)
        await case(c, lk, args.url, "srt", ["-bf", "0", "-tune", "zerolatency"], args.hooks, srt=True, metrics=args.metrics)
        info = await lk.ingress.create_ingress(api.CreateIngressRequest(
            input_type=api.IngressInput.RTMP_INPUT, name="wrong key", room_name="webinar-x", participant_identity="x"))
        code = await run_ffmpeg(ffmpeg_args(f"{info.url}/not-{info.stream_key}", ["-bf", "0"], 2), 30)
        c.check("wrong_key_refused", code not in (0, -1), f"exit {code}")
        await lk.ingress.delete_ingress(api.DeleteIngressRequest(ingress_id=info.ingress_id))
    except Exception as e:  # noqa: BLE001 - report and count
        c.check("no_exception", False, f"{type(e).__name__}: {e}")
    finally:
        await lk.aclose()
    print(f"{args.label}: {c.passed} passed, {c.failed} failed", flush=True)
    return 0 if c.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
