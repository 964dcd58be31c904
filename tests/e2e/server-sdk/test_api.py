"""Server-SDK scenario: PyPI livekit-api drives RoomService against participants connected
with the Python livekit SDK, and every effect is observed on those participants.

  alice  publishes a tone; is muted, renamed, re-described, loses publish/data permission
  bob    subscribes to alice; is unsubscribed and resubscribed; receives server data
  carol  is removed by the API; must not receive data addressed to bob
  dave   is refused: the room is full (max_participants 3)

Also: a wrong secret gets Twirp `unauthenticated`; bad requests get clear Twirp errors and
change nothing; every webhook verifies with the SDK's WebhookReceiver; the Prometheus page
parses with prometheus_client's parser and its counters move during the call.

Every wait is on an event (or a polled condition) with a timeout. Prints PASS/FAIL lines and
"LABEL: N passed, N failed". Exit status 0 only if every check passed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import time
import traceback
import uuid
import warnings

import aiohttp
import numpy as np
from livekit import api, rtc
from prometheus_client.parser import text_string_to_metric_families

KEY = os.environ.get("HIKARI_API_KEY", "devkey")
SECRET = os.environ.get("HIKARI_API_SECRET", "secret")
warnings.filterwarnings("ignore", message=".*HMAC key.*")

EVENTS = [
    "participant_connected", "participant_disconnected", "track_subscribed", "track_unsubscribed",
    "track_published", "track_unpublished", "track_muted", "track_unmuted",
    "participant_metadata_changed", "participant_name_changed", "participant_attributes_changed",
    "participant_permissions_changed", "data_received", "room_metadata_changed", "disconnected",
    "local_track_unpublished",
]


class Checks:
    def __init__(self, label: str) -> None:
        self.label = label
        self.status: dict[str, bool] = {}

    def ok(self, name: str, detail: str = "") -> None:
        self.status.setdefault(name, True)
        print(f"PASS {name}" + (f"  ({detail})" if detail else ""), flush=True)

    def fail(self, name: str, why: str) -> None:
        self.status[name] = False
        print(f"FAIL {name}: {why}", flush=True)

    def check(self, name: str, cond: bool, detail: str = "") -> bool:
        (self.ok if cond else self.fail)(name, detail)
        return cond

    def summary(self) -> int:
        failed = [n for n, v in self.status.items() if not v]
        passed = [n for n, v in self.status.items() if v]
        print(f"{self.label}: {len(passed)} passed, {len(failed)} failed", flush=True)
        return 0 if not failed else 1


class Recorder:
    """Every room event of one participant, with waits on (name, predicate) since a mark."""

    def __init__(self, who: str, room: rtc.Room) -> None:
        self.who = who
        self.events: list[tuple[str, tuple]] = []
        self.changed = asyncio.Event()
        for name in EVENTS:
            room.on(name, self._handler(name))

    def _handler(self, name: str):
        def h(*args) -> None:
            self.events.append((name, args))
            self.changed.set()
        return h

    def mark(self) -> int:
        return len(self.events)

    def find(self, name: str, pred, since: int):
        for n, args in self.events[since:]:
            if n == name and pred(*args):
                return args
        return None

    async def wait(self, name: str, pred=lambda *a: True, since: int = 0, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while True:
            found = self.find(name, pred, since)
            if found is not None:
                return found
            left = deadline - time.monotonic()
            if left <= 0:
                raise asyncio.TimeoutError(f"{self.who}: no {name} within {timeout:.0f} s")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except asyncio.TimeoutError:
                pass


async def expect(c: Checks, name: str, aw, detail: str = ""):
    try:
        result = await aw
        c.ok(name, detail)
        return result
    except Exception as e:  # noqa: BLE001
        c.fail(name, f"{type(e).__name__}: {e}")
        return None


def join_token(identity: str, room: str) -> str:
    return (api.AccessToken(KEY, SECRET).with_identity(identity)
            .with_grants(api.VideoGrants(room_join=True, room=room)).to_jwt())


async def scrape(http: aiohttp.ClientSession, url: str) -> dict[str, float]:
    async with http.get(url, timeout=aiohttp.ClientTimeout(total=5)) as r:
        text = await r.text()
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            key = s.name + ("" if not s.labels else json.dumps(s.labels, sort_keys=True))
            samples[key] = s.value
    return samples


async def tone(source: rtc.AudioSource, stop: asyncio.Event) -> None:
    rate, spf = 48000, 480
    t = 0
    while not stop.is_set():
        frame = rtc.AudioFrame.create(rate, 1, spf)
        n = np.arange(t, t + spf)
        np.frombuffer(frame.data, dtype=np.int16)[:] = (8000 * np.sin(2 * math.pi * 440 * n / rate)).astype(np.int16)
        t += spf
        await source.capture_frame(frame)


async def twirp_raw(http, base: str, method: str, body: bytes, content_type: str, token: str | None):
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with http.post(f"{base}/twirp/livekit.RoomService/{method}", data=body, headers=headers) as r:
        return r.status, await r.json(content_type=None)


async def bad_input(c: Checks, http, base: str, lk: api.LiveKitAPI, room: str) -> None:
    def tok(**grants) -> str:
        return api.AccessToken(KEY, SECRET).with_grants(api.VideoGrants(**grants)).to_jwt()

    admin_other = tok(room_admin=True, room="some-other-room")
    create = tok(room_create=True)
    cases = [
        ("bad_route_unknown_method", "NoSuchMethod", b"{}", "application/json", create, 404, "bad_route"),
        ("bad_route_content_type", "CreateRoom", b"{}", "text/plain", create, 404, "bad_route"),
        ("malformed_json", "CreateRoom", b"{not json", "application/json", create, 400, "malformed"),
        ("malformed_protobuf", "CreateRoom", b"\xff\xff\xff", "application/protobuf", create, 400, "malformed"),
        ("missing_token", "ListRooms", b"{}", "application/json", None, 401, "unauthenticated"),
        ("permission_denied_other_room", "UpdateRoomMetadata",
         json.dumps({"room": room, "metadata": "evil"}).encode(), "application/json", admin_other, 403,
         "permission_denied"),
        ("permission_denied_no_grant", "DeleteRoom", json.dumps({"room": room}).encode(), "application/json",
         admin_other, 403, "permission_denied"),
        ("name_too_long", "CreateRoom", json.dumps({"name": "x" * 300}).encode(), "application/json", create, 400,
         "invalid_argument"),
    ]
    for name, method, body, ct, token, status, code in cases:
        try:
            got_status, got = await twirp_raw(http, base, method, body, ct, token)
            c.check(name, got_status == status and got.get("code") == code and bool(got.get("msg")),
                    f"HTTP {got_status} {got}")
        except Exception as e:  # noqa: BLE001
            c.fail(name, f"{type(e).__name__}: {e}")
    rooms = await lk.room.list_rooms(api.ListRoomsRequest(names=[room]))
    c.check("bad_input_changed_nothing", len(rooms.rooms) == 1 and rooms.rooms[0].metadata == "m0",
            f"room metadata {rooms.rooms[0].metadata if rooms.rooms else None!r}")


def hooks_for(path: str, room: str) -> list[dict]:
    out = []
    try:
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                body = json.loads(entry["body"])
                if body.get("room", {}).get("name") == room:
                    entry["event"] = body.get("event")
                    out.append(entry)
    except FileNotFoundError:
        pass
    return out


async def wait_until(cond, timeout: float, step: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = await cond()
        if v:
            return v
        await asyncio.sleep(step)
    return await cond()


async def scenario(c: Checks, url: str, metrics_url: str, hooks_path: str) -> None:
    base = url.replace("ws://", "http://").replace("wss://", "https://")
    room_name = f"sdk-{uuid.uuid4().hex[:8]}"
    print(f"room {room_name} at {base}", flush=True)
    lk = api.LiveKitAPI(base, KEY, SECRET)
    http = aiohttp.ClientSession()
    rooms: dict[str, rtc.Room] = {}
    stop = asyncio.Event()
    try:
        # Wrong secret: Twirp unauthenticated.
        bad = api.LiveKitAPI(base, KEY, "not-the-secret")
        try:
            await bad.room.list_rooms(api.ListRoomsRequest())
            c.fail("wrong_secret_unauthenticated", "the call succeeded")
        except api.TwirpError as e:
            c.check("wrong_secret_unauthenticated", e.code == "unauthenticated" and e.status == 401,
                    f"code={e.code} status={e.status} msg={e.message!r}")
        finally:
            await bad.aclose()

        # CreateRoom, ListRooms.
        room = await lk.room.create_room(api.CreateRoomRequest(
            name=room_name, empty_timeout=120, max_participants=3, metadata="m0"))
        c.check("create_room", room.name == room_name and room.max_participants == 3 and room.sid.startswith("RM_"),
                f"sid={room.sid}")
        listed = await lk.room.list_rooms(api.ListRoomsRequest(names=[room_name]))
        c.check("list_rooms", [r.name for r in listed.rooms] == [room_name] and listed.rooms[0].metadata == "m0")
        await bad_input(c, http, base, lk, room_name)

        # Participants.
        recs: dict[str, Recorder] = {}
        for who in ("alice", "bob", "carol"):
            r = rtc.Room()
            recs[who] = Recorder(who, r)
            await expect(c, f"{who}_connect", asyncio.wait_for(r.connect(url, join_token(who, room_name)), 30))
            rooms[who] = r
        alice, bob, carol = rooms["alice"], rooms["bob"], recs["carol"]
        ra, rb, rc = recs["alice"], recs["bob"], recs["carol"]

        source = rtc.AudioSource(48000, 1)
        track = rtc.LocalAudioTrack.create_audio_track("tone", source)
        tone_task = asyncio.create_task(tone(source, stop))
        pub = await expect(c, "alice_publish", asyncio.wait_for(alice.local_participant.publish_track(
            track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)), 20))
        sid = pub.sid if pub else ""
        await expect(c, "bob_subscribed", rb.wait("track_subscribed", lambda t, p, part: p.sid == sid, timeout=20))

        # Metrics move during the call.
        m0 = await scrape(http, metrics_url)

        async def moved():
            m = await scrape(http, metrics_url)
            return m if m.get("hikari_rtp_packets_forwarded_total", 0) > m0.get("hikari_rtp_packets_forwarded_total", 0) + 50 else None
        m1 = await wait_until(moved, 20, 0.5)
        if c.check("metrics_counters_move", m1 is not None, "rtp forwarded grew by > 50 packets"):
            for k in ("hikari_packets_in_total", "hikari_bytes_in_total", "hikari_packets_out_total",
                      "hikari_bytes_out_total", "hikari_rtp_packets_in_total", "hikari_forward_latency_seconds_count"):
                c.check(f"metric_{k}_moves", m1.get(k, 0) > m0.get(k, 0), f"{m0.get(k)} -> {m1.get(k)}")
            c.check("metric_gauges", m1.get("hikari_rooms", 0) >= 1 and m1.get("hikari_participants", 0) >= 3
                    and m1.get("hikari_tracks", 0) >= 1,
                    f"rooms={m1.get('hikari_rooms')} participants={m1.get('hikari_participants')} tracks={m1.get('hikari_tracks')}")
            c.check("metric_process", m1.get("process_cpu_seconds_total", 0) > 0
                    and m1.get("process_resident_memory_bytes", 0) > 0)

        # ListParticipants, GetParticipant.
        ps = await lk.room.list_participants(api.ListParticipantsRequest(room=room_name))
        c.check("list_participants", sorted(p.identity for p in ps.participants) == ["alice", "bob", "carol"])
        pa = await lk.room.get_participant(api.RoomParticipantIdentity(room=room_name, identity="alice"))
        c.check("get_participant", pa.identity == "alice" and [t.sid for t in pa.tracks] == [sid])

        # UpdateSubscriptions: bob and carol off (forwarding of the track stops, seen in the
        # metrics), then bob on again (bob sees the track subscribed, forwarding resumes).
        # The SDK raises no event for a server-side unsubscribe in single-PC mode; it is
        # reported as a NOTE, not a check.
        mb = rb.mark()
        for who in ("bob", "carol"):
            await lk.room.update_subscriptions(api.UpdateSubscriptionsRequest(
                room=room_name, identity=who, track_sids=[sid], subscribe=False))
        await asyncio.sleep(1.5)  # the media thread publishes counters once a second
        f0 = (await scrape(http, metrics_url)).get("hikari_rtp_packets_forwarded_total", 0)
        await asyncio.sleep(2.5)
        f1 = (await scrape(http, metrics_url)).get("hikari_rtp_packets_forwarded_total", 0)
        c.check("update_subscriptions_off", f1 - f0 <= 5, f"{f1 - f0:.0f} packets forwarded in 2.5 s after unsubscribing")
        seen = rb.find("track_unsubscribed", lambda t, p, part: p.sid == sid, mb) is not None
        print(f"NOTE bob saw track_unsubscribed: {seen}", flush=True)
        m = rb.mark()
        await lk.room.update_subscriptions(api.UpdateSubscriptionsRequest(
            room=room_name, identity="bob", track_sids=[sid], subscribe=True))
        await expect(c, "update_subscriptions_on", rb.wait("track_subscribed", lambda t, p, part: p.sid == sid, m, 15))

        async def resumed():
            m = await scrape(http, metrics_url)
            return m.get("hikari_rtp_packets_forwarded_total", 0) > f1 + 20
        c.check("update_subscriptions_on_forwarding", bool(await wait_until(resumed, 10, 0.5)))

        # MutePublishedTrack: alice sees her own track muted; bob sees it too.
        ma, mb = ra.mark(), rb.mark()
        r = await lk.room.mute_published_track(api.MuteRoomTrackRequest(
            room=room_name, identity="alice", track_sid=sid, muted=True))
        c.check("mute_response", r.track.sid == sid and r.track.muted)
        await expect(c, "mute_seen_by_alice",
                     ra.wait("track_muted", lambda part, p: p.sid == sid and part.identity == "alice", ma))
        await expect(c, "mute_seen_by_bob", rb.wait("track_muted", lambda part, p: p.sid == sid, mb))

        # UpdateParticipant: metadata, name, attributes.
        ma, mb = ra.mark(), rb.mark()
        info = await lk.room.update_participant(api.UpdateParticipantRequest(
            room=room_name, identity="alice", metadata="meta-1", name="Alice A", attributes={"role": "host"}))
        c.check("update_participant_response", info.metadata == "meta-1" and info.name == "Alice A"
                and dict(info.attributes) == {"role": "host"})
        await expect(c, "metadata_seen_by_alice", ra.wait(
            "participant_metadata_changed", lambda p, old, new: p.identity == "alice" and new == "meta-1", ma))
        await expect(c, "name_seen_by_alice", ra.wait(
            "participant_name_changed", lambda p, old, new: p.identity == "alice" and new == "Alice A", ma))
        await expect(c, "attributes_seen_by_alice", ra.wait(
            "participant_attributes_changed", lambda ch, p: p.identity == "alice" and ch.get("role") == "host", ma))
        await expect(c, "metadata_seen_by_bob", rb.wait(
            "participant_metadata_changed", lambda p, old, new: p.identity == "alice" and new == "meta-1", mb))

        # UpdateParticipant: permission. Seen by alice, and enforced: her track is unpublished
        # and her data no longer reaches bob.
        ma, mb = ra.mark(), rb.mark()
        await lk.room.update_participant(api.UpdateParticipantRequest(
            room=room_name, identity="alice",
            permission=api.ParticipantPermission(can_subscribe=True, can_publish=False, can_publish_data=False)))
        await expect(c, "permission_seen_by_alice", ra.wait(
            "participant_permissions_changed",
            lambda p, *rest: p.identity == "alice" and not p.permissions.can_publish, ma))
        await expect(c, "permission_enforced_unpublish", rb.wait(
            "track_unpublished", lambda p, part: p.sid == sid, mb, 10))
        mb = rb.mark()
        try:
            await asyncio.wait_for(alice.local_participant.publish_data(
                b"forbidden", destination_identities=["bob"], topic="forbidden"), 5)
        except Exception:  # noqa: BLE001 - the SDK may refuse locally; either way nothing may arrive
            pass
        try:
            await rb.wait("data_received", lambda pkt: pkt.topic == "forbidden", mb, 2)
            c.fail("permission_enforced_data", "bob received data from alice after can_publish_data=false")
        except asyncio.TimeoutError:
            c.ok("permission_enforced_data", "nothing arrived within 2 s")

        # SendData from the server to bob only, with a topic.
        mb, mc = rb.mark(), rc.mark()
        await lk.room.send_data(api.SendDataRequest(
            room=room_name, data=b"hello from the server", kind=api.DataPacket.Kind.RELIABLE,
            destination_identities=["bob"], topic="news"))
        pkt = await expect(c, "send_data_received", rb.wait("data_received", lambda p: p.topic == "news", mb))
        if pkt:
            c.check("send_data_payload", pkt[0].data == b"hello from the server", repr(pkt[0].data[:40]))
        try:
            await rc.wait("data_received", lambda p: p.topic == "news", mc, 2)
            c.fail("send_data_destination", "carol received data addressed to bob")
        except asyncio.TimeoutError:
            c.ok("send_data_destination", "carol got nothing")

        # UpdateRoomMetadata.
        ma = ra.mark()
        r = await lk.room.update_room_metadata(api.UpdateRoomMetadataRequest(room=room_name, metadata="rm-1"))
        c.check("room_metadata_response", r.metadata == "rm-1")
        await expect(c, "room_metadata_seen", ra.wait("room_metadata_changed", lambda old, new: new == "rm-1", ma))

        # The room is full: a fourth join is refused with a clear HTTP error.
        dave = rtc.Room()
        try:
            await asyncio.wait_for(dave.connect(url, join_token("dave", room_name)), 20)
            c.fail("room_full_refused", "dave connected to a full room")
            await dave.disconnect()
        except Exception as e:  # noqa: BLE001
            c.ok("room_full_refused", f"{type(e).__name__}: {str(e)[:120]}")
        async with http.get(f"{base}/rtc/validate", params={"access_token": join_token("dave", room_name)}) as r:
            text = await r.text()
            c.check("room_full_validate", r.status == 429 and "full" in text, f"HTTP {r.status} {text!r}")

        # RemoveParticipant: carol is disconnected with the reason; bob sees her leave.
        mb = rb.mark()
        await lk.room.remove_participant(api.RoomParticipantIdentity(room=room_name, identity="carol"))
        await expect(c, "remove_participant_reason", rc.wait(
            "disconnected", lambda reason: reason == rtc.DisconnectReason.PARTICIPANT_REMOVED, 0))
        await expect(c, "remove_participant_seen", rb.wait(
            "participant_disconnected", lambda p: p.identity == "carol", mb))

        # DeleteRoom: everyone leaves.
        await lk.room.delete_room(api.DeleteRoomRequest(room=room_name))
        for who, rec in (("alice", ra), ("bob", rb)):
            await expect(c, f"delete_room_{who}_left", rec.wait(
                "disconnected", lambda reason: reason == rtc.DisconnectReason.ROOM_DELETED, 0))
        listed = await lk.room.list_rooms(api.ListRoomsRequest(names=[room_name]))
        c.check("delete_room_gone", len(listed.rooms) == 0)

        # Webhooks: all of them verify with the SDK's receiver, in order.
        async def finished():
            hooks = hooks_for(hooks_path, room_name)
            return hooks if any(h["event"] == "room_finished" for h in hooks) else None
        hooks = await wait_until(finished, 20) or hooks_for(hooks_path, room_name)
        receiver = api.WebhookReceiver(api.TokenVerifier(KEY, SECRET))
        verified = []
        for h in hooks:
            try:
                ev = receiver.receive(h["body"], h["authorization"])
                verified.append(ev.event)
                if h["content_type"] != "application/webhook+json":
                    c.fail("webhook_content_type", h["content_type"])
            except Exception as e:  # noqa: BLE001
                c.fail("webhook_verifies", f"{h['event']}: {e}")
        c.check("webhook_verifies", len(verified) == len(hooks) and len(hooks) > 0, f"{len(verified)} verified")
        names = [e for e in verified]
        print(f"webhooks: {names}", flush=True)
        for want in ("room_started", "participant_joined", "track_published", "track_unpublished",
                     "participant_left", "room_finished"):
            c.check(f"webhook_{want}", want in names)
        c.check("webhook_order", bool(names) and names[0] == "room_started" and names[-1] == "room_finished")
        c.check("webhook_joined_three", names.count("participant_joined") == 3, f"{names.count('participant_joined')}")
        m2 = await scrape(http, metrics_url)
        c.check("metric_webhook_deliveries", m2.get("hikari_webhook_deliveries_total", 0) >= len(hooks),
                f"{m2.get('hikari_webhook_deliveries_total')}")
        stop.set()
        tone_task.cancel()
    finally:
        stop.set()
        for r in rooms.values():
            try:
                await asyncio.wait_for(r.disconnect(), 5)
            except Exception:  # noqa: BLE001
                pass
        await lk.aclose()
        await http.close()


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--hooks", required=True)
    ap.add_argument("--label", default="server-sdk-python")
    args = ap.parse_args()
    c = Checks(args.label)
    try:
        await asyncio.wait_for(scenario(c, args.url, args.metrics, args.hooks), 240)
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        c.fail("scenario_completed", f"{type(e).__name__}: {e}")
    return c.summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
