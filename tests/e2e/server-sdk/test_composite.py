"""Server-SDK scenario for room composites: two participants of the Python livekit SDK publish
a camera each (one H.264, one VP8) and a microphone; PyPI livekit-api starts a room
composite (MP4 file and HLS), changes its layout while it runs, and the outputs are checked
with ffprobe, ffmpeg and numpy.

  start     StartRoomCompositeEgress (layout grid, 640x360 at 30 fps, a file and a segment
            output) becomes ACTIVE; its EgressInfo echoes the layout and the encoding
  layout    UpdateLayout to single-speaker answers with the new layout, ListEgress shows it,
            and an egress_updated webhook carries it; a layout name it does not know is
            invalid_argument
  file      after StopEgress: EGRESS_COMPLETE with a file result; ffprobe reads H.264 at
            640x360 and Opus, the duration within 1 s of the file result's and of the time
            recorded; `ffmpeg -v error` decodes it silently; audio and video start within
            40 ms of each other; the audio is not silent
  frames    a frame from the grid part shows both cameras side by side on the background (the
            band above them is flat, the tiles are not); a frame from the single-speaker part
            fills that band with a camera's picture
  hls       the HLS output of the same composite: the event playlist on disk ends with
            ENDLIST and ffprobe reads H.264 and Opus from it
  audio     an audio_only composite writes an MP4 with one Opus stream
  vp8       a track composite of the VP8 camera and its microphone is transcoded: an MP4 of
            H.264 at the requested preset's size and Opus, the camera filling the canvas
  auto      a room created with egress.room has its composite listed at once, waiting
            (STARTING) for a first track; deleting the room ends it ABORTED, no file left
  bad       an unknown room: not_found; a custom_base_url: unimplemented; AAC audio:
            unimplemented; the node's composite limit (egress.max_composites: 2 in the test
            configuration): the third at once is resource_exhausted, naming the limit

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
import uuid

import numpy as np
from livekit import api, rtc

from test_api import KEY, SECRET, Checks, wait_until
from test_egress import FPS, Source, decode_errors, publish, refused, tok

CANVAS_W, CANVAS_H = 640, 360
PART_SECONDS = 4.0


async def publish_guest(url: str, room_name: str, src: Source) -> rtc.Room:
    """Joins as "guest" and publishes a VP8 camera and a microphone."""
    room = rtc.Room()
    await room.connect(url, tok("guest", room_name))
    lp = room.local_participant
    await lp.publish_track(rtc.LocalAudioTrack.create_audio_track("mic", src.audio),
                           rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
    await lp.publish_track(rtc.LocalVideoTrack.create_video_track("cam", src.camera),
                           rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA, video_codec=rtc.VideoCodec.VP8, simulcast=False))
    return room


def run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


def streams(path: str) -> tuple[list[dict], float]:
    out = run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height,start_time:format=duration", "-of", "json", path])
    info = json.loads(out.stdout or "{}")
    return info.get("streams", []), float(info.get("format", {}).get("duration", 0) or 0)


def luma_at(path: str, seconds: float, size: tuple[int, int] = (CANVAS_H, CANVAS_W)) -> np.ndarray | None:
    """The Y plane of the frame at `seconds` (gray, `size` = (height, width))."""
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-ss", f"{seconds:.2f}", "-i", path, "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, timeout=60)
    if len(out.stdout) != size[0] * size[1]:
        return None
    return np.frombuffer(out.stdout, np.uint8).reshape(size)


async def active_of(lk: api.LiveKitAPI, egress_id: str):
    items = (await lk.egress.list_egress(api.ListEgressRequest(egress_id=egress_id))).items
    return items[0] if items and items[0].status == api.EgressStatus.EGRESS_ACTIVE else None


def audio_rms(path: str) -> float:
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:a:0", "-f", "s16le", "-ac", "1", "-ar", "48000", "-"],
                         capture_output=True, timeout=60)
    samples = np.frombuffer(out.stdout, np.int16).astype(np.float64)
    return float(np.sqrt(np.mean(samples ** 2))) if samples.size else 0.0


async def ended(lk: api.LiveKitAPI, egress_id: str, within: float = 30) -> api.EgressInfo | None:
    async def done():
        items = (await lk.egress.list_egress(api.ListEgressRequest(egress_id=egress_id))).items
        return items[0] if items and items[0].status >= api.EgressStatus.EGRESS_COMPLETE else None
    return await wait_until(done, within)


def hooks_of(path: str, event: str, egress_id: str) -> list[dict]:
    found = []
    if not os.path.exists(path):
        return found
    with open(path) as f:
        for line in f:
            try:
                body = json.loads(json.loads(line)["body"])
            except (ValueError, KeyError, TypeError):
                continue
            if body.get("event") == event and body.get("egressInfo", {}).get("egressId") == egress_id:
                found.append(body)
    return found


async def scenario(c: Checks, url: str, recordings: str, hooks: str) -> None:
    base = url.replace("ws://", "http://").replace("wss://", "https://")
    room_name = f"rc-{uuid.uuid4().hex[:8]}"
    lk = api.LiveKitAPI(base, KEY, SECRET)
    host_src, guest_src = Source(), Source()
    host, _ = await publish(url, room_name, host_src)
    guest = await publish_guest(url, room_name, guest_src)
    host_src.start()
    guest_src.start()
    try:
        async def listed():
            people = (await lk.room.list_participants(api.ListParticipantsRequest(room=room_name))).participants
            return sum(1 for p in people for t in p.tracks if t.mime_type) >= 4
        c.check("composite_tracks_published", bool(await wait_until(listed, 20)))
        encoding = api.EncodingOptions(width=CANVAS_W, height=CANVAS_H, framerate=30, video_bitrate=1500, key_frame_interval=1)
        prefix = f"composite/{room_name}"
        info = await lk.egress.start_room_composite_egress(api.RoomCompositeEgressRequest(
            room_name=room_name, layout="grid", advanced=encoding,
            file_outputs=[api.EncodedFileOutput(filepath=f"{prefix}/room.mp4")],
            segment_outputs=[api.SegmentedFileOutput(segment_duration=2, filename_prefix=f"{prefix}/hls")]))
        egress_id = info.egress_id
        rc = info.room_composite
        c.check("composite_start_echoes_request", rc.layout == "grid" and rc.advanced.width == CANVAS_W and rc.advanced.framerate == 30,
                f"{rc.layout} {rc.advanced.width}x{rc.advanced.height}@{rc.advanced.framerate}")
        t_start = time.monotonic()

        c.check("composite_becomes_active", bool(await wait_until(lambda: active_of(lk, egress_id), 20)))
        # A second composite, audio only, beside it.
        audio_only = await lk.egress.start_room_composite_egress(api.RoomCompositeEgressRequest(
            room_name=room_name, audio_only=True, file_outputs=[api.EncodedFileOutput(filepath=f"{prefix}/audio.mp4")]))
        # The limit is two: a third is refused while both run.
        await refused(c, "composite_limit_refuses_the_third", lk.egress.start_room_composite_egress(api.RoomCompositeEgressRequest(
            room_name=room_name, file_outputs=[api.EncodedFileOutput(filepath=f"{prefix}/third.mp4")])), "resource_exhausted", "max_composites")

        await asyncio.sleep(max(0.0, PART_SECONDS - (time.monotonic() - t_start)))
        t_switch = time.monotonic() - t_start
        updated = await lk.egress.update_layout(api.UpdateLayoutRequest(egress_id=egress_id, layout="single-speaker"))
        listed_layout = (await lk.egress.list_egress(api.ListEgressRequest(egress_id=egress_id))).items[0].room_composite.layout
        c.check("composite_update_layout", updated.room_composite.layout == "single-speaker" and listed_layout == "single-speaker",
                f"{updated.room_composite.layout} / {listed_layout}")
        await refused(c, "composite_unknown_layout_refused", lk.egress.update_layout(api.UpdateLayoutRequest(egress_id=egress_id, layout="mosaic")),
                      "invalid_argument", "layout")
        await asyncio.sleep(PART_SECONDS)
        recorded = time.monotonic() - t_start
        for i in (egress_id, audio_only.egress_id):
            await lk.egress.stop_egress(api.StopEgressRequest(egress_id=i))
        done = await ended(lk, egress_id)
        updates = await wait_until(lambda: asyncio.sleep(0, hooks_of(hooks, "egress_updated", egress_id) or None), 10) or []
        c.check("composite_layout_webhook", any(u.get("egressInfo", {}).get("roomComposite", {}).get("layout") == "single-speaker" for u in updates),
                f"{len(updates)} egress_updated")
        c.check("composite_completes", done is not None and done.status == api.EgressStatus.EGRESS_COMPLETE and len(done.file_results) == 1,
                f"{done.status if done else None} {done.error if done else ''}")
        if done is None or not done.file_results:
            return
        fr = done.file_results[0]
        path = os.path.join(recordings, fr.filename)
        st, duration = streams(path)
        video = next((s for s in st if s.get("codec_type") == "video"), {})
        audio = next((s for s in st if s.get("codec_type") == "audio"), {})
        c.check("composite_file_codecs", video.get("codec_name") == "h264" and (video.get("width"), video.get("height")) == (CANVAS_W, CANVAS_H)
                and audio.get("codec_name") == "opus", str(st))
        c.check("composite_file_duration", abs(duration - fr.duration / 1e9) <= 1.0 and abs(duration - recorded) <= 1.5,
                f"ffprobe {duration:.2f} s, file result {fr.duration / 1e9:.2f} s, recorded {recorded:.2f} s")
        errors = decode_errors(path)
        c.check("composite_file_decodes_silently", errors == "", errors[:300])
        offset = abs(float(video.get("start_time", 0) or 0) - float(audio.get("start_time", 0) or 0))
        c.check("composite_av_start_offset", offset < 0.040, f"{offset * 1000:.1f} ms")
        rms = audio_rms(path)
        c.check("composite_audio_not_silent", rms > 500, f"rms {rms:.0f}")

        grid = luma_at(path, max(0.5, t_switch - 1.0))
        single = luma_at(path, min(duration - 0.5, t_switch + 2.5))
        band = (slice(10, 60), slice(CANVAS_W // 2 - 120, CANVAS_W // 2 + 120))
        if grid is not None and single is not None:
            left, right = grid[CANVAS_H // 2 - 40:CANVAS_H // 2 + 40, 40:280], grid[CANVAS_H // 2 - 40:CANVAS_H // 2 + 40, 360:600]
            c.check("composite_grid_frame_shows_both_cameras", float(grid[band].std()) < 3 and float(left.std()) > 10 and float(right.std()) > 10,
                    f"band std {grid[band].std():.1f}, left {left.std():.1f}, right {right.std():.1f}")
            c.check("composite_single_speaker_fills_the_band", float(single[band].std()) > 10, f"band std {single[band].std():.1f}")
        else:
            c.fail("composite_frames", f"no frame read: grid {grid is not None}, single {single is not None}")

        seg = done.segment_results[0] if done.segment_results else None
        playlist = os.path.join(recordings, seg.playlist_name) if seg else ""
        text = open(playlist).read() if seg and os.path.exists(playlist) else ""
        hst, _ = streams(playlist) if text else ([], 0)
        c.check("composite_hls_output", "#EXT-X-ENDLIST" in text and {s.get("codec_name") for s in hst} == {"h264", "opus"}, str(hst)[:200])

        adone = await ended(lk, audio_only.egress_id)
        ast, aduration = streams(os.path.join(recordings, adone.file_results[0].filename)) if adone and adone.file_results else ([], 0)
        c.check("composite_audio_only_file", [s.get("codec_name") for s in ast] == ["opus"] and aduration > 3, f"{ast} {aduration:.1f} s")

        people = (await lk.room.list_participants(api.ListParticipantsRequest(room=room_name))).participants
        guest_tracks = {t.type: t.sid for p in people if p.identity == "guest" for t in p.tracks}
        tc = await lk.egress.start_track_composite_egress(api.TrackCompositeEgressRequest(
            room_name=room_name, video_track_id=guest_tracks.get(api.TrackType.VIDEO, ""), audio_track_id=guest_tracks.get(api.TrackType.AUDIO, ""),
            preset=api.EncodingOptionsPreset.PORTRAIT_H264_720P_30, file_outputs=[api.EncodedFileOutput(filepath=f"{prefix}/guest.mp4")]))
        started = await wait_until(lambda: active_of(lk, tc.egress_id), 20)
        await asyncio.sleep(3)
        await lk.egress.stop_egress(api.StopEgressRequest(egress_id=tc.egress_id))
        tdone = await ended(lk, tc.egress_id)
        tpath = os.path.join(recordings, tdone.file_results[0].filename) if tdone and tdone.file_results else ""
        tst, tdur = streams(tpath) if tpath else ([], 0)
        tv = next((x for x in tst if x.get("codec_type") == "video"), {})
        frame = luma_at(tpath, 1.5, (1280, 720)) if tpath else None
        # The 4:3 camera fills the portrait canvas's width; the bands above and below it are the background.
        filled = frame is not None and float(frame[600:680, 100:620].std()) > 10
        c.check("composite_vp8_track_transcoded", bool(started) and [x.get("codec_name") for x in tst] == ["h264", "opus"]
                and (tv.get("width"), tv.get("height")) == (720, 1280) and tdur > 2 and filled,
                f"{tst} {tdur:.1f} s, filled {filled}, {tdone.error if tdone else 'not ended'}")

        auto_room = f"rc-auto-{uuid.uuid4().hex[:8]}"
        await lk.room.create_room(api.CreateRoomRequest(name=auto_room, egress=api.RoomEgress(room=api.RoomCompositeEgressRequest(
            layout="speaker", file_outputs=[api.EncodedFileOutput(filepath=f"composite/{auto_room}.mp4")]))))
        auto = (await lk.egress.list_egress(api.ListEgressRequest(room_name=auto_room))).items
        c.check("composite_auto_starts_with_the_room", len(auto) == 1 and auto[0].status == api.EgressStatus.EGRESS_STARTING
                and auto[0].room_composite.layout == "speaker", str([(i.status, i.room_composite.layout) for i in auto]))
        if auto:
            await lk.room.delete_room(api.DeleteRoomRequest(room=auto_room))
            gone = await ended(lk, auto[0].egress_id, 15)
            c.check("composite_auto_ends_with_the_room", gone is not None and gone.status == api.EgressStatus.EGRESS_ABORTED
                    and not os.path.exists(os.path.join(recordings, f"composite/{auto_room}.mp4")), f"{gone.status if gone else None} {gone.error if gone else ''}")
        await refused(c, "composite_unknown_room", lk.egress.start_room_composite_egress(api.RoomCompositeEgressRequest(
            room_name="no-such-room", file_outputs=[api.EncodedFileOutput(filepath="x.mp4")])), "not_found")
        await refused(c, "composite_custom_template_unimplemented", lk.egress.start_room_composite_egress(api.RoomCompositeEgressRequest(
            room_name=room_name, custom_base_url="https://example.invalid/", file_outputs=[api.EncodedFileOutput(filepath="y.mp4")])), "unimplemented")
        await refused(c, "composite_aac_unimplemented", lk.egress.start_room_composite_egress(api.RoomCompositeEgressRequest(
            room_name=room_name, advanced=api.EncodingOptions(audio_codec=api.AudioCodec.AAC), file_outputs=[api.EncodedFileOutput(filepath="z.mp4")])),
            "unimplemented", "Opus")
    finally:
        await host_src.stop()
        await guest_src.stop()
        await host.disconnect()
        await guest.disconnect()
        await lk.aclose()


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--recordings", required=True, help="the server's recordings directory")
    ap.add_argument("--hooks", required=True)
    ap.add_argument("--label", default="server-sdk-composite")
    args = ap.parse_args()
    c = Checks(args.label)
    try:
        await asyncio.wait_for(scenario(c, args.url, args.recordings, args.hooks), 150)
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        c.fail("composite_scenario_completed", f"{type(e).__name__}: {e}")
    return c.summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
