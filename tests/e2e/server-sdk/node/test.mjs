// Node server-SDK checks: RoomServiceClient create/list/delete (JSON Twirp), a wrong secret
// gets `unauthenticated`, the room's webhooks verify with WebhookReceiver, EgressClient lists
// and refuses (egress()), IngressClient create/list/update/delete (JSON Twirp), and
// EgressClient start/update/list/stop on a live room (egressLive(): ffmpeg pushes H.264 and
// AAC into an RTMP ingress; a participant egress packages it as HLS and restreams it to a
// local ffmpeg RTMP receiver; UpdateStream moves it to a second one).
// Usage: node test.mjs --url http://10.77.0.1:7880 --hooks hooks.jsonl
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DirectFileOutput, EgressClient, EgressStatus, IngressClient, IngressInput, RoomServiceClient, SegmentedFileOutput, StreamOutput, StreamProtocol,
  WebhookReceiver,
} from 'livekit-server-sdk';

const arg = (name) => process.argv[process.argv.indexOf(`--${name}`) + 1];
const url = arg('url');
const hooksPath = arg('hooks');
const KEY = process.env.HIKARI_API_KEY ?? 'devkey';
const SECRET = process.env.HIKARI_API_SECRET ?? 'secret';
const results = {};
const check = (name, ok, detail = '') => {
  results[name] = results[name] === false ? false : ok;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? `  (${detail})` : ''}`);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function hooksFor(room) {
  let lines = [];
  try {
    lines = readFileSync(hooksPath, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
  return lines.map((l) => JSON.parse(l)).filter((h) => JSON.parse(h.body).room?.name === room);
}

async function main() {
  const svc = new RoomServiceClient(url, KEY, SECRET);
  const name = `node-${Math.random().toString(36).slice(2, 10)}`;

  try {
    await new RoomServiceClient(url, KEY, 'not-the-secret').listRooms();
    check('node_wrong_secret_unauthenticated', false, 'the call succeeded');
  } catch (e) {
    check('node_wrong_secret_unauthenticated', e.code === 'unauthenticated' || e.status === 401,
      `status=${e.status} code=${e.code} ${e.message}`);
  }

  const room = await svc.createRoom({ name, emptyTimeout: 60, maxParticipants: 5, metadata: 'from node' });
  check('node_create_room', room.name === name && room.maxParticipants === 5 && room.sid.startsWith('RM_'),
    `sid=${room.sid}`);
  const listed = await svc.listRooms([name]);
  check('node_list_rooms', listed.length === 1 && listed[0].metadata === 'from node');
  await svc.deleteRoom(name);
  const after = await svc.listRooms([name]);
  check('node_delete_room', after.length === 0);

  const receiver = new WebhookReceiver(KEY, SECRET);
  const deadline = Date.now() + 20000;
  let hooks = hooksFor(name);
  while (!hooks.some((h) => JSON.parse(h.body).event === 'room_finished') && Date.now() < deadline) {
    await sleep(250);
    hooks = hooksFor(name);
  }
  const events = [];
  for (const h of hooks) {
    try {
      const ev = await receiver.receive(h.body, h.authorization);
      events.push(ev.event);
    } catch (e) {
      check('node_webhook_verifies', false, `${e.message}`);
    }
  }
  check('node_webhook_verifies', events.length === hooks.length && hooks.length > 0, `${events.join(',')}`);
  check('node_webhooks_started_finished', events[0] === 'room_started' && events.at(-1) === 'room_finished');
  try {
    const h = hooks[0];
    await receiver.receive(h.body.replace('room_started', 'room_finished'), h.authorization);
    check('node_webhook_tamper_detected', false, 'a modified body verified');
  } catch {
    check('node_webhook_tamper_detected', true);
  }
}

async function ingress() {
  const client = new IngressClient(url, KEY, SECRET);
  const roomName = `node-ingress-${Math.random().toString(36).slice(2, 10)}`;
  const host = new URL(url).hostname;
  const info = await client.createIngress(IngressInput.RTMP_INPUT, {
    name: 'obs', roomName, participantIdentity: 'node-host', participantName: 'Node Host',
  });
  check('node_ingress_create', info.ingressId.startsWith('IN_') && info.streamKey.length >= 16
    && info.url === `rtmp://${host}:1935/x` && info.reusable, `${info.ingressId} ${info.url}`);
  const whip = await client.createIngress(IngressInput.WHIP_INPUT, { name: 'browser', roomName: `${roomName}-whip`, participantIdentity: 'node-whip' });
  check('node_ingress_create_whip', whip.url === `http://${host}:7880/w` && whip.enableTranscoding === false, whip.url);
  const listed = await client.listIngress({ roomName });
  check('node_ingress_list_by_room', listed.length === 1 && listed[0].ingressId === info.ingressId
    && listed[0].participantName === 'Node Host', `${listed.map((i) => i.ingressId)}`);
  const byId = await client.listIngress({ ingressId: whip.ingressId });
  check('node_ingress_list_by_id', byId.length === 1 && byId[0].ingressId === whip.ingressId);
  const updated = await client.updateIngress(info.ingressId, { name: 'renamed' });
  check('node_ingress_update', updated.name === 'renamed' && updated.roomName === roomName);
  for (const i of [info, whip]) {
    const gone = await client.deleteIngress(i.ingressId);
    check('node_ingress_delete', gone.ingressId === i.ingressId);
  }
  const after = await client.listIngress({ roomName });
  check('node_ingress_deleted_gone', after.length === 0);
  try {
    await client.deleteIngress(info.ingressId);
    check('node_ingress_delete_twice_not_found', false, 'the second delete succeeded');
  } catch (e) {
    check('node_ingress_delete_twice_not_found', e.code === 'not_found' || e.status === 404, `${e.code} ${e.message}`);
  }
}

// EgressClient: the recordings the Python egress scenario made (run before this one against
// the same server) list as complete with their files; refusals keep their Twirp codes.
async function egress() {
  const client = new EgressClient(url, KEY, SECRET);
  const all = await client.listEgress();
  const complete = all.filter((e) => e.status === EgressStatus.EGRESS_COMPLETE && e.fileResults[0]?.location.startsWith('/recordings/'));
  check('node_egress_list', all.length >= 5 && complete.length >= 5, `${all.length} listed, ${complete.length} complete with files`);
  check('node_egress_list_active', (await client.listEgress({ active: true })).length === 0);
  const refused = async (name, call, code) => {
    try {
      await call();
      check(name, false, 'accepted');
    } catch (e) {
      check(name, e.code === code, `${e.code} ${e.message}`);
    }
  };
  await refused('node_egress_start_unknown_room', () => client.startTrackEgress('no-such-room', new DirectFileOutput({ filepath: 'x' }), 'TR_nope'), 'not_found');
  await refused('node_egress_stop_unknown', () => client.stopEgress('EG_nope'), 'not_found');
  if (complete[0]) {
    await refused('node_egress_stop_ended', () => client.stopEgress(complete[0].egressId), 'failed_precondition');
  }
}

// Polls `get` until `ok` holds (every 200 ms, at most `ms`); the last value either way.
async function until(get, ok, ms = 20000) {
  const end = Date.now() + ms;
  let v = await get();
  while (!ok(v) && Date.now() < end) {
    await sleep(200);
    v = await get();
  }
  return v;
}

const children = [];
function ffmpeg(args, name) {
  const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
  children.push(child);
  return child;
}

// A receiver: ffmpeg listening for one RTMP publish on loopback, copying it to a file.
function receiver(dir, port, key) {
  const out = join(dir, `recv-${port}.flv`);
  const child = ffmpeg(['-listen', '1', '-i', `rtmp://127.0.0.1:${port}/live/${key}`, '-c', 'copy', '-flush_packets', '1', '-y', out], `recv-${port}`);
  return { url: `rtmp://127.0.0.1:${port}/live/${key}`, out, child };
}

const size = (path) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

// EgressClient on a live room: start (HLS + RTMP), list, updateStream, stop.
async function egressLive() {
  const ingressClient = new IngressClient(url, KEY, SECRET);
  const egressClient = new EgressClient(url, KEY, SECRET);
  const rooms = new RoomServiceClient(url, KEY, SECRET);
  const roomName = `node-egress-${Math.random().toString(36).slice(2, 10)}`;
  const dir = mkdtempSync(join(tmpdir(), 'node-egress-'));
  const ing = await ingressClient.createIngress(IngressInput.RTMP_INPUT, {
    name: 'node-egress', roomName, participantIdentity: 'presenter', participantName: 'Presenter',
  });
  // An H.264 (baseline, 2 s GOP: passed through, not transcoded) and AAC test stream, in real
  // time, for at most 90 s.
  ffmpeg(['-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '90',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', '60',
    '-c:a', 'aac', '-b:a', '128k', '-f', 'flv', `${ing.url}/${ing.streamKey}`], 'push');
  const people = await until(() => rooms.listParticipants(roomName).catch(() => []), (ps) => ps.some((p) => p.identity === 'presenter' && p.tracks.length >= 2));
  check('node_egress_live_publisher', people.some((p) => p.tracks.length >= 2), `${people.map((p) => `${p.identity}:${p.tracks.length}`)}`);
  const keyA = `nodekeya${Math.random().toString(36).slice(2, 14)}`;
  const keyB = `nodekeyb${Math.random().toString(36).slice(2, 14)}`;
  const a = receiver(dir, 19401, keyA);
  const b = receiver(dir, 19402, keyB);
  const started = await egressClient.startParticipantEgress(roomName, 'presenter', {
    segments: new SegmentedFileOutput({ filenamePrefix: `node/${roomName}`, playlistName: 'index.m3u8', segmentDuration: 2 }),
    stream: new StreamOutput({ protocol: StreamProtocol.RTMP, urls: [a.url] }),
  });
  const id = started.egressId;
  check('node_egress_start', id.startsWith('EG_') && started.roomName === roomName, `${id} ${started.status}`);
  const get = async () => (await egressClient.listEgress({ egressId: id }))[0];
  let e = await until(get, (x) => x?.status === EgressStatus.EGRESS_ACTIVE && x.streamResults[0]?.startedAt > 0n && x.segmentResults[0]?.segmentCount > 0n);
  check('node_egress_active_with_stream_and_segments', e?.status === EgressStatus.EGRESS_ACTIVE && e.streamResults.length === 1 && e.segmentResults.length === 1,
    `${e?.status} streams=${e?.streamResults.length} segments=${e?.segmentResults[0]?.segmentCount}`);
  const listed = JSON.stringify(await egressClient.listEgress({ roomName }), (_, v) => (typeof v === 'bigint' ? v.toString() : v));
  check('node_egress_stream_key_redacted', listed.includes('rtmp://127.0.0.1:19401/live/{') && !listed.includes(keyA), listed.slice(0, 300));
  const moved = await egressClient.updateStream(id, [b.url], [a.url]);
  check('node_egress_update_stream', moved.streamResults.length === 2, `${moved.streamResults.map((s) => `${s.url} ${s.status}`)}`);
  e = await until(get, (x) => x?.streamResults.length === 2 && x.streamResults[0].status === 1 && x.streamResults[1].startedAt > 0n);
  check('node_egress_update_stream_moved', e?.streamResults[0]?.status === 1 && e?.streamResults[1]?.status === 0 && e?.streamResults[1]?.startedAt > 0n,
    `${e?.streamResults.map((s) => `${s.url} status=${s.status} started=${s.startedAt}`)}`);
  const bSize = await until(async () => size(b.out), (n) => n > 50000);
  check('node_egress_second_destination_receives', bSize > 50000, `${bSize} bytes`);
  await egressClient.stopEgress(id);
  e = await until(get, (x) => x?.status === EgressStatus.EGRESS_COMPLETE);
  check('node_egress_stop_complete', e?.status === EgressStatus.EGRESS_COMPLETE && e.streamResults.every((s) => s.status === 1 && s.endedAt > 0n)
    && e.segmentResults[0]?.segmentCount >= 2n, `${e?.status} ${e?.error} segments=${e?.segmentResults[0]?.segmentCount}`);
  // The first receiver's file: the copied H.264 and the AAC the push made.
  await until(async () => a.child.exitCode, (c) => c !== null, 10000);
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', a.out], { encoding: 'utf8' });
  const codecs = probe.stdout.trim().split('\n').sort().join(',');
  check('node_egress_restream_file_h264_aac', codecs === 'aac,h264', `${codecs} ${probe.stderr}`);
  await ingressClient.deleteIngress(ing.ingressId);
}

const timer = setTimeout(() => {
  console.log('FAIL node_finished: no result within 150 s');
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
}, 150000);
try {
  await main();
} catch (e) {
  check('node_scenario_completed', false, `${e.stack ?? e}`);
}
try {
  await ingress();
} catch (e) {
  check('node_ingress_completed', false, `${e.stack ?? e}`);
}
try {
  await egress();
} catch (e) {
  check('node_egress_completed', false, `${e.stack ?? e}`);
}
try {
  await egressLive();
} catch (e) {
  check('node_egress_live_completed', false, `${e.stack ?? e}`);
}
for (const c of children) c.kill('SIGKILL');
clearTimeout(timer);
const failed = Object.values(results).filter((v) => !v).length;
const passed = Object.values(results).length - failed;
console.log(`server-sdk-node: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
