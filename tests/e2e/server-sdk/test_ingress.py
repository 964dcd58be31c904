"""Server-SDK scenario for the IngressService: PyPI livekit-api's IngressService creates, lists,
updates and deletes ingresses over Twirp (protobuf), and the ingress webhooks verify with the
SDK's WebhookReceiver.

  rtmp   created in a room: url rtmp://<node ip>:1935/x, a stream key, inactive, reusable,
         transcoding on; its options (presets) come back from List as given
  whip   created without a room: url http://<node ip>:7880/w, transcoding off
  list   by room (only rtmp) and by id (only whip); update renames; delete removes both
  bad    a token without ingressAdmin is refused (permission_denied); a create without an
         identity gets LiveKit's invalid_argument; a second delete gets not_found
  hooks  ingress_created and ingress_deleted for the room, in order, carrying ingress_info

Prints PASS/FAIL lines and "LABEL: N passed, N failed". Exit status 0 only if every check passed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import traceback
import uuid
from urllib.parse import urlparse

import aiohttp
from livekit import api

from test_api import KEY, SECRET, Checks, hooks_for, wait_until


async def twirp(http, base: str, method: str, body: dict, token: str):
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    async with http.post(f"{base}/twirp/livekit.Ingress/{method}", data=json.dumps(body), headers=headers) as r:
        return r.status, await r.json(content_type=None)


async def refused(c: Checks, name: str, aw, code: str, needle: str = "") -> None:
    try:
        got = await aw
        c.fail(name, f"accepted: {got}")
    except api.TwirpError as e:
        c.check(name, e.code == code and needle in e.message, f"{e.code}: {e.message}")


async def scenario(c: Checks, url: str, hooks_path: str) -> None:
    http_url = url.replace("ws://", "http://").replace("wss://", "https://")
    host = urlparse(http_url).hostname
    room = f"ingress-{uuid.uuid4().hex[:8]}"
    lk = api.LiveKitAPI(http_url, KEY, SECRET)
    http = aiohttp.ClientSession()
    try:
        rtmp = await lk.ingress.create_ingress(api.CreateIngressRequest(
            input_type=api.IngressInput.RTMP_INPUT, name="obs studio", room_name=room,
            participant_identity="host-cam", participant_name="Host",
            video=api.IngressVideoOptions(
                source=api.TrackSource.CAMERA, preset=api.IngressVideoEncodingPreset.H264_720P_30FPS_3_LAYERS),
            audio=api.IngressAudioOptions(preset=api.IngressAudioEncodingPreset.OPUS_STEREO_96KBPS)))
        c.check("ingress_create_rtmp", rtmp.ingress_id.startswith("IN_") and rtmp.input_type == api.IngressInput.RTMP_INPUT,
                rtmp.ingress_id)
        c.check("ingress_rtmp_url", rtmp.url == f"rtmp://{host}:1935/x", rtmp.url)
        c.check("ingress_stream_key", len(rtmp.stream_key) >= 16 and rtmp.stream_key.isalnum(), f"{len(rtmp.stream_key)} chars")
        c.check("ingress_inactive", rtmp.state.status == api.IngressState.Status.ENDPOINT_INACTIVE, str(rtmp.state))
        # Hikari differs from LiveKit here: unset means transcode only when needed (WebRTC-safe
        # H.264 passes through), so the field stays unset; bypass_transcoding stays false.
        c.check("ingress_reusable_transcoding", rtmp.reusable and not rtmp.HasField("enable_transcoding") and not rtmp.bypass_transcoding,
                f"reusable={rtmp.reusable} enable_transcoding set={rtmp.HasField('enable_transcoding')} bypass={rtmp.bypass_transcoding}")

        whip = await lk.ingress.create_ingress(api.CreateIngressRequest(
            input_type=api.IngressInput.WHIP_INPUT, name="browser", participant_identity="whip-cam"))
        c.check("ingress_whip_url", whip.url == f"http://{host}:7880/w", whip.url)
        c.check("ingress_whip_passthrough", whip.HasField("enable_transcoding") and not whip.enable_transcoding)
        c.check("ingress_keys_differ", whip.stream_key != rtmp.stream_key)

        by_room = await lk.ingress.list_ingress(api.ListIngressRequest(room_name=room))
        c.check("ingress_list_by_room", [i.ingress_id for i in by_room.items] == [rtmp.ingress_id],
                str([i.ingress_id for i in by_room.items]))
        if by_room.items:
            got = by_room.items[0]
            c.check("ingress_options_echoed",
                    got.video.preset == api.IngressVideoEncodingPreset.H264_720P_30FPS_3_LAYERS
                    and got.video.source == api.TrackSource.CAMERA
                    and got.audio.preset == api.IngressAudioEncodingPreset.OPUS_STEREO_96KBPS
                    and got.stream_key == rtmp.stream_key and got.participant_name == "Host", str(got.video))
        by_id = await lk.ingress.list_ingress(api.ListIngressRequest(ingress_id=whip.ingress_id))
        c.check("ingress_list_by_id", [i.ingress_id for i in by_id.items] == [whip.ingress_id])

        updated = await lk.ingress.update_ingress(api.UpdateIngressRequest(ingress_id=rtmp.ingress_id, name="renamed"))
        c.check("ingress_update_name", updated.name == "renamed" and updated.room_name == room
                and updated.stream_key == rtmp.stream_key, f"{updated.name} {updated.room_name}")
        again = await lk.ingress.list_ingress(api.ListIngressRequest(ingress_id=rtmp.ingress_id))
        c.check("ingress_update_stored", bool(again.items) and again.items[0].name == "renamed")

        # Refusals, with LiveKit's codes and messages.
        no_grant = api.AccessToken(KEY, SECRET).with_grants(api.VideoGrants(room_create=True, room_list=True)).to_jwt()
        status, body = await twirp(http, http_url, "ListIngress", {}, no_grant)
        c.check("ingress_without_grant_refused", status == 403 and body.get("code") == "permission_denied"
                and "ingressAdmin" in body.get("msg", ""), f"HTTP {status} {body}")
        await refused(c, "ingress_identity_required", lk.ingress.create_ingress(api.CreateIngressRequest(
            input_type=api.IngressInput.RTMP_INPUT, room_name=room)), "invalid_argument", "no participant identity")

        for i in (rtmp, whip):
            gone = await lk.ingress.delete_ingress(api.DeleteIngressRequest(ingress_id=i.ingress_id))
            c.check("ingress_delete", gone.ingress_id == i.ingress_id
                    and gone.state.status == api.IngressState.Status.ENDPOINT_INACTIVE, gone.ingress_id)
        left = await lk.ingress.list_ingress(api.ListIngressRequest(room_name=room))
        c.check("ingress_deleted_gone", len(left.items) == 0)
        await refused(c, "ingress_delete_twice_not_found",
                      lk.ingress.delete_ingress(api.DeleteIngressRequest(ingress_id=rtmp.ingress_id)),
                      "not_found", "ingress does not exist")

        # Webhooks for the room: created, then deleted, each verified and carrying the ingress.
        async def both():
            hooks = hooks_for(hooks_path, room)
            return hooks if len(hooks) >= 2 else None
        hooks = await wait_until(both, 20) or hooks_for(hooks_path, room)
        receiver = api.WebhookReceiver(api.TokenVerifier(KEY, SECRET))
        events = []
        for h in hooks:
            try:
                ev = receiver.receive(h["body"], h["authorization"])
                events.append((ev.event, ev.ingress_info.ingress_id))
            except Exception as e:  # noqa: BLE001
                c.fail("ingress_webhook_verifies", f"{h['event']}: {e}")
        print(f"ingress webhooks: {events}", flush=True)
        c.check("ingress_webhook_verifies", len(events) == len(hooks) and len(hooks) > 0, f"{len(events)} verified")
        c.check("ingress_webhooks_created_deleted",
                events == [("ingress_created", rtmp.ingress_id), ("ingress_deleted", rtmp.ingress_id)], str(events))
    finally:
        await lk.aclose()
        await http.close()


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--hooks", required=True)
    ap.add_argument("--label", default="server-sdk-ingress")
    args = ap.parse_args()
    c = Checks(args.label)
    try:
        await asyncio.wait_for(scenario(c, args.url, args.hooks), 120)
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        c.fail("ingress_scenario_completed", f"{type(e).__name__}: {e}")
    return c.summary()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
