// WHIP's server-added latency (issue 13): Chromium publishes over WHIP (tests/e2e/js's
// whip-client.js, fake 640x360 camera and microphone), livekit-client in a second page
// subscribes, and the server's hikari_forward_latency_seconds histogram (from reading a
// datagram to sending what it produced) is scraped before and after WINDOW seconds of media.
// Also: the POST's answer time and POST -> first decoded frame at the subscriber.
//   node whip_bench.mjs --url ws://10.77.0.1:7880 --metrics http://10.77.0.1:7889/metrics \
//     --window 30 [--h264] [--simulcast]
// Prints RESULT lines (JSON). Run by whip.sh inside the namespace.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { startStatic } from '../../tests/e2e/js/static.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const JS = path.join(HERE, '../../tests/e2e/js');
const require = createRequire(path.join(JS, 'package.json'));
const { chromium } = require('playwright-core');
const { AccessToken, IngressClient, IngressInput } = require('livekit-server-sdk');

const args = Object.fromEntries(process.argv.slice(2).reduce((a, x, i, all) => (x.startsWith('--') ? [...a, [x.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : '1']] : a), []));
const URL_WS = args.url || 'ws://10.77.0.1:7880';
const HTTP = URL_WS.replace(/^ws/, 'http');
const WINDOW_S = Number(args.window || 30);
const ROOM = `whip-bench-${Date.now()}`;
const result = (o) => console.log(`RESULT ${JSON.stringify(o)}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function histogram() {
  const text = await (await fetch(args.metrics)).text();
  const buckets = [...text.matchAll(/^hikari_forward_latency_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  return buckets;
}

// The upper bound of the bucket holding quantile q of the observations between two scrapes.
function quantile(before, after, q) {
  const delta = after.map(([le, n], i) => [le, n - (before[i] ? before[i][1] : 0)]);
  const total = delta[delta.length - 1][1];
  const bucket = delta.find(([, n]) => n >= q * total);
  return { total, le: bucket ? bucket[0] : null };
}

const server = await startStatic();
const origin = `http://127.0.0.1:${server.address().port}`;
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'whip-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
});
let code = 0;
try {
  const ingress = new IngressClient(HTTP, 'devkey', 'secret');
  const info = await ingress.createIngress(IngressInput.WHIP_INPUT, { name: 'bench', roomName: ROOM, participantIdentity: 'whip-cam' });
  const [pub, sub] = [await context.newPage(), await context.newPage()];
  for (const p of [pub, sub]) await p.goto(`${origin}/`);
  const at = new AccessToken('devkey', 'secret', { identity: 'viewer', ttl: '10m' });
  at.addGrant({ roomJoin: true, room: ROOM, canSubscribe: true });
  await sub.evaluate(([u, t]) => window.e2e.connect(u, t), [URL_WS, await at.toJwt()]);
  const t0 = Date.now();
  const posted = await pub.evaluate(([u, k, o]) => { const t = performance.now(); return window.whip.publish(u, k, o).then((r) => ({ ...r, ms: performance.now() - t })); },
    [info.url, info.streamKey, { h264: !!args.h264, simulcast: !!args.simulcast }]);
  if (posted.status !== 201) throw new Error(`WHIP POST answered ${posted.status}: ${posted.body}`);
  let first = null;
  for (let i = 0; i < 300 && first === null; i++) {
    const v = (await sub.evaluate(() => window.e2e.inbound())).find((x) => x.kind === 'video' && x.from === 'whip-cam');
    if (v && v.framesDecoded > 0) first = Date.now() - t0;
    else await sleep(100);
  }
  await sleep(3000); // past the start (keyframes, bandwidth probing)
  const before = await histogram();
  const v0 = (await sub.evaluate(() => window.e2e.inbound())).find((x) => x.kind === 'video' && x.from === 'whip-cam');
  await sleep(WINDOW_S * 1000);
  const after = await histogram();
  const v1 = (await sub.evaluate(() => window.e2e.inbound())).find((x) => x.kind === 'video' && x.from === 'whip-cam');
  const p50 = quantile(before, after, 0.5);
  const p99 = quantile(before, after, 0.99);
  result({ phase: 'whip', codec: posted.videoCodec, simulcast: !!args.simulcast, post_answer_ms: Math.round(posted.ms), post_to_first_frame_ms: first,
    window_s: WINDOW_S, datagrams: p50.total, forward_p50_le_s: p50.le, forward_p99_le_s: p99.le,
    frames_decoded: v1 && v0 ? v1.framesDecoded - v0.framesDecoded : 0, size: v1 ? `${v1.frameWidth}x${v1.frameHeight}` : '' });
  await pub.evaluate(() => window.whip.stop());
  await ingress.deleteIngress(info.ingressId);
} catch (e) {
  console.log(`FAIL ${e && e.message ? e.message : e}`);
  code = 1;
} finally {
  await context.close().catch(() => {});
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
process.exit(code);
