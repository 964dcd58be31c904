"""A recording across a server restart (run.sh drives the two phases):

  record  the Python SDK publishes a microphone, livekit-api records it (StartTrackEgress);
          once the job is EGRESS_ACTIVE and two seconds of audio went out, the egress id goes
          to --state, and the publisher keeps sending until the server's shutdown ends its
          session (run.sh sends SIGTERM meanwhile)
  check   against the restarted server (same data directory): the egress is EGRESS_COMPLETE,
          not failed as interrupted: SIGTERM finished the file and stored the end before the
          process exited; the file, fetched from the new process, is Opus of the length the
          egress reports (ffprobe over HTTP)

Prints PASS/FAIL lines and "LABEL: N passed, N failed" (check phase).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import numpy as np
from livekit import api, rtc

from test_api import KEY, SECRET, Checks, wait_until
from test_egress import probe, tok

ROOM = "restart"


async def record(url: str, state: str) -> int:
    lk = api.LiveKitAPI(url.replace("ws://", "http://"), KEY, SECRET)
    room = rtc.Room()
    ended = asyncio.Event()
    room.on("disconnected", lambda *_: ended.set())
    try:
        await room.connect(url, tok("speaker", ROOM))
        source = rtc.AudioSource(48000, 1)
        pub = await room.local_participant.publish_track(rtc.LocalAudioTrack.create_audio_track("mic", source),
                                                         rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
        sent = 0

        async def audio():
            nonlocal sent
            t0 = time.monotonic()
            while not ended.is_set():
                frame = rtc.AudioFrame.create(48000, 1, 480)
                idx = np.arange(sent * 480, (sent + 1) * 480)
                np.frombuffer(frame.data, dtype=np.int16)[:] = (6000 * np.sin(2 * np.pi * 330 * idx / 48000)).astype(np.int16)
                await source.capture_frame(frame)
                sent += 1
                ahead = t0 + sent / 100 - time.monotonic()
                if ahead > 0:
                    await asyncio.sleep(ahead)
        task = asyncio.create_task(audio())

        async def published():
            people = (await lk.room.list_participants(api.ListParticipantsRequest(room=ROOM))).participants
            return any(t.sid == pub.sid and t.mime_type for p in people for t in p.tracks)
        await wait_until(published, 20)
        info = await lk.egress.start_track_egress(api.TrackEgressRequest(room_name=ROOM, track_id=pub.sid,
                                                                         file=api.DirectFileOutput(filepath="restart/{track_id}")))

        async def active():
            items = (await lk.egress.list_egress(api.ListEgressRequest(egress_id=info.egress_id))).items
            return items and items[0].status == api.EgressStatus.EGRESS_ACTIVE
        await wait_until(active, 20)
        start = sent
        await wait_until(lambda: asyncio.sleep(0, result=sent - start >= 200), 10, 0.05)
        with open(state, "w") as f:
            json.dump({"egress_id": info.egress_id}, f)
        print(f"record: {info.egress_id} active, waiting for the server to stop", flush=True)
        await asyncio.wait_for(ended.wait(), 30)
        task.cancel()
        return 0
    finally:
        await room.disconnect()
        await lk.aclose()


async def check(c: Checks, url: str, state: str) -> None:
    http_url = url.replace("ws://", "http://")
    with open(state) as f:
        egress_id = json.load(f)["egress_id"]
    lk = api.LiveKitAPI(http_url, KEY, SECRET)
    try:
        items = (await lk.egress.list_egress(api.ListEgressRequest(egress_id=egress_id))).items
        e = items[0] if items else None
        f = e.file_results[0] if e and e.file_results else None
        dur = f.duration / 1e9 if f else 0
        c.check("restart_egress_complete", e is not None and e.status == api.EgressStatus.EGRESS_COMPLETE and f is not None
                and f.size > 0 and dur >= 1.5, f"{e.status if e else None} {e.error if e else ''!r} duration {dur:.2f}")
        if f:
            p = probe(f"{http_url}{f.location}?access_token={tok('viewer', ROOM, room_record=True)}")
            s = (p.get("streams") or [{}])[0]
            pdur = float(p.get("format", {}).get("duration", 0) or 0)
            c.check("restart_file_whole", s.get("codec_name") == "opus" and abs(pdur - dur) <= 1.0, f"{s} {pdur:.2f} s")
    finally:
        await lk.aclose()


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--phase", choices=["record", "check"], required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--label", default="server-sdk-restart")
    args = ap.parse_args()
    if args.phase == "record":
        return await record(args.url, args.state)
    c = Checks(args.label)
    try:
        await asyncio.wait_for(check(c, args.url, args.state), 60)
    except Exception as e:  # noqa: BLE001
        c.fail("restart_check_completed", f"{type(e).__name__}: {e}")
    return c.summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
