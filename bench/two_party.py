"""A two-party call held for a fixed time, to measure the server (bench/two-party.sh).

alice publishes 640x360 video at 30 fps (VP8, simulcast as the SDK defaults) and a 48 kHz
tone; bob subscribes to both. Prints the time from bob's connect to his first decoded
frame, and "READY"/"DONE" around the measured window so the shell script can sample the
server's CPU exactly over it.
"""
import asyncio
import math
import os
import sys
import time

import numpy as np
from livekit import api, rtc

URL = os.environ.get("LK_URL", "ws://10.77.0.1:7880")
HOLD = float(os.environ.get("HOLD_SECONDS", "30"))
W, H, FPS, RATE = 640, 360, 30, 48000


def token(identity):
    return (api.AccessToken("devkey", "secret").with_identity(identity)
            .with_grants(api.VideoGrants(room_join=True, room="bench")).to_jwt())


async def publish(room, stop):
    audio = rtc.AudioSource(RATE, 1)
    video = rtc.VideoSource(W, H)
    await room.local_participant.publish_track(rtc.LocalAudioTrack.create_audio_track("tone", audio),
                                               rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
    await room.local_participant.publish_track(rtc.LocalVideoTrack.create_video_track("cam", video),
                                               rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA))
    base = np.zeros((H, W, 4), dtype=np.uint8)
    base[..., 3] = 255
    start, n = time.monotonic(), 0
    while not stop.is_set():
        frame = base.copy()
        x = (n * 8) % W
        frame[:, x:x + 40, 0:3] = 255
        video.capture_frame(rtc.VideoFrame(W, H, rtc.VideoBufferType.RGBA, frame.tobytes()))
        spf = RATE // FPS
        a = rtc.AudioFrame.create(RATE, 1, spf)
        t = (np.arange(spf) + n * spf) / RATE
        np.frombuffer(a.data, dtype=np.int16)[:] = (8000 * np.sin(2 * math.pi * 440 * t)).astype(np.int16)
        await audio.capture_frame(a)
        n += 1
        await asyncio.sleep(max(0, start + n / FPS - time.monotonic()))


async def main():
    alice, bob = rtc.Room(), rtc.Room()
    await alice.connect(URL, token("alice"))
    stop = asyncio.Event()
    pub = asyncio.create_task(publish(alice, stop))
    first = asyncio.get_running_loop().create_future()
    frames = {"n": 0}

    async def consume(track):
        async for _ in rtc.VideoStream(track):
            frames["n"] += 1
            if not first.done():
                first.set_result(time.monotonic())

    @bob.on("track_subscribed")
    def on_track(track, *_):
        if track.kind == rtc.TrackKind.KIND_VIDEO:
            asyncio.ensure_future(consume(track))

    t0 = time.monotonic()
    await bob.connect(URL, token("bob"))
    got = await asyncio.wait_for(first, 20)
    print(f"connect_to_first_frame_ms {1000 * (got - t0):.0f}", flush=True)
    print("READY", flush=True)
    before = frames["n"]
    await asyncio.sleep(HOLD)
    print(f"frames_in_window {frames['n'] - before}", flush=True)
    print("DONE", flush=True)
    stop.set()
    await pub
    await bob.disconnect()
    await alice.disconnect()


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(), HOLD + 60))
    sys.exit(0)
