"""Server-SDK scenario for the EgressService (track egress): the Python livekit SDK publishes
an audio track (Opus, RED as the SDK sends it), a VP8 camera and an H.264 screen share; PyPI
livekit-api records each with StartTrackEgress to a file, stops them after about four
seconds of media, and the files are checked with ffprobe and ffmpeg.

  start     each egress starts (EG_ id, EGRESS_STARTING or ACTIVE), ListEgress(active) lists
            all three, then each becomes EGRESS_ACTIVE; /metrics counts three recordings
  files     after StopEgress: EGRESS_COMPLETE with file_results (filename with the track's
            extension .ogg/.webm/.mp4, size > 0, duration 2.5-7 s); ffprobe reads the codec
            (opus, vp8, h264), the size of the video (320x240) and a duration within 1 s of
            the egress's; `ffmpeg -v error` decodes the whole file without a message
  bad       no roomRecord grant: permission_denied; an unknown track: not_found; a filepath
            that climbs out (`../x`) or is absolute: invalid_argument; StopEgress of an unknown
            id: not_found, of an ended one: failed_precondition; StartRoomCompositeEgress
            without an output: invalid_argument naming the outputs
  hooks     egress_started, egress_updated (active, ending) and egress_ended for each egress,
            in order, verified with the SDK's WebhookReceiver and carrying egress_info
  auto      a room created with egress.tracks records each track a participant publishes
            (ogg and webm, one file each) until the participant leaves; a room created with
            egress.participant records each participant who publishes (camera and microphone)
            to a file and HLS named for them; egress.participant without outputs:
            invalid_argument

Prints PASS/FAIL lines and "LABEL: N passed, N failed". Exit status 0 only if every check passed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import traceback
import urllib.request
import uuid

import aiohttp
import numpy as np
from livekit import api, rtc

from test_api import KEY, SECRET, Checks, hooks_for, wait_until

WIDTH, HEIGHT, FPS = 320, 240, 15
SAMPLE_RATE = 48000
RECORD_SECONDS = 4.0


def tok(identity: str, room: str, **grants) -> str:
    g = api.VideoGrants(room_join=True, room=room, **grants)
    return api.AccessToken(KEY, SECRET).with_identity(identity).with_grants(g).to_jwt()


class Source:
    """Publishes a tone and two moving patterns at real-time pace."""

    def __init__(self) -> None:
        self.audio = rtc.AudioSource(SAMPLE_RATE, 1)
        self.camera = rtc.VideoSource(WIDTH, HEIGHT)
        self.screen = rtc.VideoSource(WIDTH, HEIGHT)
        self.tasks: list[asyncio.Task] = []
        self.video_frames = 0

    def start(self) -> None:
        self.tasks = [asyncio.create_task(self._audio()), asyncio.create_task(self._video())]

    async def stop(self) -> None:
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def _audio(self) -> None:
        spf, n, t0 = SAMPLE_RATE // 100, 0, time.monotonic()
        while True:
            frame = rtc.AudioFrame.create(SAMPLE_RATE, 1, spf)
            idx = np.arange(n, n + spf)
            np.frombuffer(frame.data, dtype=np.int16)[:] = (8000 * np.sin(2 * np.pi * 440 * idx / SAMPLE_RATE)).astype(np.int16)
            await self.audio.capture_frame(frame)
            n += spf
            ahead = t0 + n / SAMPLE_RATE - time.monotonic()
            if ahead > 0:
                await asyncio.sleep(ahead)

    async def _video(self) -> None:
        x = np.arange(WIDTH * 2)
        rgba = np.zeros((HEIGHT, WIDTH * 2, 4), np.uint8)
        rgba[:, :, 0] = (x * 3 % 256)[None, :]
        rgba[:, :, 1] = np.linspace(0, 255, HEIGHT, dtype=np.uint8)[:, None]
        rgba[:, :, 3] = 255
        i, t0 = 0, time.monotonic()
        while True:
            shift = (i * 4) % WIDTH
            view = np.ascontiguousarray(rgba[:, shift:shift + WIDTH, :]).tobytes()
            for src in (self.camera, self.screen):
                src.capture_frame(rtc.VideoFrame(WIDTH, HEIGHT, rtc.VideoBufferType.RGBA, view))
            i += 1
            self.video_frames = i
            ahead = t0 + i / FPS - time.monotonic()
            if ahead > 0:
                await asyncio.sleep(ahead)


async def publish(url: str, room_name: str, src: Source) -> tuple[rtc.Room, list[str]]:
    """Joins as "host" and publishes the source's microphone and an H.264 camera."""
    room = rtc.Room()
    await room.connect(url, tok("host", room_name))
    lp = room.local_participant
    mic = await lp.publish_track(rtc.LocalAudioTrack.create_audio_track("mic", src.audio),
                                 rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
    cam = await lp.publish_track(rtc.LocalVideoTrack.create_video_track("cam", src.camera),
                                 rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA, video_codec=rtc.VideoCodec.H264, simulcast=False))
    return room, [mic.sid, cam.sid]


async def refused(c: Checks, name: str, aw, code: str, needle: str = "") -> None:
    try:
        got = await aw
        c.fail(name, f"accepted: {got}")
    except api.TwirpError as e:
        c.check(name, e.code == code and needle in e.message, f"{e.code}: {e.message}")


def probe(path: str) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height:format=duration",
                          "-of", "json", path], capture_output=True, text=True, timeout=60)
    return json.loads(out.stdout or "{}")


def decode_errors(path: str) -> str:
    # Every frame decoded at its own time, in the input's time base (`-fps_mode
    # passthrough -enc_time_base -1`): a publisher's capture jitter (two frames 5 ms apart)
    # is not an error, but an output at the frame rate's time base would call it one ("non
    # monotonically increasing dts").
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-fps_mode", "passthrough", "-enc_time_base", "-1", "-f", "null", "-"],
                         capture_output=True, text=True, timeout=120)
    return (out.stderr.strip() or ("" if out.returncode == 0 else f"exit status {out.returncode}"))


def gauge(metrics_url: str, name: str) -> float | None:
    with urllib.request.urlopen(metrics_url, timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return None


async def scenario(c: Checks, url: str, hooks_path: str, metrics_url: str) -> None:
    http_url = url.replace("ws://", "http://").replace("wss://", "https://")
    room_name = f"egress-{uuid.uuid4().hex[:8]}"
    lk = api.LiveKitAPI(http_url, KEY, SECRET)
    room = rtc.Room()
    src = Source()
    try:
        await room.connect(url, tok("presenter", room_name))
        tracks = {
            "audio": (rtc.LocalAudioTrack.create_audio_track("mic", src.audio),
                      rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)),
            "vp8": (rtc.LocalVideoTrack.create_video_track("cam", src.camera),
                    rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA, video_codec=rtc.VideoCodec.VP8, simulcast=False)),
            "h264": (rtc.LocalVideoTrack.create_video_track("screen", src.screen),
                     rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_SCREENSHARE, video_codec=rtc.VideoCodec.H264, simulcast=False)),
        }
        sids = {}
        for name, (track, opts) in tracks.items():
            pub = await room.local_participant.publish_track(track, opts)
            sids[name] = pub.sid
        src.start()

        async def listed():
            people = (await lk.room.list_participants(api.ListParticipantsRequest(room=room_name))).participants
            mimes = {t.sid: t.mime_type for p in people for t in p.tracks if t.mime_type}
            return mimes if set(sids.values()) <= set(mimes) else None
        mimes = await wait_until(listed, 20) or {}
        c.check("egress_tracks_published", set(sids.values()) <= set(mimes), f"tracks {sids} mime types {mimes}")

        # Refusals first: none of them may leave a job behind.
        admin_only = tok("admin", room_name, room_admin=True)
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{http_url}/twirp/livekit.Egress/StartTrackEgress",
                                 data=json.dumps({"room_name": room_name, "track_id": sids["audio"], "file": {"filepath": "x"}}),
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {admin_only}"}) as r:
                body = await r.json(content_type=None)
        c.check("egress_needs_room_record", r.status == 403 and body.get("code") == "permission_denied" and "roomRecord" in body.get("msg", ""),
                f"{r.status} {body}")
        await refused(c, "egress_unknown_track",
                      lk.egress.start_track_egress(api.TrackEgressRequest(room_name=room_name, track_id="TR_nope",
                                                                          file=api.DirectFileOutput(filepath="x"))), "not_found")
        await refused(c, "egress_unknown_room",
                      lk.egress.start_track_egress(api.TrackEgressRequest(room_name="no-such-room", track_id=sids["audio"],
                                                                          file=api.DirectFileOutput(filepath="x"))), "not_found")
        for i, bad in enumerate(["../x", "/etc/x", "a/../../x"]):
            await refused(c, f"egress_hostile_path_{i}",
                          lk.egress.start_track_egress(api.TrackEgressRequest(room_name=room_name, track_id=sids["audio"],
                                                                              file=api.DirectFileOutput(filepath=bad))),
                          "invalid_argument", "filepath")
        await refused(c, "egress_wrong_extension",
                      lk.egress.start_track_egress(api.TrackEgressRequest(room_name=room_name, track_id=sids["audio"],
                                                                          file=api.DirectFileOutput(filepath="a.mp4"))),
                      "invalid_argument", ".ogg")
        await refused(c, "egress_composite_needs_an_output",
                      lk.egress.start_room_composite_egress(api.RoomCompositeEgressRequest(room_name=room_name)),
                      "invalid_argument", "file output")
        await refused(c, "egress_stop_unknown", lk.egress.stop_egress(api.StopEgressRequest(egress_id="EG_nope")), "not_found")
        before = await lk.egress.list_egress(api.ListEgressRequest(room_name=room_name))
        c.check("egress_refusals_left_nothing", len(before.items) == 0, f"{len(before.items)} egresses")

        started = {}
        for name in ("audio", "vp8", "h264"):
            info = await lk.egress.start_track_egress(api.TrackEgressRequest(
                room_name=room_name, track_id=sids[name], file=api.DirectFileOutput(filepath=f"e2e/{{room_name}}/{name}-{{track_id}}")))
            started[name] = info
            c.check(f"egress_started_{name}", info.egress_id.startswith("EG_") and info.room_name == room_name
                    and info.status in (api.EgressStatus.EGRESS_STARTING, api.EgressStatus.EGRESS_ACTIVE)
                    and info.track.track_id == sids[name], f"{info.egress_id} status {info.status}")
        active = await lk.egress.list_egress(api.ListEgressRequest(room_name=room_name, active=True))
        c.check("egress_list_active", sorted(i.egress_id for i in active.items) == sorted(i.egress_id for i in started.values()),
                str([i.egress_id for i in active.items]))

        async def all_active():
            items = (await lk.egress.list_egress(api.ListEgressRequest(room_name=room_name))).items
            return len(items) == 3 and all(i.status == api.EgressStatus.EGRESS_ACTIVE for i in items)
        c.check("egress_all_active", bool(await wait_until(all_active, 20)), "every job wrote its first frame")
        running = gauge(metrics_url, "hikari_egress_recordings")
        c.check("egress_metric_running", running == 3, f"hikari_egress_recordings {running}")

        # About four seconds of media, counted by the frames the source has sent since.
        first = src.video_frames
        async def recorded():
            return src.video_frames - first >= RECORD_SECONDS * FPS
        await wait_until(recorded, 20, 0.1)

        for name, info in started.items():
            stopped = await lk.egress.stop_egress(api.StopEgressRequest(egress_id=info.egress_id))
            c.check(f"egress_stop_{name}", stopped.status in (api.EgressStatus.EGRESS_ENDING, api.EgressStatus.EGRESS_COMPLETE),
                    f"status {stopped.status}")

        async def all_complete():
            items = (await lk.egress.list_egress(api.ListEgressRequest(room_name=room_name))).items
            return items if all(not i.status in (0, 1, 2) for i in items) else None
        done = await wait_until(all_complete, 20) or []
        by_id = {i.egress_id: i for i in done}
        want = {"audio": ("ogg", "opus"), "vp8": ("webm", "vp8"), "h264": ("mp4", "h264")}
        for name, info in started.items():
            e = by_id.get(info.egress_id)
            if e is None:
                c.fail(f"egress_complete_{name}", "not listed")
                continue
            f = e.file_results[0] if e.file_results else None
            dur = (f.duration / 1e9) if f else 0
            c.check(f"egress_complete_{name}", e.status == api.EgressStatus.EGRESS_COMPLETE and f is not None and f.size > 0
                    and f.filename.endswith("." + want[name][0]) and 2.5 <= dur <= 7 and e.ended_at >= e.started_at > 0,
                    f"status {e.status} error {e.error!r} file {f.filename if f else None} size {f.size if f else 0} duration {dur:.2f} s")
            if not f or not f.location.startswith("/recordings/"):
                c.fail(f"egress_file_{name}", f"no file at {f.location if f else None}")
                continue
            # Served by the server itself, to a roomRecord token (here in the query, as a
            # <video src> would carry it).
            file_url = f"{http_url}{f.location}?access_token={tok('viewer', room_name, room_record=True)}"
            p = probe(file_url)
            streams = p.get("streams", [{}])
            s = streams[0] if streams else {}
            pdur = float(p.get("format", {}).get("duration", 0) or 0)
            size_ok = name == "audio" or (s.get("width"), s.get("height")) == (WIDTH, HEIGHT)
            c.check(f"egress_ffprobe_{name}", s.get("codec_name") == want[name][1] and size_ok and abs(pdur - dur) <= 1.0,
                    f"{s} duration {pdur:.2f} s (egress says {dur:.2f} s)")
            errors = decode_errors(file_url)
            c.check(f"egress_decodes_{name}", errors == "", errors[:300])
        await check_downloads(c, http_url, room_name, by_id[started["audio"].egress_id].file_results[0])
        await refused(c, "egress_stop_twice", lk.egress.stop_egress(api.StopEgressRequest(egress_id=started["audio"].egress_id)),
                      "failed_precondition")

        # Webhooks: started, updated (active, then ending), ended, per egress, in order.
        receiver = api.WebhookReceiver(api.TokenVerifier(KEY, SECRET))
        async def hooks_done():
            evs = [h for h in hooks_for(hooks_path, room_name) if h["event"].startswith("egress_")]
            return evs if sum(h["event"] == "egress_ended" for h in evs) >= 3 else None
        hooks = await wait_until(hooks_done, 15) or []
        per: dict[str, list[str]] = {}
        verified = 0
        for h in hooks:
            try:
                ev = receiver.receive(h["body"], h["authorization"])
                per.setdefault(ev.egress_info.egress_id, []).append(ev.event)
                verified += 1
            except Exception as e:  # noqa: BLE001
                c.fail("egress_webhook_verifies", f"{h['event']}: {e}")
        c.check("egress_webhook_verifies", verified == len(hooks) and verified > 0, f"{verified} verified")
        for name, info in started.items():
            got = per.get(info.egress_id, [])
            c.check(f"egress_webhooks_{name}", got == ["egress_started", "egress_updated", "egress_updated", "egress_ended"], str(got))
    finally:
        await src.stop()
        await room.disconnect()
        await lk.aclose()


async def check_downloads(c: Checks, http_url: str, room_name: str, f) -> None:
    """The recordings route: the grant, ranges, and paths that would leave the directory."""
    good = {"Authorization": f"Bearer {tok('viewer', room_name, room_record=True)}"}
    plain = {"Authorization": f"Bearer {tok('viewer', room_name)}"}
    async with aiohttp.ClientSession() as http:
        async def status(path: str, headers: dict) -> tuple[int, bytes, dict]:
            async with http.get(f"{http_url}{path}", headers=headers) as r:
                return r.status, await r.read(), dict(r.headers)
        got = await status(f.location, good)
        c.check("download_whole", got[0] == 200 and len(got[1]) == f.size and got[2].get("X-Content-Type-Options") == "nosniff",
                f"{got[0]} {len(got[1])} bytes of {f.size}")
        got = await status(f.location, {**good, "Range": "bytes=0-3"})
        c.check("download_range", got[0] == 206 and got[1] == b"OggS", f"{got[0]} {got[1][:8]!r}")
        c.check("download_needs_a_token", (await status(f.location, {}))[0] == 401, "no token")
        c.check("download_needs_room_record", (await status(f.location, plain))[0] == 403, "a join token")
        for i, path in enumerate(["/recordings/..%2f..%2fetc%2fpasswd", "/recordings/%2e%2e/%2e%2e/etc/passwd", "/recordings/e2e/../../../etc/passwd",
                                  "/recordings//etc/passwd", "/recordings/e2e"]):
            got = await status(path, good)
            c.check(f"download_stays_inside_{i}", got[0] in (400, 404) and b"root:" not in got[1], f"{path}: {got[0]}")


async def auto_scenario(c: Checks, url: str, lk: api.LiveKitAPI) -> None:
    room_name = f"auto-{uuid.uuid4().hex[:8]}"
    await refused(c, "auto_participant_egress_needs_an_output",
                  lk.room.create_room(api.CreateRoomRequest(name=room_name, egress=api.RoomEgress(
                      participant=api.AutoParticipantEgress()))), "invalid_argument", "file output")
    await lk.room.create_room(api.CreateRoomRequest(name=room_name, egress=api.RoomEgress(
        tracks=api.AutoTrackEgress(filepath="auto/{room_name}/{publisher_identity}.mp4"))))
    room = rtc.Room()
    src = Source()
    try:
        await room.connect(url, tok("host", room_name))
        await room.local_participant.publish_track(rtc.LocalAudioTrack.create_audio_track("mic", src.audio),
                                                   rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
        await room.local_participant.publish_track(rtc.LocalVideoTrack.create_video_track("cam", src.camera),
                                                   rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA, simulcast=False))
        src.start()

        async def two_active():
            items = (await lk.egress.list_egress(api.ListEgressRequest(room_name=room_name))).items
            return items if len(items) == 2 and all(i.status == api.EgressStatus.EGRESS_ACTIVE for i in items) else None
        active = await wait_until(two_active, 20) or []
        c.check("auto_egress_each_track", len(active) == 2, str([(i.egress_id, i.status) for i in active]))
        first = src.video_frames
        async def recorded():
            return src.video_frames - first >= 2 * FPS
        await wait_until(recorded, 10, 0.1)
    finally:
        await src.stop()
        await room.disconnect()

    async def all_done():
        items = (await lk.egress.list_egress(api.ListEgressRequest(room_name=room_name))).items
        return items if items and all(i.status >= api.EgressStatus.EGRESS_COMPLETE for i in items) else None
    done = await wait_until(all_done, 20) or []
    names = sorted(i.file_results[0].filename for i in done if i.file_results)
    ok = (len(done) == 2 and all(i.status == api.EgressStatus.EGRESS_COMPLETE for i in done)
          and sorted(n.rsplit(".", 1)[-1] for n in names) == ["ogg", "webm"] and all(n.startswith(f"auto/{room_name}/host-TR_") for n in names)
          and all(i.file_results[0].location.startswith("/recordings/auto/") and i.file_results[0].size > 0 for i in done))
    c.check("auto_egress_completes_when_the_publisher_leaves", ok,
            str([(i.status, i.error, i.file_results[0].filename if i.file_results else None) for i in done]))


async def auto_participant_scenario(c: Checks, url: str, lk: api.LiveKitAPI) -> None:
    """CreateRoom's egress.participant: a participant publishing is recorded (camera and
    microphone) to a file and HLS named for them."""
    room_name = f"autop-{uuid.uuid4().hex[:8]}"
    await lk.room.create_room(api.CreateRoomRequest(name=room_name, egress=api.RoomEgress(participant=api.AutoParticipantEgress(
        file_outputs=[api.EncodedFileOutput(filepath="autop/{room_name}.mp4")],
        segment_outputs=[api.SegmentedFileOutput(filename_prefix="autop/{room_name}-hls", segment_duration=2)]))))
    src = Source()
    room, _ = await publish(url, room_name, src)
    src.start()
    try:
        async def active():
            items = (await lk.egress.list_egress(api.ListEgressRequest(room_name=room_name))).items
            return items if len(items) == 1 and items[0].status == api.EgressStatus.EGRESS_ACTIVE else None
        started = await wait_until(active, 20) or []
        c.check("auto_participant_egress_starts", len(started) == 1 and started[0].participant.identity == "host",
                str([(i.status, i.participant.identity, i.error) for i in started]))
        first = src.video_frames
        async def recorded():
            return src.video_frames - first >= 2 * FPS
        await wait_until(recorded, 10, 0.1)
        for i in started:
            await lk.egress.stop_egress(api.StopEgressRequest(egress_id=i.egress_id))
    finally:
        await src.stop()
        await room.disconnect()

    async def done():
        items = (await lk.egress.list_egress(api.ListEgressRequest(room_name=room_name))).items
        return items if items and all(i.status >= api.EgressStatus.EGRESS_COMPLETE for i in items) else None
    ended = await wait_until(done, 20) or []
    e = ended[0] if ended else None
    ok = (e is not None and e.status == api.EgressStatus.EGRESS_COMPLETE and e.file_results and e.segment_results
          and e.file_results[0].filename == f"autop/{room_name}-host.mp4" and e.segment_results[0].playlist_name.startswith(f"autop/{room_name}-hls-host"))
    c.check("auto_participant_egress_writes_named_outputs", bool(ok),
            str([(i.status, i.error, [f.filename for f in i.file_results], [s.playlist_name for s in i.segment_results]) for i in ended]))


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--hooks", required=True)
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--label", default="server-sdk-egress")
    args = ap.parse_args()
    c = Checks(args.label)
    try:
        await asyncio.wait_for(scenario(c, args.url, args.hooks, args.metrics), 150)
        lk = api.LiveKitAPI(args.url.replace("ws://", "http://"), KEY, SECRET)
        try:
            await asyncio.wait_for(auto_scenario(c, args.url, lk), 90)
            await asyncio.wait_for(auto_participant_scenario(c, args.url, lk), 60)
        finally:
            await lk.aclose()
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        c.fail("egress_scenario_completed", f"{type(e).__name__}: {e}")
    return c.summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
