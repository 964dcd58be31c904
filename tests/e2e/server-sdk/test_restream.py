"""Server-SDK scenario for RTMP restream (stream outputs): the Python livekit SDK publishes an
H.264 camera and a microphone (Opus); PyPI livekit-api streams them with
StartParticipantEgress and UpdateStream to RTMP receivers that are real ffmpeg processes
(`ffmpeg -listen 1 -i rtmp://127.0.0.1:PORT/live/KEY -c copy -f flv`) on the namespace's
loopback, and the files they write are checked with ffprobe and ffmpeg.

  bad       stream URLs that are not rtmp(s)://host (file:, http:, srt:, "-i", "rtmp://",
            empty, over 1024 bytes, a control character), a URL twice in one request and
            nine URLs: invalid_argument each, leaving no job behind; StartRoomCompositeEgress
            with a stream: unimplemented; UpdateStream on an unknown id: not_found, on an
            HLS-only egress: failed_precondition
  start     StartParticipantEgress to receivers A and B becomes EGRESS_ACTIVE with both
            stream_results ACTIVE (started_at set, no error) and both receivers writing;
            each url is redacted to rtmp://127.0.0.1:PORT/live/{xx…yy}: no stream key in
            the start response or in ListEgress (MessageToJson)
  retry     B's receiver is killed: B stays ACTIVE with an error, retries >= 1 and
            last_retry_at set, while A stays ACTIVE without error or retries and keeps
            receiving; B's receiver restarts on the same port: B reconnects (error cleared)
            and its new file decodes (h264 + aac) once B is removed
  update    UpdateStream adds C (which receives media) and removes B (FINISHED); removing an
            unknown URL and adding a URL already there: invalid_argument
  garbage   a destination whose TCP server answers garbage (with user:pass@ in its URL,
            redacted to {…}@): an error and retries, never two connections at once, while
            ListEgress keeps answering and A and C are unaffected; removed by its redacted
            URL (FINISHED)
  end       StopEgress: EGRESS_COMPLETE, every stream FINISHED, A and C with
            ended_at > started_at; the receivers close their files; A's file: one h264 and
            one aac (48 kHz stereo) stream, its duration within 1.5 s of the streamed time
            (start to stop), the stream's own duration (from its first connection) no longer
            than that; A and C decode without a message;
            UpdateStream on the ended egress: failed_precondition
  hooks     the egress's webhooks verify with WebhookReceiver; egress_updated shows B's drop
            (an error) and its removal (FINISHED); egress_ended has every stream FINISHED
  secrets   no stream key or password (of any URL sent, refused ones too) in any EgressInfo
            the API returned, in any webhook body, or in the server's log

Prints PASS/FAIL lines and "LABEL: N passed, N failed". Exit status 0 only if every check passed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import uuid

from google.protobuf.json_format import MessageToJson
from livekit import api, rtc

from test_api import KEY, SECRET, Checks, hooks_for, wait_until
from test_egress import Source, decode_errors, publish, tok

ACTIVE, FINISHED, FAILED = api.StreamInfo.ACTIVE, api.StreamInfo.FINISHED, api.StreamInfo.FAILED
RTMP = api.StreamProtocol.RTMP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    """Whether something listens on 127.0.0.1:port (this namespace's /proc/net/tcp); a probe
    connection would take the receiver's only accept."""
    want = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as f:
        return any(line.split()[1] == want and line.split()[3] == "0A" for line in list(f)[1:])


def redacted(url: str) -> str:
    """The URL as the spec shows it: the last path segment (the key) as {xx…yy} ({…} under 8
    characters), user:pass@ as {…}@."""
    scheme, rest = url.split("://", 1)
    host, _, path = rest.partition("/")
    if "@" in host:
        host = "{…}@" + host.rsplit("@", 1)[1]
    head, _, key = path.rpartition("/")
    key = f"{{{key[:2]}…{key[-2:]}}}" if len(key) >= 8 else "{…}"
    return f"{scheme}://{host}/{head}/{key}" if head else f"{scheme}://{host}/{key}"


def probe(path: str) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,codec_type,sample_rate,channels:format=duration",
                          "-of", "json", path], capture_output=True, text=True, timeout=60)
    return json.loads(out.stdout or "{}")


class Receiver:
    """An RTMP server: one ffmpeg listening for one publisher, copying it to an FLV file."""

    def __init__(self, name: str, logdir: str) -> None:
        self.name, self.logdir = name, logdir
        self.port = free_port()
        self.key = uuid.uuid4().hex + uuid.uuid4().hex[:8]
        self.url = f"rtmp://127.0.0.1:{self.port}/live/{self.key}"
        self.proc: asyncio.subprocess.Process | None = None
        self.path = ""
        self.runs = 0

    async def start(self) -> bool:
        self.runs += 1
        self.path = os.path.join(self.logdir, f"{self.name}{self.runs}.flv")
        with open(os.path.join(self.logdir, f"{self.name}{self.runs}.log"), "w") as log:
            self.proc = await asyncio.create_subprocess_exec(
                "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-listen", "1", "-i", self.url,
                "-c", "copy", "-flush_packets", "1", "-f", "flv", "-y", self.path, stdin=subprocess.DEVNULL, stdout=log, stderr=log)

        async def up():
            return self.alive() and listening(self.port)
        return bool(await wait_until(up, 10, 0.05))

    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    def size(self) -> int:
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    async def kill(self) -> None:
        if self.alive():
            self.proc.kill()
        if self.proc:
            await self.proc.wait()

    async def exited(self, timeout: float) -> int | None:
        """The exit status once ffmpeg has finished its file (the publisher closed), or None."""
        if not self.proc:
            return None
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except asyncio.TimeoutError:
            return None


class Garbage:
    """A TCP server that answers an RTMP handshake with garbage and hangs up, counting
    connections and how many were open at once."""

    def __init__(self) -> None:
        self.connections = self.open = self.max_open = 0
        self.server: asyncio.base_events.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        try:
            try:
                await asyncio.wait_for(reader.read(1537), 5)
            except asyncio.TimeoutError:
                pass
            writer.write(b"garbage!" * 400)  # 'g' is no RTMP version byte
            await writer.drain()
            await asyncio.sleep(0.2)
        except (ConnectionError, OSError):
            pass
        finally:
            self.open -= 1
            writer.close()

    def close(self) -> None:
        if self.server:
            self.server.close()


def stream(info, port: int):
    """The stream_results entry of the destination on this port (ports are not secret)."""
    for s in info.stream_results:
        if f":{port}/" in s.url:
            return s
    return None


def show(info) -> str:
    if info is None:
        return "no egress"
    streams = [f"{s.url} {api.StreamInfo.Status.Name(s.status)} err={s.error[:120]!r} retries={s.retries} "
               f"started={s.started_at > 0} ended={s.ended_at > 0}" for s in info.stream_results]
    return f"{api.EgressStatus.Name(info.status)} {info.error!r} {streams}"


async def scenario(c: Checks, url: str, hooks_path: str, server_log: str, logdir: str) -> None:
    http_url = url.replace("ws://", "http://").replace("wss://", "https://")
    room_name = f"restream-{uuid.uuid4().hex[:8]}"
    lk = api.LiveKitAPI(http_url, KEY, SECRET)
    room = rtc.Room()
    src = Source()
    receivers: list[Receiver] = []
    garbage = Garbage()
    secrets: dict[str, str] = {}  # a secret's name -> the secret (every key and password sent)
    infos: list[str] = []  # MessageToJson of every EgressInfo the API returned

    def secret(name: str, value: str) -> str:
        secrets[name] = value
        return value

    def leaks(text: str) -> list[str]:
        # The middle of a key is enough to give it away (the redacted form keeps 2 + 2).
        return [n for n, v in secrets.items() if v[2:-2] in text]

    def keep(info):
        infos.append(MessageToJson(info))
        return info

    def receiver(name: str) -> Receiver:
        r = Receiver(name, logdir)
        receivers.append(r)
        secret(f"key {name}", r.key)
        return r

    def outputs(*urls: str) -> list:
        return [api.StreamOutput(protocol=RTMP, urls=list(urls))]

    list_latency: list[float] = []

    async def get(egress_id: str):
        t0 = time.monotonic()
        items = (await lk.egress.list_egress(api.ListEgressRequest(egress_id=egress_id))).items
        list_latency.append(time.monotonic() - t0)
        return keep(items[0]) if items else None

    try:
        room, sids = await publish(url, room_name, src)
        src.start()

        async def listed():
            people = (await lk.room.list_participants(api.ListParticipantsRequest(room=room_name))).participants
            return set(sids) <= {t.sid for p in people for t in p.tracks if t.mime_type}
        c.check("restream_tracks_published", bool(await wait_until(listed, 20)), "camera (H.264) and microphone")

        # --- bad: refusals first; none may leave a job behind.
        async def refused(name: str, aw, code: str) -> None:
            try:
                got = await aw
                c.fail(name, f"accepted: {show(got)}")
                if getattr(got, "egress_id", ""):
                    await lk.egress.stop_egress(api.StopEgressRequest(egress_id=got.egress_id))
            except api.TwirpError as e:
                c.check(name, e.code == code and bool(e.message), f"{e.code}: {e.message[:200]}")

        def participant(*urls: str, **kw) -> api.ParticipantEgressRequest:
            return api.ParticipantEgressRequest(room_name=room_name, identity="host", stream_outputs=outputs(*urls), **kw)

        nowhere = free_port()  # nothing listens there
        dup = f"rtmp://127.0.0.1:{nowhere}/live/" + secret("duplicated key", uuid.uuid4().hex)
        bad = [
            ("file", "file:///etc/passwd"), ("http", "http://x/y"), ("srt", f"srt://127.0.0.1:{nowhere}/x"),
            ("dash_i", "-i"), ("no_host", "rtmp://"), ("empty", ""),
            ("too_long", f"rtmp://127.0.0.1:{nowhere}/live/" + "k" * 1100),
            ("control_char", f"rtmp://127.0.0.1:{nowhere}/live/a\r\nb"),
        ]
        for name, u in bad:
            await refused(f"restream_bad_url_{name}", lk.egress.start_participant_egress(participant(u)), "invalid_argument")
        await refused("restream_bad_duplicate_url", lk.egress.start_participant_egress(participant(dup, dup)), "invalid_argument")
        nine = [f"rtmp://127.0.0.1:{nowhere}/live/k{i}" for i in range(9)]
        await refused("restream_bad_nine_urls", lk.egress.start_participant_egress(participant(*nine)), "invalid_argument")
        composite_key = secret("room composite key", uuid.uuid4().hex)
        await refused("restream_room_composite_bad_url", lk.egress.start_room_composite_egress(api.RoomCompositeEgressRequest(
            room_name=room_name, stream_outputs=outputs(f"http://127.0.0.1:{nowhere}/live/{composite_key}"))), "invalid_argument")
        left = (await lk.egress.list_egress(api.ListEgressRequest(room_name=room_name))).items
        c.check("restream_refusals_left_nothing", not left, f"{len(left)} egresses")
        update_key = secret("update key", uuid.uuid4().hex)
        some_url = f"rtmp://127.0.0.1:{nowhere}/live/{update_key}"
        await refused("restream_update_unknown_id", lk.egress.update_stream(api.UpdateStreamRequest(
            egress_id="EG_nope", add_output_urls=[some_url])), "not_found")
        hls = await lk.egress.start_participant_egress(api.ParticipantEgressRequest(
            room_name=room_name, identity="host", segment_outputs=[api.SegmentedFileOutput(filename_prefix="e2e-restream/{room_name}/hls")]))
        await refused("restream_update_hls_only", lk.egress.update_stream(api.UpdateStreamRequest(
            egress_id=hls.egress_id, add_output_urls=[some_url])), "failed_precondition")
        try:
            await lk.egress.stop_egress(api.StopEgressRequest(egress_id=hls.egress_id))
        except api.TwirpError as e:
            print(f"note: stopping the HLS egress {hls.egress_id}: {e.code}: {e.message}", flush=True)

        # --- start: A and B.
        A, B = receiver("a"), receiver("b")
        c.check("restream_receivers_listen", await A.start() and await B.start(), f"ports {A.port} {B.port}")
        t_start = time.monotonic()
        info = keep(await lk.egress.start_participant_egress(participant(A.url, B.url)))
        eid = info.egress_id
        start_json = MessageToJson(info)
        c.check("restream_started", eid.startswith("EG_") and info.participant.identity == "host"
                and info.status in (api.EgressStatus.EGRESS_STARTING, api.EgressStatus.EGRESS_ACTIVE), show(info))
        c.check("restream_start_response_redacted", not leaks(start_json) and A.key[2:-2] not in start_json,
                f"leaks {leaks(start_json)}; urls {list(info.participant.stream_outputs[0].urls) if info.participant.stream_outputs else []}")

        def live(s, r: Receiver) -> bool:
            return s is not None and s.status == ACTIVE and s.started_at > 0 and s.error == "" and r.size() > 0

        async def both_live():
            i = await get(eid)
            ok = i is not None and i.status == api.EgressStatus.EGRESS_ACTIVE and live(stream(i, A.port), A) and live(stream(i, B.port), B)
            return i if ok else None
        info = await wait_until(both_live, 20) or await get(eid)
        c.check("restream_active", info is not None and info.status == api.EgressStatus.EGRESS_ACTIVE and len(info.stream_results) == 2
                and live(stream(info, A.port), A) and live(stream(info, B.port), B),
                f"{show(info)}; files {A.size()} {B.size()} bytes")
        list_json = MessageToJson(info) if info else ""
        c.check("restream_list_redacted", bool(list_json) and not leaks(list_json), f"leaks {leaks(list_json)}")
        got_urls = sorted(s.url for s in info.stream_results) if info else []
        c.check("restream_url_redacted_form", got_urls == sorted([redacted(A.url), redacted(B.url)]), f"{got_urls}")
        echoed = list(info.participant.stream_outputs[0].urls) if info and info.participant.stream_outputs else []
        c.check("restream_request_echo_redacted", sorted(echoed) == sorted([redacted(A.url), redacted(B.url)]), f"{echoed}")

        # --- retry: B's receiver goes away, then comes back on the same port.
        a_size = A.size()
        await B.kill()

        async def b_retrying():
            i = await get(eid)
            b = stream(i, B.port) if i else None
            return i if b is not None and b.error != "" and b.retries >= 1 and b.last_retry_at > 0 else None
        info = await wait_until(b_retrying, 15) or await get(eid)
        b = stream(info, B.port) if info else None
        a = stream(info, A.port) if info else None
        c.check("restream_retry_reports_error", b is not None and b.status == ACTIVE and b.error != "" and b.retries >= 1
                and b.last_retry_at >= b.started_at > 0 and b.ended_at == 0, show(info))
        c.check("restream_retry_other_unaffected", a is not None and a.status == ACTIVE and a.error == "" and a.retries == 0
                and A.alive() and info.status == api.EgressStatus.EGRESS_ACTIVE, show(info))

        c.check("restream_receiver_b_restarts", await B.start(), f"port {B.port}")

        async def b_back():
            i = await get(eid)
            b = stream(i, B.port) if i else None
            return i if b is not None and b.status == ACTIVE and b.error == "" and B.size() > 0 else None
        info = await wait_until(b_back, 30) or await get(eid)
        b = stream(info, B.port) if info else None
        c.check("restream_retry_reconnects", b is not None and b.status == ACTIVE and b.error == "" and B.size() > 0,
                f"{show(info)}; new file {B.size()} bytes")

        async def a_grew():
            return A.alive() and A.size() > a_size
        c.check("restream_retry_a_kept_receiving", bool(await wait_until(a_grew, 10)), f"{a_size} -> {A.size()} bytes")

        # --- update: add C, remove B; refusals.
        C = receiver("c")
        c.check("restream_receiver_c_listens", await C.start(), f"port {C.port}")
        try:
            upd = keep(await lk.egress.update_stream(api.UpdateStreamRequest(egress_id=eid, add_output_urls=[C.url], remove_output_urls=[B.url])))
            c.check("restream_update_response", upd.egress_id == eid and stream(upd, C.port) is not None and stream(upd, A.port) is not None
                    and not leaks(MessageToJson(upd)), show(upd))
        except api.TwirpError as e:
            c.fail("restream_update_response", f"{e.code}: {e.message}")

        async def b_removed():
            i = await get(eid)
            b = stream(i, B.port) if i else None
            return i if b is not None and b.status == FINISHED and b.ended_at > 0 else None
        info = await wait_until(b_removed, 15) or await get(eid)
        b = stream(info, B.port) if info else None
        c.check("restream_update_removes", b is not None and b.status == FINISHED and b.ended_at >= b.started_at > 0, show(info))
        rc = await B.exited(15)
        if rc is not None:
            p = await asyncio.to_thread(probe, B.path)
            codecs = sorted(s.get("codec_name", "") for s in p.get("streams", []))
            errors = await asyncio.to_thread(decode_errors, B.path)
            c.check("restream_retry_new_file_decodes", codecs == ["aac", "h264"] and errors == "",
                    f"{B.path}: {codecs} {float(p.get('format', {}).get('duration', 0) or 0):.2f} s; {errors[:300]}")
        else:
            c.fail("restream_retry_new_file_decodes", "B's receiver did not finish its file within 15 s of the removal")

        async def c_live():
            i = await get(eid)
            return i if i is not None and live(stream(i, C.port), C) else None
        info = await wait_until(c_live, 20) or await get(eid)
        c.check("restream_update_adds", info is not None and live(stream(info, C.port), C), f"{show(info)}; file {C.size()} bytes")

        await refused("restream_update_remove_unknown", lk.egress.update_stream(api.UpdateStreamRequest(
            egress_id=eid, remove_output_urls=[f"rtmp://127.0.0.1:{nowhere}/live/not-there"])), "invalid_argument")
        await refused("restream_update_add_existing", lk.egress.update_stream(api.UpdateStreamRequest(
            egress_id=eid, add_output_urls=[A.url])), "invalid_argument")

        # --- garbage: a destination answering garbage retries; the rest carry on.
        await garbage.start()
        g_url = (f"rtmp://{secret('garbage user', 'u' + uuid.uuid4().hex)}:{secret('garbage password', uuid.uuid4().hex)}"
                 f"@127.0.0.1:{garbage.port}/live/{secret('garbage key', uuid.uuid4().hex)}")
        sizes = (A.size(), C.size())
        list_latency.clear()
        list_failures: list[str] = []
        try:
            keep(await lk.egress.update_stream(api.UpdateStreamRequest(egress_id=eid, add_output_urls=[g_url])))
        except api.TwirpError as e:
            c.fail("restream_garbage_added", f"{e.code}: {e.message}")

        async def g_retrying():
            try:
                i = await get(eid)
            except Exception as e:  # noqa: BLE001
                list_failures.append(f"{type(e).__name__}: {e}")
                return None
            g = stream(i, garbage.port) if i else None
            return i if g is not None and g.error != "" and g.retries >= 1 and garbage.connections >= 2 else None
        info = await wait_until(g_retrying, 20) or await get(eid)
        g = stream(info, garbage.port) if info else None
        c.check("restream_garbage_retries", g is not None and g.status == ACTIVE and g.error != "" and g.retries >= 1
                and garbage.connections >= 2, f"{show(info)}; {garbage.connections} connections")
        c.check("restream_garbage_one_connection_at_a_time", garbage.max_open <= 1, f"at most {garbage.max_open} open at once")
        worst = max(list_latency, default=99)
        c.check("restream_garbage_server_answers", not list_failures and worst < 2, f"{len(list_latency)} ListEgress, slowest {worst * 1000:.0f} ms {list_failures[:2]}")
        a, cc = (stream(info, A.port), stream(info, C.port)) if info else (None, None)

        async def both_grew():
            return A.size() > sizes[0] and C.size() > sizes[1]
        grew = bool(await wait_until(both_grew, 10))
        c.check("restream_garbage_others_unaffected", a is not None and cc is not None and grew
                and all(s.status == ACTIVE and s.error == "" and s.retries == 0 for s in (a, cc)),
                f"{show(info)}; files {sizes} -> {(A.size(), C.size())}")
        c.check("restream_url_redacted_userinfo", g is not None and g.url == redacted(g_url), f"{g.url if g else None}")
        if g is not None:
            try:
                keep(await lk.egress.update_stream(api.UpdateStreamRequest(egress_id=eid, remove_output_urls=[g.url])))
            except api.TwirpError as e:
                c.fail("restream_remove_by_redacted_url", f"{e.code}: {e.message}")

            async def g_removed():
                i = await get(eid)
                s = stream(i, garbage.port) if i else None
                return i if s is not None and s.status == FINISHED and s.ended_at > 0 else None
            info = await wait_until(g_removed, 15) or await get(eid)
            g = stream(info, garbage.port) if info else None
            c.check("restream_remove_by_redacted_url", g is not None and g.status == FINISHED and g.ended_at > 0, show(info))

        # --- end: stop; every stream FINISHED; the receivers' files.
        t_stop = time.monotonic()
        stopped = keep(await lk.egress.stop_egress(api.StopEgressRequest(egress_id=eid)))
        c.check("restream_stop", stopped.status in (api.EgressStatus.EGRESS_ENDING, api.EgressStatus.EGRESS_COMPLETE), show(stopped))

        async def complete():
            i = await get(eid)
            return i if i is not None and i.status >= api.EgressStatus.EGRESS_COMPLETE else None
        done = await wait_until(complete, 30) or await get(eid)
        a, cc = (stream(done, A.port), stream(done, C.port)) if done else (None, None)
        c.check("restream_complete", done is not None and done.status == api.EgressStatus.EGRESS_COMPLETE and done.error == ""
                and len(done.stream_results) == 4 and all(s.status == FINISHED for s in done.stream_results)
                and a is not None and cc is not None and all(s.ended_at > s.started_at > 0 and s.error == "" for s in (a, cc)), show(done))
        codes = (await A.exited(15), await C.exited(15))
        c.check("restream_receivers_closed", None not in codes, f"exit statuses {codes}")
        streamed = t_stop - t_start
        a_dur = a.duration / 1e9 if a else 0
        p = await asyncio.to_thread(probe, A.path)
        codecs = sorted(s.get("codec_name", "") for s in p.get("streams", []))
        audio = next((s for s in p.get("streams", []) if s.get("codec_type") == "audio"), {})
        pdur = float(p.get("format", {}).get("duration", 0) or 0)
        c.check("restream_file_a_streams", codecs == ["aac", "h264"] and audio.get("sample_rate") == "48000" and audio.get("channels") == 2,
                f"{codecs} audio {audio}")
        # The stream's own duration counts from its first connection (ffmpeg's start-up
        # later): no longer than the egress ran, and not much shorter than what A received.
        c.check("restream_file_a_duration", abs(pdur - streamed) <= 1.5 and 0 < a_dur <= streamed + 0.5 and a_dur >= pdur - 3,
                f"{pdur:.2f} s in the file, {streamed:.2f} s from start to stop, the stream says {a_dur:.2f} s")
        print(f"METRIC restream file_vs_streamed {pdur - streamed:+.2f} s", flush=True)
        errors = await asyncio.to_thread(decode_errors, A.path)
        c.check("restream_file_a_decodes", errors == "", errors[:300])
        p = await asyncio.to_thread(probe, C.path)
        codecs = sorted(s.get("codec_name", "") for s in p.get("streams", []))
        errors = await asyncio.to_thread(decode_errors, C.path)
        c.check("restream_file_c_decodes", codecs == ["aac", "h264"] and errors == "", f"{codecs} {errors[:300]}")
        await refused("restream_update_ended", lk.egress.update_stream(api.UpdateStreamRequest(
            egress_id=eid, add_output_urls=[some_url])), "failed_precondition")

        # --- hooks: this egress's webhooks, verified; B's drop and removal among them.
        receiver_ = api.WebhookReceiver(api.TokenVerifier(KEY, SECRET))

        def events() -> list[tuple[str, object, str]]:
            out = []
            for h in hooks_for(hooks_path, room_name):
                if not h["event"].startswith("egress_"):
                    continue
                try:
                    ev = receiver_.receive(h["body"], h["authorization"])
                except Exception as e:  # noqa: BLE001
                    out.append(("unverified", e, h["body"]))
                    continue
                if ev.egress_info.egress_id == eid:
                    out.append((ev.event, ev.egress_info, h["body"]))
            return out

        async def ended():
            evs = events()
            return evs if any(e == "egress_ended" for e, _, _ in evs) else None
        evs = await wait_until(ended, 15) or events()
        bad_hooks = [str(i) for e, i, _ in evs if e == "unverified"]
        c.check("restream_webhooks_verify", bool(evs) and not bad_hooks, f"{len(evs)} hooks; {bad_hooks[:2]}")
        updated = [i for e, i, _ in evs if e == "egress_updated"]
        b_drop = any((s := stream(i, B.port)) is not None and s.error != "" and s.status == ACTIVE for i in updated)
        b_end = any((s := stream(i, B.port)) is not None and s.status == FINISHED for i in updated)
        c.check("restream_webhooks_updated", b_drop and b_end, f"{len(updated)} egress_updated; B's error shown {b_drop}, B finished shown {b_end}; "
                f"events {[e for e, _, _ in evs]}")
        last = next((i for e, i, _ in evs if e == "egress_ended"), None)
        c.check("restream_webhook_ended", last is not None and last.status == api.EgressStatus.EGRESS_COMPLETE and len(last.stream_results) == 4
                and all(s.status == FINISHED for s in last.stream_results), show(last))

        # --- secrets: nowhere the server shows or keeps text.
        shown = [n for j in infos for n in leaks(j)]
        c.check("restream_no_key_in_api", not shown, f"{len(infos)} EgressInfo; leaked: {sorted(set(shown))}")
        hooked = [n for _, _, body in evs for n in leaks(body)]
        all_hooks = "\n".join(h["body"] for h in hooks_for(hooks_path, room_name))
        hooked += leaks(all_hooks)
        c.check("restream_no_key_in_webhooks", not hooked, f"leaked: {sorted(set(hooked))}")
        try:
            with open(server_log, errors="replace") as f:
                log = f.read()
        except OSError as e:
            log = ""
            c.fail("restream_no_key_in_server_log", f"cannot read {server_log}: {e}")
        if log:
            lines = [line[:300] for line in log.splitlines() if leaks(line)]
            c.check("restream_no_key_in_server_log", not lines, f"{len(log)} bytes; {sorted(set(leaks(log)))} {lines[:3]}")
        elif server_log:
            c.fail("restream_no_key_in_server_log", f"{server_log} is empty")
    finally:
        await src.stop()
        await room.disconnect()
        for r in receivers:
            await r.kill()
        garbage.close()
        await lk.aclose()


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--hooks", required=True)
    ap.add_argument("--server-log", required=True, help="the server's log, read for stream keys")
    ap.add_argument("--logdir", default="", help="where the receivers' files and logs go")
    ap.add_argument("--label", default="server-sdk-restream")
    args = ap.parse_args()
    logdir = args.logdir or tempfile.mkdtemp(prefix="restream-")
    os.makedirs(logdir, exist_ok=True)
    c = Checks(args.label)
    try:
        await asyncio.wait_for(scenario(c, args.url, args.hooks, args.server_log, logdir), 100)
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        c.fail("restream_scenario_completed", f"{type(e).__name__}: {e}")
    return c.summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
