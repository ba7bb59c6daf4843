// The SDK against a real node (IM_BASE_URL): connect, send/ack/recv, retry with the same cmid, seq order with gap
// fill, reconnect and sync after a drop, typing, presence, read, recall, rooms and the HTTP API.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ImClient, ImError } from '../../sdk/index.js';
import { BASE_URL, befriend, closeAll, collect, connect, newUser, p2p, until, waitFor } from './helpers.mjs';

after(closeAll);

test('connects, sends with a cmid and the peer gets every message in order', async () => {
  const [alice, bob] = [await newUser('alice'), await newUser('bob')];
  const a = await connect(alice);
  const b = await connect(bob);
  assert.equal(a.state, 'synced');
  const conv = p2p(alice.uid, bob.uid);
  const got = collect(b, conv);
  const acks = await Promise.all([1, 2, 3].map((n) => a.send({ to: bob.uid }, 'text', { text: `hi ${n}` })));
  assert.deepEqual(acks.map((x) => x.conv), [conv, conv, conv]);
  await until(() => got.length === 3, 8000, 'three messages');
  assert.deepEqual(got.map((m) => m.seq), [...got.map((m) => m.seq)].sort((x, y) => x - y));
  assert.ok(got.every((m) => m.from === alice.uid && !m.own));
});

test('a retried send with the same cmid is stored once', async () => {
  const [alice, bob] = [await newUser('alice'), await newUser('bob')];
  const a = await connect(alice);
  const first = await a.send({ to: bob.uid }, 'text', { text: 'once' }, { cmid: 'fixed-cmid-1' });
  const again = await a.send(first.conv, 'text', { text: 'once' }, { cmid: 'fixed-cmid-1' });
  assert.equal(again.seq, first.seq);
  assert.equal(again.mid, first.mid);
  const history = await alice.http.history(first.conv);
  assert.equal(history.messages.length, 1);
});

test('a send made while disconnected goes out after the reconnect', async () => {
  const [alice, bob] = [await newUser('alice'), await newUser('bob')];
  const a = await connect(alice);
  const b = await connect(bob);
  const conv = p2p(alice.uid, bob.uid);
  const got = collect(b, conv);
  a.dropConnection();
  const ack = await a.send({ to: bob.uid }, 'text', { text: 'queued' });
  assert.equal(ack.conv, conv);
  await until(() => got.some((m) => m.body.text === 'queued'), 8000, 'queued message delivered');
});

test('after a drop the client reconnects with backoff and syncs what it missed', async () => {
  const [alice, bob] = [await newUser('alice'), await newUser('bob')];
  const a = await connect(alice);
  const b = await connect(bob, 'phone', { backoff: { minMs: 600, maxMs: 800 } });
  const conv = (await a.send({ to: bob.uid }, 'text', { text: 'before' })).conv;
  const got = collect(b, conv);
  await until(() => got.length === 1, 8000, 'first message');
  const states = [];
  b.on('state', ({ state }) => states.push(state));
  b.dropConnection();
  await waitFor(b, 'state', (s) => s.state === 'reconnecting');
  for (const n of [1, 2, 3]) await a.send(conv, 'text', { text: `missed ${n}` });
  await waitFor(b, 'state', (s) => s.state === 'synced', 10000);
  await until(() => got.length === 4, 8000, 'missed messages');
  assert.deepEqual(got.map((m) => m.body.text), ['before', 'missed 1', 'missed 2', 'missed 3']);
  assert.deepEqual(states.slice(0, 3), ['reconnecting', 'syncing', 'synced']);
});

test('a msg lost on the way is filled from history, in order', async () => {
  const [alice, bob] = [await newUser('alice'), await newUser('bob')];
  const a = await connect(alice);
  const conv = (await a.send({ to: bob.uid }, 'text', { text: 'm1' })).conv;
  const b = await connect(bob, 'lossy', { gapWaitMs: 50 });
  // Drop the next msg frame before the SDK sees it, as a lost frame would.
  const socket = b.ws;
  const original = socket.onmessage;
  let dropped = 0;
  socket.onmessage = (event) => {
    const frame = JSON.parse(event.data);
    if (frame.t === 'msg' && dropped === 0) { dropped = 1; return; }
    original(event);
  };
  const got = collect(b, conv);
  for (const n of [2, 3, 4]) await a.send(conv, 'text', { text: `m${n}` });
  await until(() => got.length === 3, 8000, 'gap filled');
  assert.equal(dropped, 1);
  assert.deepEqual(got.map((m) => m.body.text), ['m2', 'm3', 'm4']);
});

test('typing, read receipts, recall and presence reach the other side', async () => {
  const [alice, bob] = [await newUser('alice'), await newUser('bob')];
  const conv = await befriend(alice, bob);
  const a = await connect(alice);
  const b = await connect(bob);
  // A one-to-one conversation exists for typing once a message is stored in it (protocol §3, Typing).
  const ack = await a.send(conv, 'text', { text: 'read me' });
  const typing = waitFor(b, 'typing', (f) => f.conv === conv && f.uid === alice.uid);
  a.typing(conv);
  await typing;

  const read = waitFor(a, 'read', (f) => f.conv === conv && f.uid === bob.uid && f.seq === ack.seq);
  b.read(conv, ack.seq);
  await read;

  const recalled = waitFor(b, 'recalled', (f) => f.conv === conv && f.seq === ack.seq);
  await a.recall(conv, ack.seq);
  await recalled;
  const history = await bob.http.history(conv);
  assert.equal(history.messages.at(-1).recalled, true);

  const away = waitFor(b, 'presence', (f) => f.uid === alice.uid && f.status === 'away');
  await a.setPresence('away');
  await away;
});

test('requests the server refuses reject with the protocol code', async () => {
  const [alice, bob] = [await newUser('alice'), await newUser('bob')];
  const a = await connect(alice);
  const conv = (await a.send({ to: bob.uid }, 'text', { text: 'x' })).conv;
  await assert.rejects(a.send(conv, 'text', { text: '' }), (e) => e instanceof ImError && e.code === 'bad_request');
  await assert.rejects(a.recall(conv, 999), (e) => e.code === 'not_found');
  await bob.http.block(alice.uid);
  await assert.rejects(a.send(conv, 'text', { text: 'blocked' }), (e) => e.code === 'blocked');
});

test('rooms: joined connections get room messages, and stay joined across a reconnect', async () => {
  const [alice, bob] = [await newUser('alice'), await newUser('bob')];
  const { conv } = await alice.http.createRoom('lobby');
  const a = await connect(alice);
  const b = await connect(bob);
  await a.join(conv);
  await b.join(conv);
  const got = collect(b, conv);
  await a.send(conv, 'text', { text: 'room 1' });
  await until(() => got.length === 1, 8000, 'room message');
  b.dropConnection();
  await waitFor(b, 'state', (s) => s.state === 'synced', 10000);
  await until(async () => { await a.send(conv, 'text', { text: `room later` }); return got.length >= 2; }, 8000, 'room after reconnect');
});

test('two devices of one user: the other device gets the own message', async () => {
  const [alice, bob] = [await newUser('alice'), await newUser('bob')];
  const laptop = await connect(alice, 'laptop');
  const phone = await connect(alice, 'phone');
  const conv = p2p(alice.uid, bob.uid);
  const onPhone = collect(phone, conv);
  const onLaptop = collect(laptop, conv);
  await laptop.send({ to: bob.uid }, 'text', { text: 'from laptop' });
  await until(() => onPhone.length === 1, 8000, 'echo on the other device');
  assert.equal(onPhone[0].own, true);
  assert.equal(onLaptop.length, 1, 'the sending device sees its acked message once');
});

test('HTTP API: groups, conversation list, history paging, media', async () => {
  const [alice, bob, carol] = [await newUser('alice'), await newUser('bob'), await newUser('carol')];
  const { groupId, conv } = await alice.http.createGroup('team', [bob.uid]);
  await alice.http.renameGroup(groupId, 'team 2');
  await alice.http.addMembers(groupId, [carol.uid]);
  const group = await carol.http.group(groupId);
  assert.equal(group.name, 'team 2');
  assert.equal(group.members.length, 3);
  const a = await connect(alice);
  for (let n = 1; n <= 5; n++) await a.send(conv, 'text', { text: `g${n}` });
  const list = await bob.http.conversations();
  const entry = list.conversations.find((c) => c.conv === conv);
  assert.equal(entry.type, 'group');
  assert.equal(entry.lastMessage.body.text, 'g5');
  const newest = await bob.http.history(conv, { limit: 2 });
  assert.deepEqual(newest.messages.map((m) => m.body.text), ['g4', 'g5']);
  assert.equal(newest.hasMore, true);
  const older = await bob.http.history(conv, { before: newest.messages[0].seq, limit: 2 });
  assert.deepEqual(older.messages.map((m) => m.body.text), ['g2', 'g3']);
  const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
  const media = await alice.http.upload(bytes, 'image/png');
  assert.equal(media.size, 7);
  const download = await fetch(alice.http.mediaUrl(media.url));
  assert.equal(download.status, 200);
  assert.equal(download.headers.get('content-type'), 'image/png');
  await assert.rejects(new ImClient({ baseUrl: BASE_URL, token: 'bad', device: 'x' }).connect(), (e) => e.code === 'unauthorized');
});

test('a device replaced by another connection stops reconnecting until resumed with a new device id', async () => {
  const alice = await newUser('alice');
  const first = await connect(alice, 'same-device');
  const kicked = waitFor(first, 'kicked');
  const offline = waitFor(first, 'state', (s) => s.state === 'offline');
  await connect(alice, 'same-device');
  assert.equal((await kicked).reason, 'replaced');
  await offline;
  first.device = 'another-device';
  first.resume();
  await waitFor(first, 'state', (s) => s.state === 'synced');
});

test('replies and comments carry their reference; threads and to-dos over the HTTP API', async () => {
  const [alice, bob] = [await newUser('alice'), await newUser('bob')];
  const a = await connect(alice);
  const b = await connect(bob);
  const got = collect(b, p2p(alice.uid, bob.uid));
  const root = await a.send({ to: bob.uid }, 'text', { text: 'root' });
  await a.send(root.conv, 'text', { text: 'quote' }, { replyTo: root.seq });
  const comment = await b.send(root.conv, 'text', { text: 'comment' }, { thread: root.seq });
  await until(() => got.length === 3, 8000, 'root, reply and own comment');
  assert.equal(got.find((m) => m.body.text === 'quote').replyTo, root.seq);
  assert.equal(got.find((m) => m.body.text === 'comment').thread, root.seq);
  const refused = await b.send(root.conv, 'text', { text: 'x' }, { thread: comment.seq }).catch((e) => e);
  assert.ok(refused instanceof ImError && refused.code === 'bad_request');
  const thread = await alice.http.history(root.conv, { thread: root.seq });
  assert.deepEqual(thread.messages.map((m) => m.seq), [comment.seq]);
  const assigned = waitFor(b, 'event', (e) => e.kind === 'todo_assigned');
  await alice.http.setTodo(root.conv, root.seq, { assignees: [bob.uid] });
  assert.deepEqual((await assigned).data, { conv: root.conv, seq: root.seq, by: alice.uid });
  await bob.http.todoDone(root.conv, root.seq, true);
  assert.equal((await bob.http.todos({ done: true })).todos[0].seq, root.seq);
  assert.deepEqual((await bob.http.todos({ done: false })).todos, []);
  await alice.http.removeTodo(root.conv, root.seq);
  assert.deepEqual((await bob.http.todos()).todos, []);
});
