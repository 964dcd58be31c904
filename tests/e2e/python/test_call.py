"""Real-client end-to-end scenario: the official LiveKit Python SDK against a running hikari.

Three participants in one room:
  carol  joins first (auto-subscribe): sees Alice's tracks arrive while she is in the room,
         and must NOT receive a data packet addressed to Bob only.
  alice  publishes a 440 Hz tone (AudioSource, 48 kHz mono) and a 320x240 moving bar pattern
         (VideoSource, 30 fps), both at real-time pace; sends data, calls RPC, changes her
         metadata/name/attributes, unpublishes, leaves.
  bob    joins last (late joiner: Alice's tracks come with the JoinResponse): decodes audio and
         video and checks them, receives data and RPC, and observes Alice's changes.
Plus: a token signed with a wrong secret is refused.

Once Bob's media checks pass, the call is held for E2E_HOLD_S seconds (default 10; 0 skips)
and the server's CPU over that window is printed (E2E_SERVER_PID, set by run.sh).

Every wait is on an event with a timeout; nothing sleeps to wait for something (the hold is a
measurement window, and the generators sleep to keep real-time pace). Prints one
PASS/FAIL line per check, METRIC lines with timings, and closes with "N passed, N failed".
Exit status 0 only if every check passed.

Usage: python test_call.py --url ws://10.77.0.1:7880 --label default
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import sys
import time
import traceback
import uuid
import warnings

import numpy as np
from livekit import api, rtc

API_KEY = os.environ.get("HIKARI_API_KEY", "devkey")
API_SECRET = os.environ.get("HIKARI_API_SECRET", "secret")

SAMPLE_RATE = 48000
TONE_HZ = 440.0
TONE_AMPLITUDE = 0.3  # of full scale: RMS of the sine is about 6950 in int16
AUDIO_FRAME_MS = 10
WIDTH, HEIGHT, FPS = 320, 240, 30

# Thresholds for what the receiver must observe.
MIN_VIDEO_FRAMES = 60  # at the published size, at Bob (2 s of video at 30 fps)
MIN_AUDIO_RMS = 1000.0  # int16 RMS over the analysed window; silence is ~0
AUDIO_WINDOW_S = 1.0  # analyse this much audio, taken after the first audible frame
FREQ_TOLERANCE_HZ = 15.0

log = logging.getLogger("e2e")
# The dev secret is short by design; PyJWT warns about it on every token.
warnings.filterwarnings("ignore", message=".*HMAC key.*")


def now() -> float:
    return time.monotonic()


def server_cpu_seconds(pid: str) -> float | None:
    """utime+stime of a process, in seconds (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def token(identity: str, room: str, *, secret: str = API_SECRET, name: str | None = None,
          update_metadata: bool = False) -> str:
    grants = api.VideoGrants(room_join=True, room=room, can_publish=True, can_subscribe=True,
                             can_publish_data=True,
                             can_update_own_metadata=True if update_metadata else None)
    t = api.AccessToken(API_KEY, secret).with_identity(identity).with_grants(grants)
    if name:
        t = t.with_name(name)
    return t.to_jwt()


class Checks:
    """Records results by check name; a name that failed once stays failed. A failed check
    never stops the checks that do not depend on it."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.status: dict[str, bool] = {}
        self.metrics: dict[str, float] = {}

    def ok(self, name: str, detail: str = "") -> None:
        self.status.setdefault(name, True)
        print(f"PASS {name}" + (f"  ({detail})" if detail else ""), flush=True)

    def fail(self, name: str, why: str) -> None:
        self.status[name] = False
        print(f"FAIL {name}: {why}", flush=True)

    def check(self, name: str, cond: bool, detail: str) -> bool:
        (self.ok if cond else self.fail)(name, detail)
        return cond

    @property
    def passed(self) -> list[str]:
        return [n for n, v in self.status.items() if v]

    @property
    def failed(self) -> list[str]:
        return [n for n, v in self.status.items() if not v]

    def metric(self, name: str, seconds: float) -> None:
        self.metrics[name] = seconds
        print(f"METRIC {self.label} {name} {seconds * 1000:.0f} ms", flush=True)

    async def wait(self, name: str, aw, timeout: float) -> tuple[bool, object]:
        """Await aw with a timeout: (True, result), or (False, None) after recording a failure
        of check `name` (timeout or exception)."""
        try:
            return True, await asyncio.wait_for(aw, timeout)
        except asyncio.TimeoutError:
            self.fail(name, f"timed out after {timeout:.0f} s")
        except Exception as e:  # noqa: BLE001 - report every failure, keep going
            self.fail(name, f"{type(e).__name__}: {e}")
            if not isinstance(e, rtc.ConnectError):
                traceback.print_exc()
        return False, None


def first(fut_map: dict, key):
    """A future in fut_map[key], created on first use (events may fire before the wait).
    A future cancelled by a timed-out wait is replaced, so a later wait starts afresh."""
    fut = fut_map.get(key)
    if fut is None or fut.cancelled():
        fut = fut_map[key] = asyncio.get_running_loop().create_future()
    return fut


def resolve(fut_map: dict, key, value) -> None:
    fut = first(fut_map, key)
    if not fut.done():
        fut.set_result(value)


# ---------------------------------------------------------------- publisher side (Alice)

class Publisher:
    def __init__(self) -> None:
        self.audio_source = rtc.AudioSource(SAMPLE_RATE, 1, queue_size_ms=200)
        self.video_source = rtc.VideoSource(WIDTH, HEIGHT)
        self.audio_track = rtc.LocalAudioTrack.create_audio_track("tone", self.audio_source)
        self.video_track = rtc.LocalVideoTrack.create_video_track("pattern", self.video_source)
        self.tasks: list[asyncio.Task] = []
        self.audio_frames_sent = 0
        self.video_frames_sent = 0
        # A pattern twice as wide as the frame: vertical colour bars plus a gradient, shifted
        # by a few pixels each frame so consecutive frames differ.
        x = np.arange(WIDTH * 2)
        bars = (x // 40) % 8
        palette = np.array([[255, 255, 255], [255, 255, 0], [0, 255, 255], [0, 255, 0],
                            [255, 0, 255], [255, 0, 0], [0, 0, 255], [16, 16, 16]], np.uint8)
        row = palette[bars]  # (2W, 3)
        img = np.repeat(row[None, :, :], HEIGHT, axis=0).astype(np.float32)
        img *= (0.5 + 0.5 * np.linspace(0, 1, HEIGHT))[:, None, None]
        rgba = np.empty((HEIGHT, WIDTH * 2, 4), np.uint8)
        rgba[:, :, :3] = img.astype(np.uint8)
        rgba[:, :, 3] = 255
        self.pattern = rgba

    def start(self) -> None:
        self.tasks = [asyncio.create_task(self._audio_loop(), name="audio-gen"),
                      asyncio.create_task(self._video_loop(), name="video-gen")]

    async def stop(self) -> None:
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks = []

    async def _audio_loop(self) -> None:
        spf = SAMPLE_RATE * AUDIO_FRAME_MS // 1000
        n = 0
        t0 = now()
        amp = TONE_AMPLITUDE * 32767
        while True:
            frame = rtc.AudioFrame.create(SAMPLE_RATE, 1, spf)
            idx = np.arange(n, n + spf)
            samples = np.frombuffer(frame.data, dtype=np.int16)
            samples[:] = (amp * np.sin(2 * math.pi * TONE_HZ * idx / SAMPLE_RATE)).astype(np.int16)
            await self.audio_source.capture_frame(frame)
            n += spf
            self.audio_frames_sent += 1
            # Real-time pace: sleep until this frame's wall-clock deadline.
            ahead = t0 + n / SAMPLE_RATE - now()
            if ahead > 0:
                await asyncio.sleep(ahead)

    async def _video_loop(self) -> None:
        i = 0
        t0 = now()
        while True:
            shift = (i * 4) % WIDTH
            view = np.ascontiguousarray(self.pattern[:, shift:shift + WIDTH, :])
            frame = rtc.VideoFrame(WIDTH, HEIGHT, rtc.VideoBufferType.RGBA, view.tobytes())
            self.video_source.capture_frame(frame)
            i += 1
            self.video_frames_sent += 1
            ahead = t0 + i / FPS - now()
            if ahead > 0:
                await asyncio.sleep(ahead)


# ---------------------------------------------------------------- subscriber side

class VideoProbe:
    """Consumes a remote video track: counts frames, records sizes, keeps two sample frames."""

    def __init__(self, track: rtc.Track, want_frames: int) -> None:
        self.stream = rtc.VideoStream(track)
        self.count = 0
        self.sizes: dict[tuple[int, int], int] = {}
        self.first_frame_at: float | None = None
        self.want = want_frames
        self.samples: list[np.ndarray] = []  # luma planes of two frames ~1 s apart
        self.enough = asyncio.get_running_loop().create_future()
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for ev in self.stream:
            f = ev.frame
            if self.first_frame_at is None:
                self.first_frame_at = now()
            self.count += 1
            key = (f.width, f.height)
            self.sizes[key] = self.sizes.get(key, 0) + 1
            if key == (WIDTH, HEIGHT) and len(self.samples) < 2 and (
                    self.sizes[key] in (10, 10 + FPS)):
                rgba = f.convert(rtc.VideoBufferType.RGBA)
                arr = np.frombuffer(bytes(rgba.data), np.uint8).reshape(HEIGHT, WIDTH, 4)
                self.samples.append(arr[:, :, :3].astype(np.float32).mean(axis=2))
            if (self.sizes.get((WIDTH, HEIGHT), 0) >= self.want and len(self.samples) >= 2
                    and not self.enough.done()):
                self.enough.set_result(None)

    async def close(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.stream.aclose()


class AudioProbe:
    """Consumes a remote audio track: counts frames, finds the first audible one, keeps
    AUDIO_WINDOW_S of samples after it for analysis."""

    def __init__(self, track: rtc.Track) -> None:
        self.stream = rtc.AudioStream(track, sample_rate=SAMPLE_RATE, num_channels=1)
        self.count = 0
        self.first_frame_at: float | None = None
        self.first_audible_at: float | None = None
        self.max_frame_rms = 0.0
        self.window: list[np.ndarray] = []
        self.window_samples = 0
        self.enough = asyncio.get_running_loop().create_future()
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        need = int(AUDIO_WINDOW_S * SAMPLE_RATE)
        skip_after_audible = SAMPLE_RATE // 5  # let the jitter buffer settle for 200 ms
        async for ev in self.stream:
            f = ev.frame
            if self.first_frame_at is None:
                self.first_frame_at = now()
            self.count += 1
            s = np.frombuffer(bytes(f.data), np.int16)
            if f.num_channels > 1:
                s = s.reshape(-1, f.num_channels)[:, 0]
            rms = float(np.sqrt(np.mean(s.astype(np.float64) ** 2))) if len(s) else 0.0
            self.max_frame_rms = max(self.max_frame_rms, rms)
            if self.first_audible_at is None:
                if rms > MIN_AUDIO_RMS:
                    self.first_audible_at = now()
                continue
            if skip_after_audible > 0:
                skip_after_audible -= len(s)
                continue
            if self.window_samples < need:
                self.window.append(s.copy())
                self.window_samples += len(s)
                if self.window_samples >= need and not self.enough.done():
                    self.enough.set_result(None)

    def analyse(self) -> tuple[float, float]:
        x = np.concatenate(self.window).astype(np.float64)
        rms = float(np.sqrt(np.mean(x ** 2)))
        spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
        freqs = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
        spec[freqs < 50] = 0
        return rms, float(freqs[int(np.argmax(spec))])

    async def close(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.stream.aclose()


class Watcher:
    """Room event recorder for one participant: every expectation is a future."""

    def __init__(self, who: str, room: rtc.Room) -> None:
        self.who = who
        self.room = room
        self.subscribed: dict = {}  # (identity, kind) -> RemoteTrack
        self.unpublished: dict = {}  # track sid -> publication
        self.disconnected: dict = {}  # identity -> participant
        self.metadata: dict = {}  # (identity, value) -> True
        self.names: dict = {}
        self.attributes: dict = {}
        self.data: list[rtc.DataPacket] = []
        self.data_by_topic: dict = {}  # topic -> first DataPacket
        self.local_subscribed: dict = {}  # own track sid -> when it got its first subscriber
        self.speaking: dict = {}  # identity -> when first among the active speakers
        self.quality: dict = {}  # (identity, ConnectionQuality) -> when first reported
        room.on("track_subscribed", self._on_track_subscribed)
        room.on("local_track_subscribed", lambda track: resolve(self.local_subscribed, track.sid, now()))
        room.on("active_speakers_changed", self._on_speakers)
        room.on("connection_quality_changed", self._on_quality)
        room.on("track_unpublished", self._on_track_unpublished)
        room.on("participant_disconnected", self._on_disconnected)
        room.on("participant_metadata_changed", self._on_metadata)
        room.on("participant_name_changed", self._on_name)
        room.on("participant_attributes_changed", self._on_attributes)
        room.on("data_received", self._on_data)
        room.on("track_subscription_failed",
                lambda p, sid, err: log.warning("%s: subscription to %s of %s failed: %s",
                                                who, sid, p.identity, err))
        room.on("disconnected", lambda reason: log.info("%s: room disconnected: %s", who, reason))

    def _on_track_subscribed(self, track, publication, participant) -> None:
        kind = "video" if track.kind == rtc.TrackKind.KIND_VIDEO else "audio"
        log.info("%s: subscribed %s %s of %s", self.who, kind, publication.sid, participant.identity)
        resolve(self.subscribed, (participant.identity, kind), (track, publication, now()))


    def _on_track_unpublished(self, publication, participant) -> None:
        log.info("%s: track_unpublished %s of %s", self.who, publication.sid, participant.identity)
        resolve(self.unpublished, publication.sid, participant.identity)

    def _on_disconnected(self, participant) -> None:
        log.info("%s: participant_disconnected %s", self.who, participant.identity)
        resolve(self.disconnected, participant.identity, participant)

    def _on_metadata(self, participant, old, new) -> None:
        resolve(self.metadata, (participant.identity, new), old)

    def _on_name(self, participant, old, new) -> None:
        resolve(self.names, (participant.identity, new), old)

    def _on_attributes(self, changed, participant) -> None:
        for k, v in changed.items():
            resolve(self.attributes, (participant.identity, k, v), True)

    def _on_speakers(self, speakers) -> None:
        for p in speakers:
            resolve(self.speaking, p.identity, now())

    def _on_quality(self, participant, quality) -> None:
        resolve(self.quality, (participant.identity, quality), now())

    def _on_data(self, packet: rtc.DataPacket) -> None:
        self.data.append(packet)
        resolve(self.data_by_topic, packet.topic, packet)


async def connect(room: rtc.Room, url: str, tok: str, auto_subscribe: bool = True) -> float:
    t0 = now()
    await room.connect(url, tok, rtc.RoomOptions(auto_subscribe=auto_subscribe))
    return now() - t0


# ---------------------------------------------------------------- the scenario

async def scenario(url: str, label: str) -> Checks:
    c = Checks(label)
    room_name = f"e2e-{label}-{uuid.uuid4().hex[:8]}"
    print(f"room {room_name} at {url}", flush=True)

    # 1. A token signed with the wrong secret is refused, as an auth failure (HTTP 401 from the
    #    server, as livekit-server answers), not as some other connection error.
    bad = rtc.Room()
    t0 = now()
    try:
        await asyncio.wait_for(bad.connect(url, token("mallory", room_name, secret="not-the-secret")),
                               30)
        c.fail("wrong_secret_refused", "connect succeeded with a token signed by a wrong secret")
        await bad.disconnect()
    except asyncio.TimeoutError:
        c.fail("wrong_secret_refused", "connect neither failed nor succeeded within 30 s")
    except Exception as e:  # noqa: BLE001 - rtc.ConnectError expected
        msg = getattr(e, "message", str(e))
        auth = any(k in msg.lower() for k in ("401", "unauthorized", "invalid token", "signature"))
        c.check("wrong_secret_refused", auth,
                f"{type(e).__name__} after {now() - t0:.2f} s: {msg[:200]!r}"
                + ("" if auth else " (not reported as an authentication failure / HTTP 401)"))
    finally:
        try:
            await asyncio.wait_for(bad.disconnect(), 5)
        except Exception:  # noqa: BLE001
            pass

    carol, alice, bob = rtc.Room(), rtc.Room(), rtc.Room()
    wc, wb = Watcher("carol", carol), Watcher("bob", bob)
    wa = Watcher("alice", alice)
    pub = Publisher()
    probes: list = []
    rpc_seen: dict = {}

    try:
        # 2. Carol joins the empty room.
        carol_ok, d = await c.wait("carol_connect", connect(carol, url, token("carol", room_name)), 30)
        if carol_ok:
            c.ok("carol_connect", f"{d:.2f} s")

        # 3. Alice joins and publishes the tone and the pattern.
        ok, d = await c.wait("alice_connect", connect(
            alice, url, token("alice", room_name, name="Alice", update_metadata=True)), 30)
        if not ok:
            raise RuntimeError("alice could not connect; nothing else can be tested")
        c.ok("alice_connect", f"{d:.2f} s")
        pub.start()
        t_publish = now()
        ok_a, apub = await c.wait("alice_publish_audio", alice.local_participant.publish_track(
            pub.audio_track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)), 20)
        ok_v, vpub = await c.wait("alice_publish_video", alice.local_participant.publish_track(
            pub.video_track, rtc.TrackPublishOptions(
                source=rtc.TrackSource.SOURCE_CAMERA, simulcast=False,
                video_encoding=rtc.VideoEncoding(max_bitrate=600_000, max_framerate=FPS))), 20)
        if ok_a:
            c.ok("alice_publish_audio", apub.sid)
        if ok_v:
            c.ok("alice_publish_video", vpub.sid)
        if not (ok_a and ok_v):
            raise RuntimeError("alice could not publish; nothing else can be tested")

        # 4. Carol, already in the room, gets both tracks and decodes video.
        if carol_ok:
            ok, got = await c.wait("carol_subscribed", asyncio.gather(
                first(wc.subscribed, ("alice", "audio")), first(wc.subscribed, ("alice", "video"))), 20)
            if ok:
                c.ok("carol_subscribed", f"audio and video, {max(got[0][2], got[1][2]) - t_publish:.2f} s after publish")
                cprobe = VideoProbe(got[1][0], want_frames=10)
                probes.append(cprobe)
                ok, _ = await c.wait("carol_video_frames", cprobe.enough, 30)
                if ok:
                    c.ok("carol_video_frames", f"{cprobe.count} frames, sizes {cprobe.sizes}")
                    c.metric("publish_to_first_video_frame_present_subscriber",
                             cprobe.first_frame_at - t_publish)
                else:
                    print(f"  carol video: {cprobe.count} frames, sizes {cprobe.sizes}", flush=True)

        # 5. Bob joins late: the tracks come with his JoinResponse.
        t_bob = now()
        ok, d = await c.wait("bob_connect", connect(bob, url, token("bob", room_name)), 30)
        if not ok:
            raise RuntimeError("bob could not connect; nothing else can be tested")
        c.ok("bob_connect", f"{d:.2f} s")
        c.metric("bob_connect", d)
        ok, got = await c.wait("bob_subscribed", asyncio.gather(
            first(wb.subscribed, ("alice", "audio")), first(wb.subscribed, ("alice", "video"))), 20)
        if ok:
            (atrack, apub_r, at_), (vtrack, vpub_r, vt_) = got
            c.ok("bob_subscribed", f"audio {apub_r.sid} video {vpub_r.sid}")
            c.check("bob_track_sids_match", apub_r.sid == apub.sid and vpub_r.sid == vpub.sid,
                    f"published {apub.sid}/{vpub.sid}, subscribed {apub_r.sid}/{vpub_r.sid}")
            c.metric("bob_connect_to_track_subscribed", max(at_, vt_) - t_bob)
            vprobe, aprobe = VideoProbe(vtrack, MIN_VIDEO_FRAMES), AudioProbe(atrack)
            probes += [vprobe, aprobe]
            (ok_v, _), (ok_a, _) = await asyncio.gather(c.wait("bob_video_frames", vprobe.enough, 40),
                                                        c.wait("bob_audio_frames", aprobe.enough, 40))
            # video
            if vprobe.first_frame_at is not None:
                c.metric("bob_connect_to_first_video_frame", vprobe.first_frame_at - t_bob)
            at_size = vprobe.sizes.get((WIDTH, HEIGHT), 0)
            if ok_v:
                c.ok("bob_video_frames", f"{vprobe.count} decoded, sizes {vprobe.sizes}")
            else:
                print(f"  bob video: {vprobe.count} decoded, sizes {vprobe.sizes}, "
                      f"alice sent {pub.video_frames_sent}", flush=True)
            c.check("bob_video_size", at_size >= MIN_VIDEO_FRAMES,
                    f"{at_size} frames at {WIDTH}x{HEIGHT} (need {MIN_VIDEO_FRAMES}); all sizes {vprobe.sizes}")
            if len(vprobe.samples) >= 2:
                a, b = vprobe.samples[0], vprobe.samples[1]
                spread, moved = float(a.std()), float(np.abs(a - b).mean())
                c.check("bob_video_content", spread > 20 and moved > 5,
                        f"luma std {spread:.1f} (>20: not a flat frame), mean change over 1 s "
                        f"{moved:.1f} (>5: the pattern moves)")
            else:
                c.fail("bob_video_content", "fewer than two full-size frames to compare")
            # audio
            if aprobe.first_frame_at is not None:
                c.metric("bob_connect_to_first_audio_frame", aprobe.first_frame_at - t_bob)
            if aprobe.first_audible_at is not None:
                c.metric("bob_connect_to_first_audible_audio", aprobe.first_audible_at - t_bob)
            if ok_a:
                rms, freq = aprobe.analyse()
                c.ok("bob_audio_frames", f"{aprobe.count} frames")
                c.check("bob_audio_not_silent", rms > MIN_AUDIO_RMS,
                        f"RMS {rms:.0f} over {AUDIO_WINDOW_S} s (need > {MIN_AUDIO_RMS:.0f}; "
                        f"published ~{TONE_AMPLITUDE * 32767 / math.sqrt(2):.0f})")
                c.check("bob_audio_is_440hz", abs(freq - TONE_HZ) <= FREQ_TOLERANCE_HZ,
                        f"dominant frequency {freq:.1f} Hz")
            else:
                print(f"  bob audio: {aprobe.count} frames, max frame RMS {aprobe.max_frame_rms:.0f}, "
                      f"alice sent {pub.audio_frames_sent}", flush=True)
                c.fail("bob_audio_not_silent", f"no {AUDIO_WINDOW_S} s of audible audio "
                       f"(max frame RMS {aprobe.max_frame_rms:.0f})")

            # The server's judgement: alice's tone makes her an active speaker, and bob hears
            # of alice's connection quality (he receives her media) and of his own.
            ok, _ = await c.wait("bob_active_speakers", first(wb.speaking, "alice"), 10)
            if ok:
                c.ok("bob_active_speakers", "alice is among the active speakers")
            excellent = rtc.ConnectionQuality.QUALITY_EXCELLENT
            ok, _ = await c.wait("bob_connection_quality", asyncio.gather(
                first(wb.quality, ("alice", excellent)), first(wb.quality, ("bob", excellent))), 10)
            if ok:
                c.ok("bob_connection_quality", "alice's and his own: excellent")

            # Steady state: hold the call and take the server's CPU over the hold (the server's
            # pid comes from run.sh; /proc is shared with the namespace).
            hold = float(os.environ.get("E2E_HOLD_S", "10"))
            spid = os.environ.get("E2E_SERVER_PID")
            if hold > 0 and spid:
                c0, t0 = server_cpu_seconds(spid), now()
                v0, a0 = vprobe.count, aprobe.count
                await asyncio.sleep(hold)  # deliberate: a measurement window, not a wait
                c1, t1 = server_cpu_seconds(spid), now()
                if c0 is not None and c1 is not None:
                    pct = 100 * (c1 - c0) / (t1 - t0)
                    print(f"METRIC {label} server_cpu_steady_percent {pct:.1f} % over {t1 - t0:.1f} s: "
                          f"1 publisher (audio 48 kHz + video {WIDTH}x{HEIGHT}@{FPS}) -> 2 subscribers; "
                          f"bob decoded {vprobe.count - v0} video / {aprobe.count - a0} audio frames meanwhile",
                          flush=True)

        # 6. Data: reliable, with topic, to Bob only; then one to everyone.
        await c.wait("data_to_bob", alice.local_participant.publish_data(
            b"hello bob", reliable=True, topic="e2e-direct", destination_identities=["bob"]), 10)
        ok, pkt = await c.wait("data_to_bob", first(wb.data_by_topic, "e2e-direct"), 10)
        if ok:
            sender = pkt.participant.identity if pkt.participant else None
            c.check("data_to_bob", sender == "alice" and pkt.data == b"hello bob"
                    and pkt.topic == "e2e-direct",
                    f"from {sender!r}, topic {pkt.topic!r}, payload {pkt.data!r}")
        await c.wait("data_broadcast", alice.local_participant.publish_data(
            b"hello all", reliable=True, topic="e2e-all"), 10)
        waits = [first(wb.data_by_topic, "e2e-all")]
        if carol_ok:
            waits.append(first(wc.data_by_topic, "e2e-all"))
        ok, got = await c.wait("data_broadcast", asyncio.gather(*waits), 10)
        if ok:
            senders = [p.participant.identity if p.participant else None for p in got]
            c.check("data_broadcast", all(s == "alice" for s in senders) and
                    all(p.data == b"hello all" for p in got), f"senders {senders}")
            if carol_ok:
                # Reliable data is ordered: had Carol been sent the direct packet, it would have
                # arrived before the broadcast that she has now received.
                leaked = [p.topic for p in wc.data if p.topic == "e2e-direct"]
                c.check("data_destination_respected", not leaked,
                        "carol did not receive the packet addressed to bob" if not leaked
                        else f"carol received {leaked}")

        # 7. RPC round trip: Bob serves, Alice calls.
        def echo(data: rtc.RpcInvocationData) -> str:
            rpc_seen["caller"] = data.caller_identity
            return f"echo:{data.payload}"

        bob.local_participant.register_rpc_method("e2e.echo", echo)
        t0 = now()
        ok, resp = await c.wait("rpc_round_trip", alice.local_participant.perform_rpc(
            destination_identity="bob", method="e2e.echo", payload="ping-42",
            response_timeout=10.0), 15)
        if ok:
            c.check("rpc_round_trip", resp == "echo:ping-42" and rpc_seen.get("caller") == "alice",
                    f"response {resp!r}, caller seen by bob {rpc_seen.get('caller')!r}, "
                    f"{(now() - t0) * 1000:.0f} ms")
            c.metric("rpc_round_trip", now() - t0)
            # A second call: in /rtc (two-PC) mode Bob's first reply also brings up his
            # publisher PeerConnection (he has published nothing yet), so the first call is slower.
            t0 = now()
            ok, resp = await c.wait("rpc_round_trip_again", alice.local_participant.perform_rpc(
                destination_identity="bob", method="e2e.echo", payload="ping-43",
                response_timeout=10.0), 15)
            if ok:
                c.check("rpc_round_trip_again", resp == "echo:ping-43", f"response {resp!r}")
                c.metric("rpc_round_trip_second", now() - t0)

        # 8. Metadata, name and attributes of Alice, as Bob sees them.
        await c.wait("metadata_changed", alice.local_participant.set_metadata("meta-v1"), 10)
        ok, old = await c.wait("metadata_changed", first(wb.metadata, ("alice", "meta-v1")), 10)
        if ok:
            c.ok("metadata_changed", f"bob saw {old!r} -> 'meta-v1'")
            seen = bob.remote_participants["alice"].metadata
            c.check("metadata_value", seen == "meta-v1", f"bob's view: {seen!r}")
        await c.wait("name_changed", alice.local_participant.set_name("Alice Two"), 10)
        ok, old = await c.wait("name_changed", first(wb.names, ("alice", "Alice Two")), 10)
        if ok:
            c.ok("name_changed", f"bob saw {old!r} -> 'Alice Two'")
        await c.wait("attributes_changed", alice.local_participant.set_attributes({"role": "host"}), 10)
        ok, _ = await c.wait("attributes_changed", first(wb.attributes, ("alice", "role", "host")), 10)
        if ok:
            c.ok("attributes_changed", "bob saw role=host")

        # 8b. Alice's first subscriber was announced to her (TrackSubscribed), and she may
        #     choose who receives her: only Carol, then everyone again.
        ok, _ = await c.wait("local_track_subscribed", first(wa.local_subscribed, vpub.sid), 10)
        if ok:
            c.ok("local_track_subscribed", "alice heard her video got a subscriber")
        alice.local_participant.set_track_subscription_permissions(
            allow_all_participants=False,
            participant_permissions=[rtc.ParticipantTrackPermission(participant_identity="carol", allow_all=True)])
        dave = rtc.Room()
        wd = Watcher("dave", dave)
        ok, _ = await c.wait("permission_denied", connect(dave, url, token("dave", room_name)), 30)
        if ok:
            # dave sees alice's video published (in his join) but does not receive it while
            # only carol may.
            alice_seen = dave.remote_participants.get("alice")
            kinds = [p.kind for p in alice_seen.track_publications.values()] if alice_seen else []
            await asyncio.sleep(2)  # deliberate: a window in which nothing may arrive
            c.check("permission_denied", rtc.TrackKind.KIND_VIDEO in kinds and not first(wd.subscribed, ("alice", "video")).done(),
                    f"dave sees alice's tracks {kinds} and was not subscribed to her video")
            alice.local_participant.set_track_subscription_permissions(allow_all_participants=True)
            ok, _ = await c.wait("permission_granted", first(wd.subscribed, ("alice", "video")), 10)
            if ok:
                c.ok("permission_granted", "dave got track_subscribed once everyone was allowed")
        await c.wait("dave_leaves", dave.disconnect(), 10)

        # 9. Unpublish: Bob sees both tracks go.
        await pub.stop()
        t0 = now()
        for p in (apub, vpub):
            await c.wait("unpublish", alice.local_participant.unpublish_track(p.sid), 10)
        ok, got = await c.wait("track_unpublished", asyncio.gather(
            first(wb.unpublished, apub.sid), first(wb.unpublished, vpub.sid)), 15)
        if ok:
            c.check("track_unpublished", got == ["alice", "alice"],
                    f"both tracks, {now() - t0:.2f} s")

        # 10. Alice leaves: Bob (and Carol) see her go.
        t0 = now()
        await c.wait("participant_disconnected", alice.disconnect(), 10)
        waits = [first(wb.disconnected, "alice")]
        if carol_ok:
            waits.append(first(wc.disconnected, "alice"))
        ok, _ = await c.wait("participant_disconnected", asyncio.gather(*waits), 15)
        if ok:
            c.check("participant_disconnected", "alice" not in bob.remote_participants,
                    f"{now() - t0:.2f} s; bob's remote participants now {list(bob.remote_participants)}")
    except RuntimeError as e:
        c.fail("scenario", str(e))
    finally:
        await pub.stop()
        for p in probes:
            try:
                await asyncio.wait_for(p.close(), 5)
            except Exception:  # noqa: BLE001
                pass
        for r in (alice, bob, carol):
            try:
                await asyncio.wait_for(r.disconnect(), 5)
            except Exception:  # noqa: BLE001
                pass
    return c


async def e2ee_scenario(url: str, label: str, c: Checks) -> None:
    """Two participants with the SDK's end-to-end encryption (a shared key): the server
    forwards frames it cannot read, marks the track as encrypted, and Bob decodes the
    pattern Alice sends (so the frames crossed the server unchanged)."""
    room_name = f"e2e-{label}-e2ee-{uuid.uuid4().hex[:8]}"
    options = lambda: rtc.RoomOptions(encryption=rtc.E2EEOptions(  # noqa: E731
        key_provider_options=rtc.KeyProviderOptions(shared_key=b"hikari-e2e-shared-key")))
    alice, bob = rtc.Room(), rtc.Room()
    wb = Watcher("bob-e2ee", bob)
    pub = Publisher()
    probe = None
    try:
        ok, _ = await c.wait("e2ee_connect", asyncio.gather(
            alice.connect(url, token("alice", room_name), options()), bob.connect(url, token("bob", room_name), options())), 30)
        if not ok:
            return
        pub.start()
        ok, vpub = await c.wait("e2ee_publish", alice.local_participant.publish_track(
            pub.video_track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA, simulcast=False)), 20)
        if not ok:
            return
        ok, got = await c.wait("e2ee_subscribed", first(wb.subscribed, ("alice", "video")), 20)
        if not ok:
            return
        track, publication, _ = got
        c.check("e2ee_track_marked_encrypted", publication.encryption_type == rtc.EncryptionType.GCM,
                f"bob sees encryption_type {publication.encryption_type} (GCM is {rtc.EncryptionType.GCM})")
        probe = VideoProbe(track, want_frames=10)
        ok, _ = await c.wait("e2ee_video_decrypted", probe.enough, 30)
        if ok and len(probe.samples) >= 2:
            a, b = probe.samples[0], probe.samples[1]
            c.check("e2ee_video_decrypted", float(a.std()) > 20 and float(np.abs(a - b).mean()) > 5,
                    f"{probe.count} frames decrypted and decoded; luma std {float(a.std()):.1f}, change {float(np.abs(a - b).mean()):.1f}")
    finally:
        await pub.stop()
        if probe:
            await probe.close()
        for r in (alice, bob):
            try:
                await asyncio.wait_for(r.disconnect(), 5)
            except Exception:  # noqa: BLE001
                pass


async def amain(args) -> int:
    c = await scenario(args.url, args.label)
    await e2ee_scenario(args.url, args.label, c)
    print(f"{args.label}: {len(c.passed)} passed, {len(c.failed)} failed", flush=True)
    if c.failed:
        print(f"failed checks: {', '.join(c.failed)}", flush=True)
    return 0 if not c.failed else 1


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="ws://10.77.0.1:7880")
    ap.add_argument("--label", default="default")
    ap.add_argument("--logdir", default=None, help="where to put artefacts (unused so far)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s.%(msecs)03d %(name)s %(levelname)s %(message)s",
                        datefmt="%H:%M:%S")
    logging.getLogger("livekit").setLevel(
        logging.DEBUG if os.environ.get("E2E_VERBOSE") else logging.WARNING)
    return asyncio.run(amain(args))


if __name__ == "__main__":
    sys.exit(main())
