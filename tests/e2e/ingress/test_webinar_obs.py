"""OBS as a webinar's presenter, end to end (issue 15): a webinar session gets its encoder
input from the funnel's API, ffmpeg publishes to it over RTMP as OBS does, and a registrant
who booked through the funnel's real form watches it with the pass its personal link gives
(the official Python SDK, as the room page's livekit-client would).

  1. Through /api/v1 (a Bearer token from `hikari admin create-token`): a registration funnel,
     a webinar and one session; the session goes live.
  2. A visitor registers with the form (303 to the thank-you page with the join key); the
     personal link's pass (`POST /join/<key>/pass`) joins the session's room, and may not
     publish.
  3. `POST /api/v1/sessions/<id>/encoder` gives an rtmp:// URL and a stream key; asked again,
     the same (one reusable input per session).
  4. ffmpeg publishes 640x360 test video and a tone: the registrant sees the encoder's
     participant (presenter-encoder) and decodes its video at 640x360.
  5. The session's report counts the registrant as attended (from the room's own events).
  6. Once the session has ended, the encoder input is refused (409).

Every wait is bounded; prints PASS/FAIL lines and "LABEL: N passed, N failed".
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import sys
import time
import urllib.parse

from livekit import rtc

from test_ingress import HEIGHT, WIDTH, Checks, ffmpeg_args, run_ffmpeg

PUBLISH_S = 10


class Api:
    """The server's HTTP side: JSON with the admin token, and the public pages without."""

    def __init__(self, base: str, token: str) -> None:
        u = urllib.parse.urlsplit(base)
        self.host, self.port, self.token = u.hostname or "127.0.0.1", u.port or 80, token

    def call(self, method: str, path: str, body: object = None, admin: bool = True,
             form: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        headers = {}
        data = None
        if admin:
            headers["Authorization"] = f"Bearer {self.token}"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    async def json(self, method: str, path: str, body: object = None, admin: bool = True) -> object:
        status, _, raw = await asyncio.to_thread(self.call, method, path, body, admin)
        if not 200 <= status < 300:
            raise RuntimeError(f"{method} {path}: {status} {raw[:300]!r}")
        return json.loads(raw) if raw else None


async def build(a: Api) -> tuple[str, int]:
    """A registration funnel and a live session; returns the funnel's slug and the session."""
    slug = f"obs-{int(time.time() * 1000) % 10**8}"
    f = await a.json("POST", "/api/v1/funnels", {"slug": slug, "name": "OBS live", "locale": "ja"})
    for step, kind in (("register", "webinar_register"), ("thanks", "thankyou")):
        s = await a.json("POST", f"/api/v1/funnels/{f['id']}/steps", {"slug": step, "name": step, "kind": kind})
        blocks = [{"id": "h", "type": "heading", "text": step}]
        if kind == "webinar_register":
            blocks.append({"id": "form", "type": "form", "fields": [{"name": "email", "type": "email", "required": True}]})
        page = {"sections": [{"id": "s", "columns": [{"id": "c", "blocks": blocks}]}]}
        await a.json("PUT", f"/api/v1/steps/{s['id']}/page", {"version": 1, "page": page})
        await a.json("POST", f"/api/v1/steps/{s['id']}/publish", {"version": 2})
    w = await a.json("POST", "/api/v1/webinars", {"funnel": f["id"], "title": "OBS ライブ", "schedule": {"kind": "one_off"}})
    s = await a.json("POST", f"/api/v1/webinars/{w['id']}/sessions", {"starts_at": int(time.time() * 1000) + 3_600_000})
    await a.json("POST", f"/api/v1/sessions/{s['id']}/state", {"state": "live"})
    return slug, s["id"]


async def watch_encoder(c: Checks, url: str, token: str, rtmp: str) -> None:
    """The registrant joins with its pass; ffmpeg publishes; the registrant decodes video."""
    room = rtc.Room()
    frames: list[tuple[int, int]] = []
    got = asyncio.get_running_loop().create_future()
    seen: dict[str, str] = {}
    tasks: list[asyncio.Task] = []

    async def decode(track: rtc.Track) -> None:
        async for ev in rtc.VideoStream(track):
            frames.append((ev.frame.width, ev.frame.height))
            if len(frames) >= 30 and not got.done():
                got.set_result(True)

    @room.on("track_subscribed")
    def on_track(track: rtc.Track, _pub, participant: rtc.RemoteParticipant) -> None:
        seen[participant.identity] = str(participant.kind)
        if track.kind == rtc.TrackKind.KIND_VIDEO:
            tasks.append(asyncio.create_task(decode(track)))

    ffmpeg = None
    try:
        await room.connect(url, token)
        perms = room.local_participant.permissions
        c.check("registrant_pass_cannot_publish", not perms.can_publish, f"can_publish={perms.can_publish}")
        ffmpeg = asyncio.create_task(run_ffmpeg(ffmpeg_args(rtmp, ["-bf", "0"], PUBLISH_S), PUBLISH_S + 20))
        t0 = time.monotonic()
        try:
            await asyncio.wait_for(got, PUBLISH_S + 5)
        except asyncio.TimeoutError:
            pass
        size = frames[-1] if frames else None
        c.check("registrant_sees_the_encoder", "presenter-encoder" in seen, f"participants with tracks: {seen}")
        c.check("registrant_decodes_the_encoder_video", len(frames) >= 30 and size == (WIDTH, HEIGHT),
                f"{len(frames)} frames, last {size}, first 30 after {time.monotonic() - t0:.1f} s")
        code = await ffmpeg
        ffmpeg = None
        c.check("encoder_stream_ends_cleanly", code == 0, f"ffmpeg exit {code}")
    finally:
        if ffmpeg is not None:
            ffmpeg.cancel()
            await asyncio.gather(ffmpeg, return_exceptions=True)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await room.disconnect()


async def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True, help="ws://host:port of the server")
    p.add_argument("--token", required=True, help="an admin API token (hkf_…)")
    p.add_argument("--label", default="webinar-obs")
    args = p.parse_args()
    c = Checks(args.label)
    a = Api(args.url.replace("ws://", "http://"), args.token)

    slug, session = await build(a)
    status, headers, body = await asyncio.to_thread(
        a.call, "POST", f"/f/{slug}/register", None, False, {"_form": "form", "email": "obs-viewer@example.jp"})
    location = headers.get("location", "")
    key = location.split("?r=")[-1] if "?r=" in location else ""
    c.check("registers_through_the_form", status == 303 and len(key) == 32, f"{status} {location or body[:200]!r}")
    if not key:
        print(f"{args.label}: {c.passed} passed, {c.failed + 1} failed", flush=True)
        return 1
    pass_ = await a.json("POST", f"/join/{key}/pass", admin=False)

    first = await a.json("POST", f"/api/v1/sessions/{session}/encoder")
    again = await a.json("POST", f"/api/v1/sessions/{session}/encoder")
    c.check("encoder_input_given", first["url"].startswith("rtmp://") and len(first["stream_key"]) >= 16,
            f"{first['url']} (key of {len(first['stream_key'])} characters)")
    c.check("encoder_input_is_the_same_when_asked_again", first == again)
    await watch_encoder(c, args.url, pass_["token"], f"{first['url']}/{first['stream_key']}")

    deadline = time.monotonic() + 10
    report: dict = {}
    while time.monotonic() < deadline:
        report = await a.json("GET", f"/api/v1/sessions/{session}/report")
        if report.get("attended") == 1:
            break
        await asyncio.sleep(0.2)
    c.check("report_counts_the_registrant", report.get("attended") == 1 and report.get("registrations") == 1,
            f"registrations {report.get('registrations')}, attended {report.get('attended')}")

    await a.json("POST", f"/api/v1/sessions/{session}/state", {"state": "ended"})
    status, _, body = await asyncio.to_thread(a.call, "POST", f"/api/v1/sessions/{session}/encoder")
    c.check("encoder_input_refused_after_the_end", status == 409, f"{status} {body[:200]!r}")

    print(f"{args.label}: {c.passed} passed, {c.failed} failed", flush=True)
    return 0 if c.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
