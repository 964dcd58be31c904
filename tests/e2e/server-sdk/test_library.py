"""Server-SDK scenario for the recordings library: the Python livekit SDK publishes a
microphone and an H.264 camera; PyPI livekit-api records the microphone (StartTrackEgress,
Ogg) and the participant (StartParticipantEgress, HLS with thumbnails); then the library's
JSON API, its signed links and the admin's recordings page are driven over HTTP.

  list      GET /library/recordings?room= with a roomRecord token lists both, newest first,
            with the egress's durations and sizes, formats ogg and hls, and signed links
  refusals  no token: 401 unauthenticated; a join-only token: 403 permission_denied; a ttl
            or limit out of range: 400 invalid_argument
  links     with no token: the Ogg's play_url is read by ffprobe (opus); the HLS playlist's
            URIs each carry their own signature and ffprobe/ffmpeg read h264 + opus through
            it; the joined MP4 download lasts as long as the egress says (±1 s), answers a
            range with 206; the poster is a JPEG; a changed signature, another path, an
            expired link (signed here with the documented HMAC) are refused with 403, and a
            link signed here for the future works
  admin     a first admin signs up; /admin/recordings lists both; a recording's page plays
            the joined MP4 from a signed link, under the admin CSP; deleting there (CSRF form)
            removes the playlist, its segments and thumbnails from disk
  delete    DELETE /library/recordings/<id>: 204, the file is gone, GET and the old link
            answer 404, a second DELETE 404; ListEgress still shows both egresses COMPLETE

Prints PASS/FAIL lines and "LABEL: N passed, N failed". Exit status 0 only if every check passed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import time
import traceback
import urllib.parse
import uuid

import aiohttp
import m3u8
from livekit import api

from test_api import KEY, SECRET, Checks, wait_until
from test_egress import FPS, Source, publish, tok

RECORD_SECONDS = 5.0


def run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


def probe(url: str) -> tuple[list[str], float, str]:
    out = run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name:format=duration", "-of", "json", url])
    p = json.loads(out.stdout or "{}")
    codecs = sorted(s.get("codec_name", "") for s in p.get("streams", []))
    return codecs, float(p.get("format", {}).get("duration", 0) or 0), out.stderr.strip()[:300]


def sign(path: str, expires: int) -> str:
    """A signed link's query, as docs/broadcast.md describes it."""
    mac = hmac.new(SECRET.encode(), f"hikari-url-v1\n{path}\n{expires}".encode(), hashlib.sha256).digest()
    sig = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    return f"key={KEY}&expires={expires}&signature={sig}"


async def get(http: aiohttp.ClientSession, url: str, **kw) -> tuple[int, bytes, dict]:
    async with http.get(url, **kw) as r:
        return r.status, await r.read(), dict(r.headers)


async def record(url: str, lk: api.LiveKitAPI, room_name: str, prefix: str = "e2e-lib", hls: bool = True,
                 seconds: float = RECORD_SECONDS, ended_within: float = 30) -> tuple[bool, dict, list[str]]:
    """Records the microphone (Ogg, `<prefix>/<room>/mic`) and, with `hls`, the participant
    (HLS `host` with thumbnails `thumb`) for `seconds` of video; returns whether both tracks
    were listed, the ended egresses by id, and their ids, track egress first. (test_upload.py
    records the same way.)"""
    src = Source()
    room, (mic_sid, cam_sid) = await publish(url, room_name, src)
    src.start()
    try:
        async def listed():
            people = (await lk.room.list_participants(api.ListParticipantsRequest(room=room_name))).participants
            return {mic_sid, cam_sid} <= {t.sid for p in people for t in p.tracks if t.mime_type}
        published = bool(await wait_until(listed, 20))
        ids = [(await lk.egress.start_track_egress(api.TrackEgressRequest(
            room_name=room_name, track_id=mic_sid, file=api.DirectFileOutput(filepath=f"{prefix}/{{room_name}}/mic")))).egress_id]
        if hls:
            ids.append((await lk.egress.start_participant_egress(api.ParticipantEgressRequest(
                room_name=room_name, identity="host",
                segment_outputs=[api.SegmentedFileOutput(segment_duration=2, filename_prefix=f"{prefix}/{{room_name}}/host")],
                image_outputs=[api.ImageOutput(capture_interval=2, width=160, filename_prefix=f"{prefix}/{{room_name}}/thumb")]))).egress_id)
        first = src.video_frames

        async def recorded():
            return src.video_frames - first >= seconds * FPS
        await wait_until(recorded, 30, 0.1)
        for i in ids:
            await lk.egress.stop_egress(api.StopEgressRequest(egress_id=i))

        async def ended():
            items = (await lk.egress.list_egress(api.ListEgressRequest(room_name=room_name))).items
            return items if len(items) == len(ids) and all(i.status >= api.EgressStatus.EGRESS_COMPLETE for i in items) else None
        done = {i.egress_id: i for i in (await wait_until(ended, ended_within) or [])}
        return published, done, ids
    finally:
        await src.stop()
        await room.disconnect()


async def admin_session(http: aiohttp.ClientSession, base: str) -> str:
    """Signs up the first admin; returns the session's CSRF token."""
    status, body, _ = await get(http, f"{base}/admin/setup")
    m = re.search(rb'name="csrf" value="([^"]+)"', body)
    if status != 200 or not m:
        raise RuntimeError(f"/admin/setup answered {status}: {body[:200]!r}")
    form = {"email": "owner@example.com", "password": "correct horse battery", "csrf": m.group(1).decode()}
    async with http.post(f"{base}/admin/setup", data=form, allow_redirects=False) as r:
        if r.status != 303:
            raise RuntimeError(f"sign-up answered {r.status}: {(await r.text())[:200]}")
    status, body, _ = await get(http, f"{base}/admin")
    m = re.search(rb'<meta name="csrf" content="([^"]+)"', body)
    if not m:
        raise RuntimeError(f"no session after sign-up: {status} {body[:200]!r}")
    return m.group(1).decode()


async def scenario(c: Checks, url: str, recordings: str) -> None:
    base = url.replace("ws://", "http://").replace("wss://", "https://")
    room_name = f"lib-{uuid.uuid4().hex[:8]}"
    lk = api.LiveKitAPI(base, KEY, SECRET)
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    try:
        published, done, (track_id, part_id) = await record(url, lk, room_name)
        c.check("library_tracks_published", published, "two tracks")
        c.check("library_recorded", all(d.status == api.EgressStatus.EGRESS_COMPLETE for d in done.values()) and len(done) == 2,
                str([(i.egress_id, i.status, i.error) for i in done.values()]))
        reader = {"Authorization": f"Bearer {tok('reader', room_name, room_record=True)}"}
        q = urllib.parse.quote(room_name)

        # list
        status, body, _ = await get(http, f"{base}/library/recordings?room={q}", headers=reader)
        listed = json.loads(body or b"{}").get("recordings", []) if status == 200 else []
        c.check("library_lists_newest_first", [r["id"] for r in listed] == [part_id, track_id], f"{status} {body[:300]!r}")
        by_id = {r["id"]: r for r in listed}
        ogg, hls = by_id.get(track_id, {}), by_id.get(part_id, {})
        f = done[track_id].file_results[0] if track_id in done and done[track_id].file_results else None
        s = done[part_id].segment_results[0] if part_id in done and done[part_id].segment_results else None
        c.check("library_entry_file", bool(f) and ogg.get("format") == "ogg" and ogg.get("size_bytes") == f.size
                and ogg.get("duration_ms") == f.duration // 1_000_000 and ogg.get("path") == f.filename and ogg.get("room") == room_name
                and ogg.get("status") == "complete" and ogg.get("source") == f"track {done[track_id].track.track_id}", json.dumps(ogg)[:400])
        c.check("library_entry_hls", bool(s) and hls.get("format") == "hls" and hls.get("size_bytes") == s.size
                and hls.get("path") == s.playlist_name and hls.get("source") == "participant host" and bool(hls.get("poster_url"))
                and hls.get("download_url", "").split("?")[0].endswith(".m3u8.mp4"), json.dumps(hls)[:400])
        expires = hls.get("links_expire_at", 0)
        c.check("library_links_expire_in_an_hour", abs(expires - (time.time() + 3600)) < 60, str(expires))

        # refusals
        for name, headers, query, want in (
            ("no_token", {}, "", (401, "unauthenticated")),
            ("join_token", {"Authorization": f"Bearer {tok('viewer', room_name)}"}, "", (403, "permission_denied")),
            ("short_ttl", reader, "?ttl=10", (400, "invalid_argument")),
            ("zero_limit", reader, "?limit=0", (400, "invalid_argument")),
        ):
            status, body, _ = await get(http, f"{base}/library/recordings{query}", headers=headers)
            code = json.loads(body or b"{}").get("code") if body.startswith(b"{") else None
            c.check(f"library_refuses_{name}", (status, code) == want, f"{status} {body[:200]!r}")

        # links
        codecs, dur, err = probe(f"{base}{ogg.get('play_url', '')}")
        c.check("library_link_plays_file", codecs == ["opus"] and abs(dur - ogg.get("duration_ms", 0) / 1000) <= 1.0, f"{codecs} {dur} {err}")
        status, body, _ = await get(http, f"{base}{hls.get('play_url', '')}")
        playlist = m3u8.loads(body.decode(errors="replace")) if status == 200 else None
        uris = [seg.uri for seg in playlist.segments] + [m.uri for m in playlist.segment_map] if playlist else []
        c.check("library_playlist_uris_signed", status == 200 and len(uris) >= 3 and all("signature=" in u and "expires=" in u for u in uris),
                f"{status} {uris[:3]}")
        codecs, dur, err = probe(f"{base}{hls.get('play_url', '')}")
        c.check("library_link_plays_hls", codecs == ["h264", "opus"], f"{codecs} {dur} {err}")
        out = run(["ffmpeg", "-nostdin", "-v", "error", "-i", f"{base}{hls.get('download_url', '')}", "-f", "null", "-"], 120)
        c.check("library_download_decodes", out.returncode == 0 and out.stderr.strip() == "", out.stderr.strip()[:300])
        codecs, dur, err = probe(f"{base}{hls.get('download_url', '')}")
        c.check("library_download_is_one_mp4", codecs == ["h264", "opus"] and abs(dur - hls.get("duration_ms", 0) / 1000) <= 1.0,
                f"{codecs} {dur:.2f} s, library says {hls.get('duration_ms')} ms {err}")
        status, body, headers = await get(http, f"{base}{hls.get('download_url', '')}", headers={"Range": "bytes=0-99"})
        c.check("library_download_ranges", status == 206 and len(body) == 100 and headers.get("Content-Range", "").startswith("bytes 0-99/")
                and headers.get("Content-Type") == "video/mp4", f"{status} {len(body)} {headers.get('Content-Range')}")
        status, body, _ = await get(http, f"{base}{hls.get('poster_url', '')}")
        c.check("library_poster_is_jpeg", status == 200 and body[:3] == b"\xff\xd8\xff", f"{status} {body[:8]!r}")
        play = ogg.get("play_url", "")
        path = play.split("?")[0]
        other = hls.get("play_url", "").split("?")[0]
        tampered = play[:-1] + ("A" if play[-1] != "A" else "B")
        now = int(time.time())
        for name, link, want in (
            ("tampered", tampered, 403),
            ("other_path", f"{other}?{play.split('?')[1]}", 403),
            ("expired", f"{path}?{sign(urllib.parse.unquote(path), now - 5)}", 403),
            ("signed_here", f"{path}?{sign(urllib.parse.unquote(path), now + 60)}", 200),
        ):
            status, body, _ = await get(http, f"{base}{link}")
            c.check(f"library_link_{name}", status == want and (want != 403 or b"link" in body), f"{status} {body[:120]!r}")

        # admin
        csrf = await admin_session(http, base)
        status, body, headers = await get(http, f"{base}/admin/recordings?room={q}")
        c.check("library_admin_lists", status == 200 and part_id.encode() in body and track_id.encode() in body
                and "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""), f"{status} {body[:200]!r}")
        status, body, _ = await get(http, f"{base}/admin/recordings/{part_id}")
        m = re.search(rb'<video id="player"[^>]*src="([^"]+)"', body)
        src = m.group(1).decode().replace("&amp;", "&") if m else ""
        c.check("library_admin_player", status == 200 and ".m3u8.mp4?" in src and "signature=" in src, f"{status} {src[:200]}")
        if src:
            codecs, _, err = probe(f"{base}{src}")
            c.check("library_admin_player_plays", codecs == ["h264", "opus"], f"{codecs} {err}")
        on_disk = [n for n in os.listdir(os.path.join(recordings, "e2e-lib", room_name))]
        async with http.post(f"{base}/admin/recordings/{part_id}/delete", data={"csrf": "wrong"}, allow_redirects=False) as r:
            c.check("library_admin_delete_needs_csrf", r.status == 403, str(r.status))
        async with http.post(f"{base}/admin/recordings/{part_id}/delete", data={"csrf": csrf}, allow_redirects=False) as r:
            c.check("library_admin_deletes", r.status == 303 and r.headers.get("Location") == "/admin/recordings", str(r.status))
        left = sorted(os.listdir(os.path.join(recordings, "e2e-lib", room_name)))
        c.check("library_admin_delete_removes_files", left == [os.path.basename(f.filename)] if f else False,
                f"before {sorted(on_disk)}, after {left}")

        # delete
        async with http.delete(f"{base}/library/recordings/{track_id}", headers=reader) as r:
            c.check("library_delete", r.status == 204, str(r.status))
        c.check("library_delete_removes_file", f is not None and not os.path.exists(os.path.join(recordings, f.filename))
                and not os.path.exists(os.path.join(recordings, "e2e-lib", room_name)), f.filename if f else "")
        status, _, _ = await get(http, f"{base}/library/recordings/{track_id}", headers=reader)
        link_status, _, _ = await get(http, f"{base}{play}")
        async with http.delete(f"{base}/library/recordings/{track_id}", headers=reader) as r:
            again = r.status
        c.check("library_deleted_is_gone", (status, link_status, again) == (404, 404, 404), f"{status} {link_status} {again}")
        status, body, _ = await get(http, f"{base}/library/recordings?room={q}", headers=reader)
        c.check("library_empty_after_deletes", status == 200 and json.loads(body).get("recordings") == [], body[:200].decode(errors="replace"))
        items = (await lk.egress.list_egress(api.ListEgressRequest(room_name=room_name))).items
        c.check("library_egress_records_stay", sorted(i.status for i in items) == [api.EgressStatus.EGRESS_COMPLETE] * 2, str(len(items)))
    finally:
        await http.close()
        await lk.aclose()


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--recordings", required=True, help="the server's recordings directory")
    ap.add_argument("--label", default="server-sdk-library")
    args = ap.parse_args()
    c = Checks(args.label)
    try:
        await asyncio.wait_for(scenario(c, args.url, args.recordings), 150)
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        c.fail("library_scenario_completed", f"{type(e).__name__}: {e}")
    return c.summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
