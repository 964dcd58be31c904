"""Upload suite: a server with `egress.s3` pointing at an S3 API on the namespace's loopback
(moto's server, started here) copies finished recordings to the bucket.

  upload    PyPI livekit-api records a microphone (StartTrackEgress, Ogg) and a participant
            (StartParticipantEgress, HLS with thumbnails); both end EGRESS_COMPLETE with the
            objects' URLs as their locations; boto3 finds every file (the Ogg, the init segment,
            each segment, the playlist, the thumbnails) under the prefix, byte for byte the
            files the server keeps; ffprobe reads the Ogg from the bucket (presigned) and the
            HLS recording fetched back from it
  down      with the store gone, a recording ends EGRESS_FAILED saying the upload failed and
            where the file is kept; the library still lists it and its link plays

Prints PASS/FAIL lines and "LABEL: N passed, N failed". Exit status 0 only if every check passed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import uuid

import aiohttp
import boto3
from livekit import api

from test_api import KEY, SECRET, Checks
from test_egress import tok
from test_library import record

BUCKET = "hikari-e2e"
PREFIX = "rec/"
RECORD_SECONDS = 4.0


def run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


def start_store(python: str, port: int, log: str) -> subprocess.Popen:
    proc = subprocess.Popen([python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=open(log, "w"), stderr=subprocess.STDOUT)
    for _ in range(100):  # 10 s at most
        try:
            s3(port).list_buckets()
            return proc
        except Exception:  # noqa: BLE001
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"moto did not answer on {port}; see {log}")


def s3(port: int):
    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="e2e-access", aws_secret_access_key="e2e-secret")


async def scenario(c: Checks, url: str, recordings: str, port: int, logdir: str) -> None:
    base = url.replace("ws://", "http://").replace("wss://", "https://")
    lk = api.LiveKitAPI(base, KEY, SECRET)
    store = start_store(sys.executable, port, os.path.join(logdir, "moto.log"))
    endpoint = f"http://127.0.0.1:{port}"
    try:
        client = s3(port)
        client.create_bucket(Bucket=BUCKET)
        room_name = f"up-{uuid.uuid4().hex[:8]}"
        _, done, _ = await record(url, lk, room_name, prefix="up", seconds=RECORD_SECONDS, ended_within=90)
        track = next((e for e in done.values() if e.file_results), None)
        part = next((e for e in done.values() if e.segment_results), None)
        c.check("upload_complete", len(done) == 2 and all(e.status == api.EgressStatus.EGRESS_COMPLETE for e in done.values()),
                str([(e.egress_id, e.status, e.error) for e in done.values()]))
        f = track.file_results[0] if track else None
        c.check("upload_file_location", f is not None and f.location == f"{endpoint}/{BUCKET}/{PREFIX}{f.filename}", f.location if f else "")
        s = part.segment_results[0] if part else None
        c.check("upload_playlist_location", s is not None and s.playlist_location == f"{endpoint}/{BUCKET}/{PREFIX}{s.playlist_name}",
                s.playlist_location if s else "")
        objects = {o["Key"]: o["Size"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}up/{room_name}/").get("Contents", [])}
        local_dir = os.path.join(recordings, "up", room_name)
        local = {f"{PREFIX}up/{room_name}/{n}": os.path.getsize(os.path.join(local_dir, n)) for n in os.listdir(local_dir)}
        c.check("upload_every_file", objects == local and len(objects) >= 7, f"bucket {sorted(objects)}, disk {sorted(local)}")
        same = all(client.get_object(Bucket=BUCKET, Key=k)["Body"].read() == open(os.path.join(recordings, k[len(PREFIX):]), "rb").read()
                   for k in objects)
        c.check("upload_byte_for_byte", same and bool(objects), f"{len(objects)} objects")
        thumbs = [k for k in objects if k.endswith(".jpeg")]
        c.check("upload_thumbnails", part is not None and part.image_results and len(thumbs) == part.image_results[0].image_count > 0,
                f"{thumbs}")
        if f:
            # Objects are private: ffprobe reads the Ogg through a presigned URL.
            signed = client.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": f"{PREFIX}{f.filename}"}, ExpiresIn=300)
            out = run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", signed])
            c.check("upload_ogg_reads_from_the_bucket", out.stdout.split() == ["opus"], out.stdout + out.stderr[:200])
        if s:
            # The HLS recording as it is in the bucket, fetched back whole: it plays.
            with tempfile.TemporaryDirectory() as back:
                for k in objects:
                    client.download_file(BUCKET, k, os.path.join(back, os.path.basename(k)))
                out = run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0",
                           os.path.join(back, os.path.basename(s.playlist_name))])
            c.check("upload_hls_plays_from_the_bucket", sorted(set(out.stdout.split())) == ["h264", "opus"], out.stdout + out.stderr[:200])

        # The store goes away: the next recording fails its upload, and says where it is kept.
        store.send_signal(signal.SIGTERM)
        store.wait(10)
        room_name = f"up-{uuid.uuid4().hex[:8]}"
        t0 = time.monotonic()
        _, done, _ = await record(url, lk, room_name, prefix="up", hls=False, seconds=RECORD_SECONDS, ended_within=90)
        e = next(iter(done.values()), None)
        c.check("upload_down_fails_the_egress", e is not None and e.status == api.EgressStatus.EGRESS_FAILED and "upload" in e.error
                and "kept in the recordings directory" in e.error, f"{e.status if e else None}: {e.error if e else ''}")
        print(f"METRIC upload failed_upload_reported_after {time.monotonic() - t0:.1f} s", flush=True)
        kept = e.file_results[0].filename if e and e.file_results else ""
        c.check("upload_down_keeps_the_file", bool(kept) and os.path.getsize(os.path.join(recordings, kept)) > 0, kept)
        reader = {"Authorization": f"Bearer {tok('reader', room_name, room_record=True)}"}
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/library/recordings/{e.egress_id if e else 'x'}", headers=reader) as r:
                entry = await r.json() if r.status == 200 else {}
        c.check("upload_down_in_the_library", entry.get("status") == "failed" and entry.get("path") == kept, json.dumps(entry)[:300])
        if entry.get("play_url"):
            out = run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", f"{base}{entry['play_url']}"])
            c.check("upload_down_file_plays", out.stdout.split() == ["opus"], out.stdout + out.stderr[:200])
    finally:
        if store.poll() is None:
            store.kill()
        await lk.aclose()


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--recordings", required=True)
    ap.add_argument("--s3-port", type=int, required=True)
    ap.add_argument("--logdir", required=True)
    ap.add_argument("--label", default="server-sdk-upload")
    args = ap.parse_args()
    c = Checks(args.label)
    try:
        await asyncio.wait_for(scenario(c, args.url, args.recordings, args.s3_port, args.logdir), 200)
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        c.fail("upload_scenario_completed", f"{type(e).__name__}: {e}")
    return c.summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
