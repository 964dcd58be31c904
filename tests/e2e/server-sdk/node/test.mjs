// Node server-SDK checks: RoomServiceClient create/list/delete (JSON Twirp), a wrong secret
// gets `unauthenticated`, the room's webhooks verify with WebhookReceiver, EgressClient lists
// and refuses (egress()), and IngressClient
// create/list/update/delete (JSON Twirp).
// Usage: node test.mjs --url http://10.77.0.1:7880 --hooks hooks.jsonl
import { readFileSync } from 'node:fs';
import { DirectFileOutput, EgressClient, EgressStatus, IngressClient, IngressInput, RoomServiceClient, WebhookReceiver } from 'livekit-server-sdk';

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

const timer = setTimeout(() => {
  console.log('FAIL node_finished: no result within 60 s');
  process.exit(1);
}, 60000);
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
clearTimeout(timer);
const failed = Object.values(results).filter((v) => !v).length;
const passed = Object.values(results).length - failed;
console.log(`server-sdk-node: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
