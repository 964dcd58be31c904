// Node server-SDK checks: RoomServiceClient create/list/delete (JSON Twirp), a wrong secret
// gets `unauthenticated`, and the room's webhooks verify with WebhookReceiver.
// Usage: node test.mjs --url http://10.77.0.1:7880 --hooks hooks.jsonl
import { readFileSync } from 'node:fs';
import { RoomServiceClient, WebhookReceiver } from 'livekit-server-sdk';

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

const timer = setTimeout(() => {
  console.log('FAIL node_finished: no result within 60 s');
  process.exit(1);
}, 60000);
try {
  await main();
} catch (e) {
  check('node_scenario_completed', false, `${e.stack ?? e}`);
}
clearTimeout(timer);
const failed = Object.values(results).filter((v) => !v).length;
const passed = Object.values(results).length - failed;
console.log(`server-sdk-node: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
