"""Server-SDK scenario for HLS egress: the Python livekit SDK publishes an H.264 camera, a
VP8 screen share and a microphone (Opus); PyPI livekit-api packages them as HLS without
transcoding, and the playlists and segments are checked with the m3u8 parser, ffprobe and
ffmpeg.

  start     StartParticipantEgress (camera + microphone, 2 s segments) and
            StartTrackCompositeEgress (the same two tracks by id) start and become ACTIVE
            with segment_results naming the playlist and the live playlist
  live      /hls/<id>/live.m3u8 with a viewer's join token: LL-HLS (server control with
            blocking reload, part target, parts, a preload hint, the init map) parsed by m3u8;
            each INDEPENDENT part starts with a video keyframe (ffprobe on init + part); a
            blocking reload for the next part answers when it exists, and names it; a
            delta update skips old segments; a token for another room: 403; none: 401
  files     after StopEgress: EGRESS_COMPLETE with segment_results (2+ segments, duration
            within 1 s of ffprobe's); the event playlist on /recordings ends with ENDLIST;
            ffprobe reads h264 and opus from it; `ffmpeg -v error` decodes it silently; the
            audio and video start within 200 ms of each other
  bad       an audio track given as the video: invalid_argument naming the codecs that
            work (a VP8 video is transcoded: test_composite.py); an unknown participant or
            track: not_found; a playlist name that climbs out: invalid_argument; a file
            output of another type than MP4: unimplemented
  thumbs    the participant egress also writes thumbnails (ImageOutput, every 2 s, 160 wide):
            image_results count them, each file is a 160x120 JPEG served on /recordings; a
            track composite with only an image output (every 1 s) becomes ACTIVE and completes
            with its images
  rejoin    a participant egress outlives its publisher leaving and joining again (new
            session, new track ids): it stays ACTIVE through the gap, picks up the new tracks,
            and completes with one recording spanning both sessions that ffprobe reads and
            ffmpeg decodes silently
  avail     the server's hikari_hls_part_availability_seconds histogram (from the arrival of
            a part's last frame to the part being served) has its 99th percentile within
            50 ms (the issue's goal; it measures one frame interval plus the packaging)

Prints PASS/FAIL lines and "LABEL: N passed, N failed". Exit status 0 only if every check passed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import tempfile
import time
import traceback
import uuid

import aiohttp
import m3u8
from livekit import api, rtc

from test_api import KEY, SECRET, Checks, wait_until
from test_egress import FPS, HEIGHT, WIDTH, Source, publish, refused, tok

SEGMENT_SECONDS = 2
RECORD_SECONDS = 7.0
# A part's URI in the live playlist (EXT-X-PART lines; the preload hint is not a part yet).
PART_URI = re.compile(r'#EXT-X-PART:[^\n]*URI="part(\d+)\.(\d+)\.m4s')
HINT_URI = re.compile(r'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part(\d+)\.(\d+)\.m4s')


def run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


def first_video_frame_is_key(data: bytes) -> tuple[bool, str]:
    """Whether the first video frame of an init segment + part is a keyframe (ffprobe)."""
    with tempfile.NamedTemporaryFile(suffix=".mp4") as f:
        f.write(data)
        f.flush()
        out = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame,pict_type",
                   "-read_intervals", "%+#1", "-of", "json", f.name])
        frames = json.loads(out.stdout or "{}").get("frames", [])
        return bool(frames) and frames[0].get("key_frame") == 1, f"{frames[:1]} {out.stderr.strip()[:200]}"


async def live_checks(c: Checks, http: aiohttp.ClientSession, base: str, location: str, room_name: str) -> None:
    viewer = tok("viewer", room_name, can_subscribe=True)
    url = f"{base}{location}"

    async def get(u: str, **kw) -> tuple[int, bytes]:
        async with http.get(u, **kw) as r:
            return r.status, await r.read()

    async def playlist(query: str = "") -> tuple[int, str]:
        status, body = await get(f"{url}?access_token={viewer}{query}")
        return status, body.decode(errors="replace")

    async def enough_parts():
        status, text = await playlist()
        return text if status == 200 and text.count("#EXTINF") >= 2 and "#EXT-X-PART:" in text else None
    text = await wait_until(enough_parts, 30) or ""
    pl = m3u8.loads(text, uri=url)
    sc = pl.server_control
    c.check("hls_live_is_ll_hls", text.startswith("#EXTM3U") and sc is not None and sc.can_block_reload == "YES"
            and pl.part_inf is not None and 0.2 <= float(pl.part_inf.part_target) <= 0.5 and pl.preload_hint is not None
            and any(s.init_section for s in pl.segments), text[:400])
    parts = [(s.uri, p) for s in pl.segments for p in s.parts]
    c.check("hls_live_has_parts", len(parts) >= 3 and all(float(p.duration) <= float(pl.part_inf.part_target) + 0.001 for _, p in parts) if pl.part_inf else False,
            f"{len(parts)} parts, target {pl.part_inf.part_target if pl.part_inf else None}, durations {[float(p.duration) for _, p in parts]}")
    init_uri = next((s.init_section.uri for s in pl.segments if s.init_section), "init.mp4")
    status, init = await get(f"{base}{location.rsplit('/', 1)[0]}/{init_uri.split('?')[0]}?access_token={viewer}")
    c.check("hls_live_init", status == 200 and init[4:8] == b"ftyp", f"{status} {init[:12]!r}")
    independent = [p for _, p in parts if p.independent == "YES"]
    bad = []
    for p in independent[:4]:
        status, data = await get(f"{base}{location.rsplit('/', 1)[0]}/{p.uri.split('?')[0]}?access_token={viewer}")
        ok, detail = first_video_frame_is_key(init + data) if status == 200 else (False, f"status {status}")
        if not ok:
            bad.append(f"{p.uri}: {detail}")
    c.check("hls_independent_parts_start_on_keyframes", len(independent) >= 1 and not bad, f"{len(independent)} independent; {bad[:2]}")

    # A blocking reload for the hinted part, which does not exist yet: answered once it does,
    # naming it (or, if the segment ended first, the next segment's first part).
    hinted = HINT_URI.search(text)
    msn, idx = (int(hinted.group(1)), int(hinted.group(2))) if hinted else (0, 0)
    t0 = time.monotonic()
    status, blocked = await playlist(f"&_HLS_msn={msn}&_HLS_part={idx}")
    waited = time.monotonic() - t0
    now_named = {(int(m), int(i)) for m, i in PART_URI.findall(blocked)}
    c.check("hls_blocking_reload", hinted is not None and status == 200 and ((msn, idx) in now_named or (msn + 1, 0) in now_named),
            f"{status} after {waited * 1000:.0f} ms, asked {msn}.{idx}, newest now {max(now_named) if now_named else None}")
    print(f"METRIC hls blocking_reload_answer {waited * 1000:.0f} ms", flush=True)
    status, _ = await playlist(f"&_HLS_msn={msn + 10}")
    c.check("hls_blocking_reload_too_far", status == 400, f"{status}")

    async def long_enough():
        s, t = await playlist()
        return t if s == 200 and t.count("#EXTINF") >= 4 else None
    text = await wait_until(long_enough, 30) or ""
    status, delta = await playlist("&_HLS_skip=YES")
    c.check("hls_delta_update", status == 200 and ("#EXT-X-SKIP:SKIPPED-SEGMENTS=" in delta or delta.count("#EXTINF") <= text.count("#EXTINF")),
            delta[:300])

    status, _ = await get(url)
    c.check("hls_live_needs_a_token", status == 401, f"{status}")
    other = tok("viewer", "another-room", can_subscribe=True)
    status, _ = await get(f"{url}?access_token={other}")
    c.check("hls_live_needs_the_room", status == 403, f"{status}")


async def scenario(c: Checks, url: str) -> None:
    base = url.replace("ws://", "http://").replace("wss://", "https://")
    room_name = f"hls-{uuid.uuid4().hex[:8]}"
    lk = api.LiveKitAPI(base, KEY, SECRET)
    room = rtc.Room()
    src = Source()
    http = aiohttp.ClientSession()
    try:
        room, (mic_sid, cam_sid) = await publish(url, room_name, src)
        screen = await room.local_participant.publish_track(rtc.LocalVideoTrack.create_video_track("screen", src.screen),
                                        rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_SCREENSHARE, video_codec=rtc.VideoCodec.VP8, simulcast=False))
        src.start()

        async def listed():
            people = (await lk.room.list_participants(api.ListParticipantsRequest(room=room_name))).participants
            sids = {t.sid for p in people for t in p.tracks if t.mime_type}
            return {mic_sid, cam_sid, screen.sid} <= sids
        c.check("hls_tracks_published", bool(await wait_until(listed, 20)), "three tracks")

        seg = lambda **kw: api.SegmentedFileOutput(segment_duration=SEGMENT_SECONDS, **kw)  # noqa: E731
        await refused(c, "hls_audio_as_video_refused", lk.egress.start_track_composite_egress(api.TrackCompositeEgressRequest(
            room_name=room_name, video_track_id=mic_sid, segment_outputs=[seg()])), "invalid_argument", "H.264")
        await refused(c, "hls_unknown_participant", lk.egress.start_participant_egress(api.ParticipantEgressRequest(
            room_name=room_name, identity="nobody", segment_outputs=[seg()])), "not_found")
        await refused(c, "hls_unknown_track", lk.egress.start_track_composite_egress(api.TrackCompositeEgressRequest(
            room_name=room_name, video_track_id="TR_nope", segment_outputs=[seg()])), "not_found")
        await refused(c, "hls_hostile_playlist", lk.egress.start_participant_egress(api.ParticipantEgressRequest(
            room_name=room_name, identity="host", segment_outputs=[seg(playlist_name="../../x.m3u8")])), "invalid_argument")
        await refused(c, "hls_composite_ogg_file_unimplemented", lk.egress.start_track_composite_egress(api.TrackCompositeEgressRequest(
            room_name=room_name, video_track_id=cam_sid, file_outputs=[api.EncodedFileOutput(filepath="x.ogg", file_type=api.EncodedFileType.OGG)])),
            "unimplemented", "MP4")

        part = await lk.egress.start_participant_egress(api.ParticipantEgressRequest(
            room_name=room_name, identity="host", segment_outputs=[seg(filename_prefix="e2e-hls/{room_name}/host")],
            image_outputs=[api.ImageOutput(capture_interval=2, width=160, filename_prefix="e2e-hls/{room_name}/thumb")]))
        thumbs = await lk.egress.start_track_composite_egress(api.TrackCompositeEgressRequest(
            room_name=room_name, video_track_id=cam_sid,
            image_outputs=[api.ImageOutput(capture_interval=1, filename_prefix="e2e-hls/{room_name}/only")]))
        comp = await lk.egress.start_track_composite_egress(api.TrackCompositeEgressRequest(
            room_name=room_name, video_track_id=cam_sid, audio_track_id=mic_sid,
            segment_outputs=[seg(filename_prefix="e2e-hls/{room_name}/composite", playlist_name="index.m3u8")]))
        c.check("hls_started", part.egress_id.startswith("EG_") and comp.egress_id.startswith("EG_")
                and part.participant.identity == "host" and comp.track_composite.video_track_id == cam_sid,
                f"{part.egress_id} {comp.egress_id}")

        async def active():
            items = (await lk.egress.list_egress(api.ListEgressRequest(room_name=room_name))).items
            hls = [i for i in items if i.egress_id != thumbs.egress_id]
            ok = len(items) == 3 and all(i.status == api.EgressStatus.EGRESS_ACTIVE for i in items) and all(i.segment_results for i in hls)
            return hls if ok else None
        items = await wait_until(active, 30) or []
        c.check("hls_active", len(items) == 2, str([(i.egress_id, i.status, i.error) for i in items]))
        by_id = {i.egress_id: i for i in items}
        info = by_id.get(part.egress_id)
        live = info.segment_results[0].live_playlist_location if info and info.segment_results else ""
        c.check("hls_live_location", live == f"/hls/{part.egress_id}/live.m3u8", live)
        if live:
            await live_checks(c, http, base, live, room_name)

        first = src.video_frames
        async def recorded():
            return src.video_frames - first >= RECORD_SECONDS * FPS
        await wait_until(recorded, 30, 0.1)
        for e in (part, comp, thumbs):
            await lk.egress.stop_egress(api.StopEgressRequest(egress_id=e.egress_id))

        async def complete():
            items = (await lk.egress.list_egress(api.ListEgressRequest(room_name=room_name))).items
            return items if items and all(i.status >= api.EgressStatus.EGRESS_COMPLETE for i in items) else None
        done = {i.egress_id: i for i in (await wait_until(complete, 30) or [])}
        reader = tok("reader", room_name, room_record=True)
        await thumbnail_checks(c, http, base, reader, done.get(part.egress_id), done.get(thumbs.egress_id))
        for name, e in (("participant", part), ("composite", comp)):
            d = done.get(e.egress_id)
            s = d.segment_results[0] if d and d.segment_results else None
            dur = s.duration / 1e9 if s else 0
            c.check(f"hls_complete_{name}", d is not None and d.status == api.EgressStatus.EGRESS_COMPLETE and s is not None
                    and s.segment_count >= 2 and s.size > 0 and s.playlist_location.startswith("/recordings/e2e-hls/"),
                    f"{d.status if d else None} {d.error if d else ''} {s}")
            if not s:
                continue
            headers = ["-headers", f"Authorization: Bearer {reader}\r\n"]
            purl = f"{base}{s.playlist_location}"
            async with http.get(purl, headers={"Authorization": f"Bearer {reader}"}) as r:
                text = await r.text()
            c.check(f"hls_event_playlist_{name}", r.status == 200 and "#EXT-X-ENDLIST" in text and "#EXT-X-PLAYLIST-TYPE:EVENT" in text
                    and len(m3u8.loads(text).segments) == s.segment_count, text[:300])
            out = run(["ffprobe", "-v", "error", *headers, "-show_entries", "stream=codec_name,start_time:format=duration", "-of", "json", purl])
            p = json.loads(out.stdout or "{}")
            codecs = sorted(st.get("codec_name", "") for st in p.get("streams", []))
            pdur = float(p.get("format", {}).get("duration", 0) or 0)
            c.check(f"hls_ffprobe_{name}", codecs == ["h264", "opus"] and abs(pdur - dur) <= 1.0,
                    f"{codecs} {pdur:.2f} s (egress says {dur:.2f} s) {out.stderr.strip()[:200]}")
            starts = [float(st.get("start_time", 0) or 0) for st in p.get("streams", [])]
            skew = abs(starts[0] - starts[1]) if len(starts) == 2 else 99
            c.check(f"hls_av_start_{name}", skew <= 0.2, f"start times {starts}")
            print(f"METRIC hls av_start_offset_{name} {skew * 1000:.0f} ms", flush=True)
            # Each frame at its own time, as players take them (see test_egress.decode_errors).
            out = run(["ffmpeg", "-nostdin", "-v", "error", *headers, "-i", purl, "-fps_mode", "passthrough", "-enc_time_base", "-1", "-f", "null", "-"], 120)
            errors = out.stderr.strip() or ("" if out.returncode == 0 else f"exit status {out.returncode}")
            c.check(f"hls_decodes_{name}", errors == "", errors[:300])
    finally:
        await src.stop()
        await room.disconnect()
        await http.close()
        await lk.aclose()


async def thumbnail_checks(c: Checks, http: aiohttp.ClientSession, base: str, reader: str, part, only) -> None:
    """The participant egress's thumbnails (every 2 s, 160 wide) and the image-only egress's
    (every 1 s, the video's size), as image_results count them and as ffprobe reads them."""
    for name, e, width, least in (("participant", part, 160, 3), ("only", only, WIDTH, 5)):
        info = e.image_results[0] if e and e.image_results else None
        c.check(f"thumbs_{name}_counted", e is not None and e.status == api.EgressStatus.EGRESS_COMPLETE and info is not None
                and info.image_count >= least and info.filename_prefix.startswith("e2e-hls/"), f"{e.status if e else None} {e.error if e else ''} {info}")
        if not info:
            continue
        sizes = set()
        for k in (0, info.image_count - 1):
            async with http.get(f"{base}/recordings/{info.filename_prefix}_{k:05d}.jpeg", headers={"Authorization": f"Bearer {reader}"}) as r:
                body = await r.read()
            with tempfile.NamedTemporaryFile(suffix=".jpeg") as f:
                f.write(body)
                f.flush()
                out = run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", f.name])
            sizes.add((r.status, out.stdout.strip()))
        want = {(200, f"mjpeg,{width},{width * HEIGHT // WIDTH}")}
        c.check(f"thumbs_{name}_jpeg", sizes == want, f"{sizes} want {want}")


async def rejoin_scenario(c: Checks, url: str) -> None:
    base = url.replace("ws://", "http://").replace("wss://", "https://")
    room_name = f"hls-rejoin-{uuid.uuid4().hex[:8]}"
    lk = api.LiveKitAPI(base, KEY, SECRET)
    src = Source()
    src.start()
    room: rtc.Room | None = None

    async def frames(n: int) -> None:
        mark = src.video_frames

        async def enough():
            return src.video_frames - mark >= n
        await wait_until(enough, 20, 0.1)
    try:
        room, first_sids = await publish(url, room_name, src)

        async def tracks_listed(sids):
            people = (await lk.room.list_participants(api.ListParticipantsRequest(room=room_name))).participants
            return set(sids) <= {t.sid for p in people for t in p.tracks if t.mime_type}
        await wait_until(lambda: tracks_listed(first_sids), 20)
        egress = await lk.egress.start_participant_egress(api.ParticipantEgressRequest(
            room_name=room_name, identity="host",
            segment_outputs=[api.SegmentedFileOutput(segment_duration=SEGMENT_SECONDS, filename_prefix="e2e-hls/{room_name}/rejoin")]))

        async def status():
            items = (await lk.egress.list_egress(api.ListEgressRequest(egress_id=egress.egress_id))).items
            return items[0] if items else None

        async def active():
            e = await status()
            return e if e and e.status == api.EgressStatus.EGRESS_ACTIVE else None
        c.check("rejoin_active", await wait_until(active, 30) is not None)
        await frames(4 * FPS)
        # The publisher goes away (a network change, a reload) and comes back 3 s later as a
        # new session with new tracks.
        await room.disconnect()
        gone_at = time.monotonic()
        during = []
        while time.monotonic() - gone_at < 3:
            e = await status()
            during.append(e.status if e else None)
            await asyncio.sleep(0.25)
        c.check("rejoin_waits_through_the_gap", during and all(s == api.EgressStatus.EGRESS_ACTIVE for s in during), f"{set(during)}")
        room, second_sids = await publish(url, room_name, src)
        c.check("rejoin_new_tracks", not set(first_sids) & set(second_sids) and bool(await wait_until(lambda: tracks_listed(second_sids), 20)),
                f"{first_sids} then {second_sids}")
        await frames(5 * FPS)
        await lk.egress.stop_egress(api.StopEgressRequest(egress_id=egress.egress_id))

        async def ended():
            e = await status()
            return e if e and e.status >= api.EgressStatus.EGRESS_COMPLETE else None
        e = await wait_until(ended, 30)
        s = e.segment_results[0] if e and e.segment_results else None
        dur = s.duration / 1e9 if s else 0
        # 4 s before, a 3 s gap and 5 s after: one recording of at least 11 s.
        c.check("rejoin_one_recording", e is not None and e.status == api.EgressStatus.EGRESS_COMPLETE and dur >= 11,
                f"{e.status if e else None} {e.error if e else ''} {dur:.2f} s")
        if not s:
            return
        reader = tok("reader", room_name, room_record=True)
        headers = ["-headers", f"Authorization: Bearer {reader}\r\n"]
        purl = f"{base}{s.playlist_location}"
        out = run(["ffprobe", "-v", "error", *headers, "-show_entries", "stream=codec_name:format=duration", "-of", "json", purl])
        p = json.loads(out.stdout or "{}")
        codecs = sorted(st.get("codec_name", "") for st in p.get("streams", []))
        pdur = float(p.get("format", {}).get("duration", 0) or 0)
        c.check("rejoin_ffprobe", codecs == ["h264", "opus"] and abs(pdur - dur) <= 1.0, f"{codecs} {pdur:.2f} s (egress says {dur:.2f} s)")
        out = run(["ffmpeg", "-nostdin", "-v", "error", *headers, "-i", purl, "-fps_mode", "passthrough", "-enc_time_base", "-1", "-f", "null", "-"], 120)
        errors = out.stderr.strip() or ("" if out.returncode == 0 else f"exit status {out.returncode}")
        c.check("rejoin_decodes", errors == "", errors[:300])
    finally:
        await src.stop()
        if room is not None:
            await room.disconnect()
        await lk.aclose()


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--label", default="server-sdk-hls")
    ap.add_argument("--metrics", help="the server's Prometheus page")
    args = ap.parse_args()
    c = Checks(args.label)
    try:
        await asyncio.wait_for(scenario(c, args.url), 150)
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        c.fail("hls_scenario_completed", f"{type(e).__name__}: {e}")
    try:
        await asyncio.wait_for(rejoin_scenario(c, args.url), 120)
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        c.fail("hls_rejoin_completed", f"{type(e).__name__}: {e}")
    if args.metrics:
        availability(c, args.metrics)
    return c.summary()


def availability(c: Checks, metrics_url: str) -> None:
    """The part availability histogram's p99 (an upper bucket bound) within 50 ms."""
    import urllib.request
    with urllib.request.urlopen(metrics_url, timeout=5) as r:
        text = r.read().decode()
    buckets = [(float("inf") if m.group(1) == "+Inf" else float(m.group(1)), int(m.group(2)))
               for m in re.finditer(r'^hikari_hls_part_availability_seconds_bucket\{le="([^"]+)"\} (\d+)$', text, re.M)]
    total = buckets[-1][1] if buckets else 0
    p99 = next((le for le, n in buckets if n >= 0.99 * total), None) if total else None
    p50 = next((le for le, n in buckets if n >= 0.5 * total), None) if total else None
    c.check("hls_part_availability_p99", total >= 20 and p99 is not None and p99 <= 0.05,
            f"{total} parts: p50 ≤ {p50 * 1000 if p50 else None} ms, p99 ≤ {p99 * 1000 if p99 else None} ms; buckets {buckets}")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
