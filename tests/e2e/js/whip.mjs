// The whip mode of the JS suite (issue 13): Chromium's own WebRTC stack publishes over WHIP
// (whip-client.js in the `pub` page: fake camera and microphone, the offer POSTed with the
// ingress's stream key as a Bearer token), and livekit-client in the `late` page decodes it.
// The ingress comes from livekit-server-sdk's IngressClient; its state is read back there.
// Checks: refusals (unknown key 401, a second encoder 409), the 201 (Location, ETag, an
// answer with candidates), the participant of kind INGRESS, decoded video and audio at the
// subscriber, an ICE restart by PATCH (If-Match; a stale tag is 412) with media going on,
// DELETE ending the session (the participant leaves, the ingress goes back to inactive);
// then the same key again with H.264 simulcast (three rids), as OBS's WHIP output sends.

import { IngressClient, IngressInput, RoomServiceClient } from 'livekit-server-sdk';

// IngressState.Status and ParticipantInfo.Kind on the wire.
const ENDPOINT_INACTIVE = 0;
const ENDPOINT_PUBLISHING = 2;
const KIND_INGRESS = 1;
const IDENTITY = 'whip-cam';

export async function whipScenario(pages, t) {
  const { check, ok, step, metric, waitFor, token, room, url, apiKey, apiSecret, minFrames, audioOk } = t;
  const http = url.replace(/^ws/, 'http');
  const ingress = new IngressClient(http, apiKey, apiSecret);
  const rooms = new RoomServiceClient(http, apiKey, apiSecret);
  const made = await step('whip_create_ingress', 10_000, () => ingress.createIngress(IngressInput.WHIP_INPUT, {
    name: 'e2e whip', roomName: room, participantIdentity: IDENTITY, participantName: 'WHIP camera',
  }));
  if (!made) return;
  const info = made.value;
  check('whip_create_ingress', info.url.endsWith('/w') && info.streamKey.length > 0, `url ${info.url}, key ${info.streamKey.slice(0, 4)}…`);
  const whipUrl = info.url;

  const sub = await step('whip_subscriber_connect', 30_000, async () => pages.late.evaluate(([u, tk]) => window.e2e.connect(u, tk), [url, await token('late-sub')]));
  if (!sub) return;
  ok('whip_subscriber_connect');

  const wrong = await step('whip_unknown_key_refused', 20_000, () => pages.early.evaluate((u) => window.whip.publish(u, 'not-a-stream-key'), whipUrl));
  if (wrong) check('whip_unknown_key_refused', wrong.value.status === 401, `status ${wrong.value.status}: ${wrong.value.body.trim()}`);

  const t0 = Date.now();
  const pub = await step('whip_offer_answered', 20_000, () => pages.pub.evaluate(([u, k]) => window.whip.publish(u, k), [whipUrl, info.streamKey]));
  if (!pub) return;
  const p = pub.value;
  check('whip_offer_answered', p.status === 201 && (p.contentType || '').startsWith('application/sdp') && p.location && p.location.startsWith(`/w/${info.streamKey}/`) && /^".+"$/.test(p.etag || '') && p.answerHasCandidates,
    `status ${p.status}, content-type ${p.contentType}, Location ${p.location}, ETag ${p.etag}, candidates in the answer: ${p.answerHasCandidates} ${p.body || ''}`);
  if (p.status !== 201) return;

  // The key in the path, a second encoder on the same ingress: refused while the first runs.
  const second = await step('whip_second_encoder_refused', 20_000, () => pages.early.evaluate((u) => window.whip.publish(u, null), `${whipUrl}/${info.streamKey}`));
  if (second) check('whip_second_encoder_refused', second.value.status === 409, `status ${second.value.status}: ${second.value.body.trim()}`);

  const frames = async () => (await pages.late.evaluate(() => window.e2e.inbound())).find((x) => x.kind === 'video' && x.from === IDENTITY);
  const media = await waitFor(45_000, async () => {
    const all = await pages.late.evaluate(() => window.e2e.inbound());
    const v = all.find((x) => x.kind === 'video' && x.from === IDENTITY);
    const a = all.find((x) => x.kind === 'audio' && x.from === IDENTITY);
    return { ok: !!v && v.framesDecoded >= minFrames && !!a && audioOk(a), v, a,
      detail: `video ${v ? `${v.framesDecoded} frames ${v.frameWidth}x${v.frameHeight}` : 'none'}, audio ${a ? `${a.packetsReceived} packets, energy ${a.totalAudioEnergy.toFixed(4)}` : 'none'}` };
  });
  check('whip_subscriber_decodes', media.ok && media.v.frameWidth === 640 && media.v.frameHeight === 360, media.detail);
  if (media.ok) metric('whip_post_to_subscriber_30_frames', Date.now() - t0);

  const state = await waitFor(15_000, async () => {
    const [i] = await ingress.listIngress({ ingressId: info.ingressId });
    const s = i && i.state;
    return { ok: !!s && s.status === ENDPOINT_PUBLISHING && s.tracks.length === 2, detail: s ? `status ${s.status}, ${s.tracks.length} tracks, video ${s.video ? s.video.mimeType : '-'}` : 'no state' };
  });
  check('whip_ingress_publishing', state.ok, state.detail);
  const parts = await step('whip_participant_is_ingress', 10_000, () => rooms.listParticipants(room));
  if (parts) {
    const me = parts.value.find((x) => x.identity === IDENTITY);
    check('whip_participant_is_ingress', !!me && me.kind === KIND_INGRESS && me.tracks.length === 2, me ? `kind ${me.kind}, ${me.tracks.length} tracks` : 'not in the room');
  }

  const restart = await step('whip_ice_restart', 20_000, () => pages.pub.evaluate(() => window.whip.restart()));
  if (restart) {
    const r = restart.value;
    check('whip_ice_restart', r.status === 200 && r.changed && r.staleStatus === 412, `status ${r.status}, new server credentials ${r.changed}, stale If-Match ${r.staleStatus}`);
    const before = (await frames())?.framesDecoded ?? 0;
    const after = await waitFor(20_000, async () => {
      const [st, v] = await Promise.all([pages.pub.evaluate(() => window.whip.stats()), frames()]);
      return { ok: !!v && v.framesDecoded >= before + minFrames && st.connection === 'connected', detail: `framesDecoded ${before} -> ${v ? v.framesDecoded : 0}, encoder ${st ? st.connection : '-'}` };
    });
    check('whip_media_after_ice_restart', after.ok, after.detail);
  }

  const stop = await step('whip_delete', 10_000, () => pages.pub.evaluate(() => window.whip.stop()));
  if (stop) check('whip_delete', stop.value.status === 200, `status ${stop.value.status}`);
  const gone = await waitFor(15_000, async () => {
    const st = await pages.late.evaluate(() => window.e2e.state());
    const [i] = await ingress.listIngress({ ingressId: info.ingressId });
    return { ok: st.left.includes(IDENTITY) && i.state.status === ENDPOINT_INACTIVE, detail: `left ${JSON.stringify(st.left)}, ingress status ${i.state.status}, error "${i.state.error}"` };
  });
  check('whip_delete_ends_session', gone.ok, gone.detail);

  // Again on the same key (an ingress is reusable), as OBS's WHIP output sends: H.264, and
  // simulcast (three rids); the layers reach the room and the subscriber decodes.
  const again = await step('whip_simulcast_h264_answered', 20_000, () => pages.pub.evaluate(([u, k]) => window.whip.publish(u, k, { simulcast: true, h264: true }), [whipUrl, info.streamKey]));
  if (!again) return;
  check('whip_simulcast_h264_answered', again.value.status === 201 && /h264/i.test(again.value.videoCodec), `status ${again.value.status}, video codec ${again.value.videoCodec} ${again.value.body || ''}`);
  const layered = await waitFor(45_000, async () => {
    const v = await frames();
    const me = (await rooms.listParticipants(room)).find((x) => x.identity === IDENTITY);
    const video = me && me.tracks.find((tr) => tr.type === 1);
    return { ok: !!v && v.framesDecoded >= minFrames && !!video && video.simulcast && video.layers.length === 3 && /h264/i.test(video.mimeType),
      detail: `decoded ${v ? `${v.framesDecoded} frames ${v.frameWidth}x${v.frameHeight}` : 'nothing'}; track ${video ? `${video.mimeType} simulcast ${video.simulcast}, ${video.layers.length} layers` : 'none'}` };
  });
  check('whip_simulcast_h264_decoded', layered.ok, layered.detail);
  const stop2 = await step('whip_simulcast_delete', 10_000, () => pages.pub.evaluate(() => window.whip.stop()));
  if (stop2) check('whip_simulcast_delete', stop2.value.status === 200, `status ${stop2.value.status}`);
  await ingress.deleteIngress(info.ingressId).catch(() => {});
}
