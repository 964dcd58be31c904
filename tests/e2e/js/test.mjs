// JS SDK end-to-end scenario: livekit-client (pinned) in Debian's Chromium, driven by
// playwright-core, against a running hikari. Run inside the test network namespace:
//   node test.mjs --url ws://10.77.0.1:7880 --label default [--logdir DIR]
//
// Pages (one browser, fresh profile, fake camera and microphone):
//   early  joins first, so the publisher's tracks reach it by renegotiation;
//   pub    publishes camera and microphone;
//   late   joins after publication, so the tracks come with its JoinResponse.
// Both subscribers must decode >= 30 video frames (inbound-rtp framesDecoded) and receive
// audio that is not silence (inbound-rtp packetsReceived, totalSamplesReceived and
// totalAudioEnergy; the remote audio plays out to Chromium's fake output); data messages cross with the right
// sender identity. Also: a token signed with a wrong secret is refused.
// Prints PASS/FAIL per check, METRIC lines, and closes with "<label>: N passed, N failed".

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { AccessToken } from 'livekit-server-sdk';
import { startStatic } from './static.mjs';
import { whipScenario } from './whip.mjs';
import { hlsScenario } from './hls.mjs';
import { webinarScenario } from './webinar.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const URL_WS = args.url || 'ws://10.77.0.1:7880';
const LABEL = args.label || 'default';
const LOGDIR = args.logdir || fs.mkdtempSync(path.join(os.tmpdir(), 'hikari-e2e-js-'));
const API_KEY = process.env.HIKARI_API_KEY || 'devkey';
const API_SECRET = process.env.HIKARI_API_SECRET || 'secret';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const MIN_FRAMES = 30;
// totalAudioEnergy of the played-out remote audio: Chromium's fake microphone beeps, so a
// working path accumulates energy (~0.3 in 2 s); decoded silence stays at 0.
const MIN_AUDIO_ENERGY = 0.01;
const audioOk = (a) => a.packetsReceived > 0 && a.totalSamplesReceived > 0 && a.totalAudioEnergy > MIN_AUDIO_ENERGY;
const MEDIA_TIMEOUT_MS = 45_000;
// The adaptive mode runs the same scenario with adaptiveStream and dynacast on, then checks
// the server's choices: layers by element size, dynacast, speakers, connection quality.
const ADAPTIVE = LABEL === 'adaptive';
// The tcp mode runs with UDP to the media port dropped: media must arrive over ICE-TCP.
const TCP = LABEL === 'tcp';
// The relay mode: every PeerConnection may use only relayed candidates (the embedded TURN
// server, from the join response's ice_servers), as behind a firewall that blocks UDP.
const RELAY = LABEL === 'relay';
const ROOM = `e2e-js-${LABEL}-${Math.random().toString(16).slice(2, 10)}`;
const EXPECTED_SDK = JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules/livekit-client/package.json'))).version;

// ------------------------------------------------------------------ results

const status = new Map(); // check name -> true/false (a failure sticks)
const ok = (name, detail = '') => {
  if (!status.has(name)) status.set(name, true);
  console.log(`PASS ${name}${detail ? `  (${detail})` : ''}`);
};
const fail = (name, why) => {
  status.set(name, false);
  console.log(`FAIL ${name}: ${why}`);
};
const check = (name, cond, detail) => (cond ? ok(name, detail) : fail(name, detail));
const metric = (name, ms) => console.log(`METRIC ${LABEL} ${name} ${Math.round(ms)} ms`);

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000} s`)), ms); }),
  ]);
}

// Run step fn with a timeout; on failure record check `name` and return undefined.
async function step(name, ms, fn) {
  try {
    return { value: await withTimeout(fn(), ms, name) };
  } catch (e) {
    fail(name, String(e && e.message ? e.message : e).split('\n')[0].slice(0, 400));
    return undefined;
  }
}

async function token(identity, secret = API_SECRET) {
  const at = new AccessToken(API_KEY, secret, { identity, name: identity, ttl: '10m' });
  at.addGrant({ roomJoin: true, room: ROOM, canPublish: true, canSubscribe: true, canPublishData: true });
  return at.toJwt();
}

// ------------------------------------------------------------------ main

const pageLogs = {};
function attachLogs(page, name) {
  pageLogs[name] = [];
  const push = (line) => {
    pageLogs[name].push(line);
    if (pageLogs[name].length > 2000) pageLogs[name].shift();
  };
  page.on('console', (m) => push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => push(`[pageerror] ${e.message}`));
}

// The scenario proper, on loaded pages.
async function scenario(pages, context) {
  if (LABEL === 'webinar') {
    const newPage = async () => { const p = await context.newPage(); attachLogs(p, `extra${Object.keys(pageLogs).length}`); return p; };
    await webinarScenario(pages, { check, ok, step, metric, url: URL_WS, newPage });
    return;
  }
  if (LABEL === 'hls') {
    await hlsScenario(pages, { check, ok, step, metric, waitFor, token, room: ROOM, url: URL_WS, apiKey: API_KEY, apiSecret: API_SECRET });
    return;
  }
  if (LABEL === 'whip') {
    await whipScenario(pages, { check, ok, step, metric, waitFor, token, room: ROOM, url: URL_WS, apiKey: API_KEY, apiSecret: API_SECRET, minFrames: MIN_FRAMES, audioOk });
    return;
  }
  // 1. A token signed with the wrong secret is refused (JS asks /rtc[/v1]/validate why).
  const bad = await token('mallory', 'not-the-secret');
  const refused = await step('wrong_secret_refused', 30_000, () => pages.early.evaluate(async ([u, t]) => {
    try { await window.e2e.connect(u, t); return { connected: true }; } catch (e) {
      return { connected: false, name: e.name, reason: e.reason, status: e.status, message: String(e.message) };
    } finally { await window.e2e.leave(); }
  }, [URL_WS, bad]));
  if (refused) {
    const r = refused.value;
    // ConnectionErrorReason.NotAllowed is 0 in livekit-client; HTTP 401 from validate.
    check('wrong_secret_refused', !r.connected && (r.reason === 0 || r.status === 401 || /401|not ?allowed|unauthori|invalid token/i.test(r.message)),
      r.connected ? 'connected with a forged token' : `${r.name} reason=${r.reason} status=${r.status}: ${r.message.slice(0, 200)}`);
  }

  // 2. early subscriber, then the publisher.
  const early = await step('early_connect', 30_000, async () => pages.early.evaluate(([u, t, o]) => window.e2e.connect(u, t, o), [URL_WS, await token('early-sub'), { adaptive: ADAPTIVE, relay: RELAY }]));
  if (early) ok('early_connect', `${early.value.ms.toFixed(0)} ms`);
  const pubc = await step('pub_connect', 30_000, async () => pages.pub.evaluate(([u, t, o]) => window.e2e.connect(u, t, o), [URL_WS, await token('pub'), { adaptive: ADAPTIVE, relay: RELAY }]));
  if (!pubc) throw new Error('the publisher could not connect');
  ok('pub_connect', `${pubc.value.ms.toFixed(0)} ms`);
  const tPublish = Date.now();
  const pubs = await step('pub_camera_mic', 30_000, () => pages.pub.evaluate(() => window.e2e.publishCameraAndMic()));
  if (!pubs) throw new Error('the publisher could not publish');
  const kinds = pubs.value.map((p) => p.kind).sort().join(',');
  check('pub_camera_mic', kinds === 'audio,video', JSON.stringify(pubs.value));

  // 3. late subscriber: connect -> first decoded frame is the figure the lead wants.
  const tLate = Date.now();
  const late = await step('late_connect', 30_000, async () => pages.late.evaluate(([u, t, o]) => window.e2e.connect(u, t, o), [URL_WS, await token('late-sub'), { adaptive: ADAPTIVE, relay: RELAY }]));
  if (late) ok('late_connect', `${late.value.ms.toFixed(0)} ms`);

  // 4. Poll inbound-rtp on both subscribers until video and audio flow, bounded.
  const subs = [['early', early, tPublish], ['late', late, tLate]].filter(([, c]) => c);
  const firstFrame = {};
  const last = {};
  const deadline = Date.now() + MEDIA_TIMEOUT_MS;
  const done = (n) => {
    const s = last[n] || [];
    const v = s.find((x) => x.kind === 'video' && x.from === 'pub');
    const a = s.find((x) => x.kind === 'audio' && x.from === 'pub');
    return v && v.framesDecoded >= MIN_FRAMES && a && audioOk(a);
  };
  while (Date.now() < deadline) {
    for (const [n, , t0] of subs) {
      last[n] = await pages[n].evaluate(() => window.e2e.inbound());
      const v = last[n].find((x) => x.kind === 'video' && x.from === 'pub');
      if (v && v.framesDecoded > 0 && firstFrame[n] === undefined) firstFrame[n] = Date.now() - t0;
    }
    if (subs.every(([n]) => done(n))) break;
    await new Promise((r) => setTimeout(r, 100)); // poll interval of a bounded loop
  }
  for (const [n] of subs) {
    const s = last[n] || [];
    const v = s.find((x) => x.kind === 'video' && x.from === 'pub');
    const a = s.find((x) => x.kind === 'audio' && x.from === 'pub');
    check(`${n}_video_decoded`, !!v && v.framesDecoded >= MIN_FRAMES,
      v ? `framesDecoded ${v.framesDecoded} (need ${MIN_FRAMES}), ${v.frameWidth}x${v.frameHeight}, packets ${v.packetsReceived}, lost ${v.packetsLost}`
        : `no inbound video rtp; subscribed ${JSON.stringify((await pages[n].evaluate(() => window.e2e.state())).subscribed)}`);
    check(`${n}_audio_received`, !!a && audioOk(a),
      a ? `packetsReceived ${a.packetsReceived}, totalSamplesReceived ${a.totalSamplesReceived}, totalAudioEnergy ${a.totalAudioEnergy.toFixed(4)} (need > ${MIN_AUDIO_ENERGY}: the fake microphone beeps)`
        : 'no inbound audio rtp');
  }
  if (RELAY) {
    for (const [n] of subs) {
      const v = (last[n] || []).find((x) => x.kind === 'video' && x.from === 'pub');
      check(`${n}_media_over_turn`, !!v && v.candidateType === 'relay', v ? `selected local candidate ${v.candidateType || 'unknown'}` : 'no inbound video');
    }
  }
  if (TCP) {
    for (const [n] of subs) {
      const v = (last[n] || []).find((x) => x.kind === 'video' && x.from === 'pub');
      check(`${n}_media_over_tcp`, !!v && v.protocol === 'tcp', v ? `selected candidate protocol ${v.protocol || 'unknown'}` : 'no inbound video');
    }
  }
  if (firstFrame.late !== undefined) metric('late_connect_to_first_decoded_frame_getStats', firstFrame.late);
  if (firstFrame.early !== undefined) metric('publish_to_first_decoded_frame_early_getStats', firstFrame.early);
  for (const [n] of subs) {
    const st = await pages[n].evaluate(() => window.e2e.state());
    if (st.firstVideoFrameAt) metric(`${n}_connect_to_first_presented_frame`, st.firstVideoFrameAt - st.connectStartedAt);
  }

  if (ADAPTIVE && early && late) await adaptiveScenario(pages);

  // 5. Data (reliable, with topics): pub -> late only, then pub -> everyone, then late -> pub.
  //    Reliable data from one sender is ordered, so once the broadcast reached early, the
  //    direct packet would have reached it before, had the server not respected the destination.
  await step('data_direct', 10_000, () => pages.pub.evaluate(() => window.e2e.sendData('for late only', 'e2e-js-direct', ['late-sub'])));
  await step('data_broadcast', 10_000, () => pages.pub.evaluate(() => window.e2e.sendData('hello from pub', 'e2e-js')));
  if (late) await step('data_reply', 10_000, () => pages.late.evaluate(() => window.e2e.sendData('hello pub', 'e2e-js-reply', ['pub'])));
  const waitData = async (n, topic) => {
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const st = await pages[n].evaluate(() => window.e2e.state());
      const m = st.data.find((d) => d.topic === topic);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 100));
    }
    return null;
  };
  const show = (m) => (m ? `from ${m.from}, topic ${m.topic}, "${m.text}"` : 'nothing within 10 s');
  for (const [n] of subs) {
    const m = await waitData(n, 'e2e-js');
    check(`data_broadcast_${n}`, !!m && m.from === 'pub' && m.text === 'hello from pub', show(m));
  }
  if (late) {
    const m = await waitData('late', 'e2e-js-direct');
    check('data_direct', !!m && m.from === 'pub' && m.text === 'for late only', show(m));
    const r = await waitData('pub', 'e2e-js-reply');
    check('data_reply', !!r && r.from === 'late-sub' && r.text === 'hello pub', show(r));
  }
  if (late) await resumeScenario(pages);
  if (early) {
    const st = await pages.early.evaluate(() => window.e2e.state());
    const leaked = st.data.filter((d) => d.topic === 'e2e-js-direct' || d.topic === 'e2e-js-reply');
    check('data_destination_respected', st.data.some((d) => d.topic === 'e2e-js') && leaked.length === 0,
      leaked.length ? `early received ${JSON.stringify(leaked)}` : 'early got the broadcast and none of the addressed packets');
  }
}

// A 4 s mono 48 kHz WAV: 2.5 s of a 180 Hz voiced tone (harmonics) at a 4 Hz syllable
// rhythm, then 1.5 s of silence; Chromium loops it.
function writeSpeechWav(file) {
  const rate = 48_000;
  const n = rate * 4;
  const pcm = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    let v = 0;
    if (t < 2.5) {
      const syllable = 0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t);
      for (let h = 1; h <= 6; h++) v += Math.sin(2 * Math.PI * 180 * h * t) / h;
      v *= 0.35 * syllable;
    }
    pcm.writeInt16LE(Math.max(-32767, Math.min(32767, Math.round(v * 32767))), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0); header.writeUInt32LE(36 + pcm.length, 4); header.write('WAVE', 8);
  header.write('fmt ', 12); header.writeUInt32LE(16, 16); header.writeUInt16LE(1, 20); header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24); header.writeUInt32LE(rate * 2, 28); header.writeUInt16LE(2, 32); header.writeUInt16LE(16, 34);
  header.write('data', 36); header.writeUInt32LE(pcm.length, 40);
  fs.writeFileSync(file, Buffer.concat([header, pcm]));
  return file;
}

// The late subscriber's signal connection drops (LiveKit's 'signal-reconnect' scenario):
// the SDK resumes the session, media goes on, and nobody sees it leave.
async function resumeScenario(pages) {
  const frames = async () => {
    const v = (await pages.late.evaluate(() => window.e2e.inbound())).find((x) => x.kind === 'video' && x.from === 'pub');
    return v ? v.framesDecoded : 0;
  };
  const t0 = Date.now();
  await step('resume_signal_reconnect', 10_000, () => pages.late.evaluate(() => window.e2e.simulate('signal-reconnect')));
  const back = await waitFor(20_000, async () => {
    const st = await pages.late.evaluate(() => window.e2e.state());
    return { ok: st.reconnected >= 1, detail: `reconnected ${st.reconnected}` };
  });
  check('resume_signal_reconnect', back.ok, `${back.detail} after ${back.ms} ms`);
  if (back.ok) metric('resume_signal_reconnect', Date.now() - t0);
  const before = await frames();
  const flows = await waitFor(15_000, async () => {
    const now = await frames();
    return { ok: now >= before + 30, detail: `framesDecoded ${before} -> ${now}` };
  });
  check('resume_media_flows_after', flows.ok, flows.detail);
  const seen = await Promise.all(['early', 'pub'].map((n) => pages[n].evaluate(() => window.e2e.state())));
  const left = seen.flatMap((st) => st.left).filter((id) => id === 'late-sub');
  check('resume_no_one_saw_a_leave', left.length === 0, left.length ? 'late-sub was reported as disconnected' : 'early and pub still see late-sub');
  if (LABEL === 'default' || LABEL === 'no-rtc-v1') {
    // 'node-failure' and 'migration': the server closes the signal connection without a
    // leave; the SDK resumes the session (sending its SyncState) and media goes on.
    for (const scenario of ['node-failure', 'migration']) {
      const name = scenario.replace('-', '_');
      const count = (await pages.late.evaluate(() => window.e2e.state())).reconnected;
      const t = Date.now();
      await step(name, 10_000, () => pages.late.evaluate((s) => window.e2e.simulate(s), scenario));
      const again = await waitFor(20_000, async () => {
        const st = await pages.late.evaluate(() => window.e2e.state());
        return { ok: st.reconnected > count, detail: `reconnected ${st.reconnected}` };
      });
      const from = await frames();
      const media = again.ok ? await waitFor(15_000, async () => {
        const now = await frames();
        return { ok: now >= from + 30, detail: `framesDecoded ${from} -> ${now}` };
      }) : { ok: false, detail: 'not reconnected' };
      check(`${name}_resumes_with_media`, again.ok && media.ok, `${again.detail} after ${again.ms} ms; ${media.detail}`);
      if (again.ok && media.ok) metric(`${name}_to_media`, Date.now() - t);
    }
    const after = await Promise.all(['early', 'pub'].map((n) => pages[n].evaluate(() => window.e2e.state())));
    const gone = after.flatMap((st) => st.left).filter((id) => id === 'late-sub');
    check('node_failure_migration_no_one_saw_a_leave', gone.length === 0, gone.length ? 'late-sub was reported as disconnected' : 'early and pub still see late-sub');
  }
  if (LABEL !== 'default') return;

  // 'force-tcp': the SDK asks the server for TCP, leaves and joins afresh; media then
  // arrives over ICE-TCP (UDP is not even offered to that session).
  const reconnects = (await pages.late.evaluate(() => window.e2e.state())).reconnected;
  const t1 = Date.now();
  const overTcp = () => waitFor(30_000, async () => {
    const st = await pages.late.evaluate(() => window.e2e.state());
    const v = (await pages.late.evaluate(() => window.e2e.inbound())).find((x) => x.kind === 'video' && x.from === 'pub');
    return { ok: st.reconnected > reconnects && !!v && v.protocol === 'tcp' && v.framesDecoded > 10, reconnected: st.reconnected > reconnects, detail: `reconnected ${st.reconnected}, ${v ? `${v.protocol} framesDecoded ${v.framesDecoded}` : 'no video'}` };
  });
  await step('force_tcp', 10_000, () => pages.late.evaluate(() => window.e2e.simulate('force-tcp')));
  let tcp = await overTcp();
  if (!tcp.reconnected) {
    // The SDK drops a simulate request that arrives while it still settles the previous
    // scenario's resume (seen under load): asked once more, it must then rejoin over TCP.
    console.log(`force_tcp: no rejoin after the first request (${tcp.detail}); asking again`);
    await step('force_tcp', 10_000, () => pages.late.evaluate(() => window.e2e.simulate('force-tcp')));
    tcp = await overTcp();
  }
  check('force_tcp', tcp.ok, `${tcp.detail} after ${tcp.ms} ms`);
  if (tcp.ok) metric('force_tcp_rejoin_to_media', Date.now() - t1);
}

// Polls fn (returning {ok, detail}) every 200 ms until ok or ms pass; adds the time taken.
async function waitFor(ms, fn) {
  const t0 = Date.now();
  let last = { ok: false, detail: 'never checked' };
  while (Date.now() - t0 < ms) {
    last = await fn();
    if (last.ok) break;
    await new Promise((r) => setTimeout(r, 200)); // poll interval of a bounded loop
  }
  return { ...last, ms: Date.now() - t0 };
}

async function adaptiveScenario(pages) {
  const video = async (n) => (await pages[n].evaluate(() => window.e2e.inbound())).find((x) => x.kind === 'video' && x.from === 'pub');
  const frame = async (n, test) => {
    const v = await video(n);
    return { ok: !!v && v.frameHeight > 0 && test(v.frameHeight), detail: v ? `${v.frameWidth}x${v.frameHeight}` : 'no inbound video' };
  };
  const layers = async (test) => {
    const e = await pages.pub.evaluate(() => window.e2e.publisherLayers());
    return { ok: test(e), detail: JSON.stringify(e) };
  };
  const active = (e, rid) => e.some((x) => x.rid === rid && x.active);

  // Layers by element size: both show it at 1280x720 (a high layer), then early at 160x90
  // (the low layer covers it) while late stays large.
  for (const n of ['early', 'late']) await pages[n].evaluate(() => window.e2e.setVideoSize(1280, 720));
  const high = await waitFor(30_000, async () => {
    const [e, l] = [await frame('early', (h) => h >= 360), await frame('late', (h) => h >= 360)];
    return { ok: e.ok && l.ok, detail: `early ${e.detail}, late ${l.detail}` };
  });
  check('adaptive_large_element_gets_a_high_layer', high.ok, `${high.detail} after ${high.ms} ms`);
  await pages.early.evaluate(() => window.e2e.setVideoSize(160, 90));
  const low = await waitFor(20_000, () => frame('early', (h) => h <= 180));
  // Late's element is still large, so it must hold a high layer while early holds the low
  // one, at one moment. Its bandwidth estimate may dip for a while on a loaded machine (a
  // CI run saw late at 320x180 just then), so this waits for both at once.
  const both = await waitFor(20_000, async () => {
    const [e, l] = [await frame('early', (h) => h <= 180), await frame('late', (h) => h >= 360)];
    return { ok: e.ok && l.ok, detail: `early ${e.detail}, late ${l.detail}` };
  });
  check('adaptive_small_element_gets_the_low_layer', low.ok && both.ok, `early low after ${low.ms} ms; ${both.detail} after ${both.ms} ms more`);
  if (low.ok) metric('adaptive_layer_down_after_resize', low.ms);

  // Dynacast: when both show it small, the publisher stops encoding the upper layers...
  await pages.late.evaluate(() => window.e2e.setVideoSize(160, 90));
  const off = await waitFor(20_000, () => layers((e) => e.length >= 2 && active(e, 'q') && !active(e, 'h') && !active(e, 'f')));
  check('dynacast_pauses_layers_no_one_needs', off.ok, `${off.detail} after ${off.ms} ms`);
  if (off.ok) metric('dynacast_layers_off_after_resize', off.ms);
  // ...and when one shows it large again, the top layer comes back and reaches it.
  await pages.late.evaluate(() => window.e2e.setVideoSize(1280, 720));
  const on = await waitFor(30_000, async () => {
    const l = await layers((e) => active(e, 'f') || active(e, 'h'));
    const f = await frame('late', (h) => h >= 360);
    return { ok: l.ok && f.ok, detail: `publisher ${l.detail}, late ${f.detail}` };
  });
  check('dynacast_resumes_a_layer_when_needed', on.ok, `${on.detail} after ${on.ms} ms`);
  if (on.ok) metric('adaptive_layer_up_after_dynacast', on.ms);

  // Active speakers (the fake microphone's audio) and connection quality reach subscribers.
  const speakers = await waitFor(20_000, async () => {
    const st = await pages.early.evaluate(() => window.e2e.state());
    return { ok: st.speakers.some((s) => s.includes('pub')), detail: JSON.stringify(st.speakers.slice(-3)) };
  });
  check('active_speakers_reach_subscribers', speakers.ok, speakers.detail);
  const quality = await waitFor(20_000, async () => {
    const st = await pages.early.evaluate(() => window.e2e.state());
    const q = st.quality.filter((x) => x.identity === 'pub' || x.identity === 'early-sub');
    return { ok: q.some((x) => x.identity === 'pub' && x.quality === 'excellent') && q.some((x) => x.identity === 'early-sub'), detail: JSON.stringify(q) };
  });
  check('connection_quality_reaches_subscribers', quality.ok, quality.detail);
  await bandwidthScenario(pages, video);
}

// Bandwidth estimation: the namespace routes the server's traffic to the clients over hk0
// (lib.sh e2e_route_via_veth), so a token bucket there narrows both subscribers' downlink
// (a shallow bucket: a deep one lets probes through at line rate and flatters the link).
// They must step down to a smaller layer instead of losing packets, and back up when the
// link clears.
async function bandwidthScenario(pages, video) {
  const shape = (rate) => execFileSync('tc', rate
    ? ['qdisc', 'replace', 'dev', 'hk0', 'root', 'tbf', 'rate', rate, 'burst', '4kb', 'latency', '300ms']
    : ['qdisc', 'del', 'dev', 'hk0', 'root']);
  for (const n of ['early', 'late']) await pages[n].evaluate(() => window.e2e.setVideoSize(1280, 720));
  const heights = async () => Promise.all(['early', 'late'].map(async (n) => (await video(n))?.frameHeight || 0));
  // The top layer: livekit-client captures the camera at 1280x720 by default (h720).
  const top = 720;
  const full = await waitFor(40_000, async () => {
    const h = await heights();
    return { ok: h.every((x) => x >= top), detail: `heights ${h}` };
  });
  check('bwe_open_link_carries_the_top_layer', full.ok, `${full.detail} after ${full.ms} ms`);
  if (!full.ok) return;
  // About 400 kbit/s each: the top layer (with the headroom a step up needs) does not fit,
  // the layers below it do with room to spare. (At 250 kbit/s each, only the lowest layer
  // fits, barely, and it cannot step down further: that tests the estimator's hovering,
  // not the step down.)
  shape('800kbit');
  try {
    const down = await waitFor(30_000, async () => {
      const h = await heights();
      return { ok: h.every((x) => x > 0 && x < top), detail: `heights ${h} (top ${top})` };
    });
    check('bwe_narrow_link_steps_down', down.ok, `${down.detail} after ${down.ms} ms`);
    if (down.ok) metric('bwe_step_down_after_narrowing', down.ms);
    // Once stepped down and settled (the switch's keyframe has drained from the bucket),
    // what arrives is (almost) all that was sent.
    await new Promise((r) => setTimeout(r, 3000)); // settling time, not a wait for an event
    const before = await Promise.all(['early', 'late'].map((n) => video(n)));
    await new Promise((r) => setTimeout(r, 5000)); // a measurement window, not a wait for an event
    const after = await Promise.all(['early', 'late'].map((n) => video(n)));
    const loss = after.map((a, i) => {
      const got = a.packetsReceived - before[i].packetsReceived, lost = a.packetsLost - before[i].packetsLost;
      return lost / Math.max(1, got + lost);
    });
    // Both still receive video. One may climb back while the other stays low: the bucket is
    // shared (the kernel here has no classifier to give each its own), and the one that
    // stepped down leaves room for the other.
    const stayed = after.every((a) => a.frameHeight > 0);
    // Little: under 15 %. Sending the top layer on (about 600 kbit/s into 400) would lose a
    // third; what remains is the estimate settling at the bucket's edge and its probes
    // overflowing the shallow bucket (2.6-3.6 % seen mostly, 6.6 % once on a loaded CI
    // machine); the metric below keeps the figure.
    check('bwe_narrow_link_loses_little', stayed && loss.every((l) => l < 0.15), `loss ${loss.map((l) => (100 * l).toFixed(1) + '%')}, heights ${after.map((a) => a.frameHeight)}`);
    metric('bwe_loss_percent_after_step_down', Math.round(1000 * Math.max(...loss)) / 10);
  } finally {
    shape(null);
  }
  const up = await waitFor(40_000, async () => {
    const h = await heights();
    return { ok: h.every((x) => x >= top), detail: `heights ${h} (top ${top})` };
  });
  check('bwe_clear_link_steps_back_up', up.ok, `${up.detail} after ${up.ms} ms`);
  if (up.ok) metric('bwe_step_up_after_clearing', up.ms);
}

async function main() {
  console.log(`room ${ROOM} at ${URL_WS}; livekit-client ${EXPECTED_SDK}; logs in ${LOGDIR}`);
  // livekit-client and hls.js as Hikari embeds and serves them (crates/funnel/vendor).
  const server = await startStatic({ vendorFrom: URL_WS.replace(/^ws/, 'http') });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hikari-e2e-chromium-'));
  const flags = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
  ];
  // The adaptive mode's microphone says something: bursts of a voiced tone with a syllable
  // rhythm (Chromium's own fake microphone only beeps briefly, too little to count as speech).
  if (ADAPTIVE) flags.push(`--use-file-for-fake-audio-capture=${writeSpeechWav(path.join(profile, 'speech.wav'))}`);
  // Subscribe-only pages hide their host candidates behind mDNS names (as in a real browser);
  // the server then learns them as peer-reflexive. E2E_JS_NO_MDNS=1 turns that off, to tell
  // an mDNS problem from another one.
  // The webinar mode's host console is served by hikari over plain http inside the namespace;
  // browsers give cameras only to secure origins (https or localhost), so this one counts.
  if (LABEL === 'webinar') flags.push(`--unsafely-treat-insecure-origin-as-secure=${URL_WS.replace(/^ws/, 'http')}`);
  if (process.env.E2E_JS_NO_MDNS === '1') flags.push('--disable-features=WebRtcHideLocalIpsWithMdns');
  let context;
  const pages = {};
  try {
    context = await withTimeout(chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: flags,
    }), 60_000, 'chromium launch');
    ok('chromium_launch', `${context.browser() ? context.browser().version() : 'persistent context'}`);

    for (const name of ['early', 'pub', 'late']) {
      const page = await context.newPage();
      attachLogs(page, name);
      await page.goto(`${origin}/`, { timeout: 20_000 });
      pages[name] = page;
    }
    const versions = await Promise.all(Object.values(pages).map((p) => p.evaluate(() => window.e2e.version())));
    check('page_loads_sdk', versions.every((v) => v === EXPECTED_SDK), `LivekitClient.version ${versions.join(', ')} from ${origin}`);
    if (!versions.every((v) => v === EXPECTED_SDK)) throw new Error('the page did not load livekit-client');

    // (Without UDP, the local call of the self-check cannot connect: skipped in the tcp mode.)
    const st = TCP ? undefined : await step('env_browser_webrtc', 20_000, () => pages.pub.evaluate(() => window.e2e.selfTest()));
    if (st) ok('env_browser_webrtc', `fake devices and a local call in the namespace: ${JSON.stringify(st.value)}`);
    if (process.env.E2E_JS_ONLY_LOAD !== '1') await scenario(pages, context); // ONLY_LOAD: harness self-check
  } catch (e) {
    fail('scenario', String(e && e.message ? e.message : e).split('\n')[0]);
  } finally {
    for (const [n, p] of Object.entries(pages)) {
      try {
        const st = await withTimeout(p.evaluate(() => window.e2e.state()), 5000, 'state');
        pageLogs[n].push(...st.log.map((l) => `[e2e] ${l}`));
        await withTimeout(p.evaluate(() => window.e2e.leave()), 5000, 'leave');
      } catch { /* the page may be gone */ }
    }
    if (context) await withTimeout(context.close(), 15_000, 'close').catch(() => {});
    server.close();
    fs.rmSync(profile, { recursive: true, force: true });
    for (const [n, lines] of Object.entries(pageLogs)) fs.writeFileSync(path.join(LOGDIR, `page-${n}.log`), `${lines.join('\n')}\n`);
  }
  const failed = [...status].filter(([, v]) => !v).map(([k]) => k);
  const passed = [...status].filter(([, v]) => v).length;
  if (failed.length) {
    console.log(`failed checks: ${failed.join(', ')}`);
    for (const [n, lines] of Object.entries(pageLogs)) {
      console.log(`----- last 25 console lines of page ${n} -----`);
      for (const l of lines.slice(-25)) console.log(`  ${l.slice(0, 400)}`);
    }
  }
  console.log(`${LABEL}: ${passed} passed, ${failed.length} failed`);
  return failed.length ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => { console.error(e); console.log(`${LABEL}: 0 passed, 1 failed`); process.exit(1); });
