// Shared by the SDK tests: the node under test (IM_BASE_URL, started by the Maven test WebSuiteTest or by hand),
// fresh users per test, and bounded waits for events.
import { ImClient, ImHttp } from '../../sdk/index.js';

export const BASE_URL = process.env.IM_BASE_URL ?? 'http://127.0.0.1:8080';
const run = Math.random().toString(36).slice(2, 8);
let userCounter = 0;

/** Registers and logs in a fresh user; resolves `{uid, username, token, http}`. */
export async function newUser(prefix = 'u') {
  const username = `${prefix}_${run}_${++userCounter}`;
  const http = new ImHttp(BASE_URL);
  await http.register(username, 'password-123');
  const session = await http.login(username, 'password-123');
  return { uid: session.uid, username, token: session.token, http };
}

/** A connected client of `user` on device `device`; closed by `closeAll`. */
const open = [];
export async function connect(user, device = 'node-test', options = {}) {
  const client = new ImClient({ baseUrl: BASE_URL, token: user.token, uid: user.uid, device, backoff: { minMs: 50, maxMs: 400 }, ...options });
  open.push(client);
  await client.connect();
  return client;
}

export function closeAll() {
  while (open.length) open.pop().close();
}

/** Resolves with the first `event` of `client` that `predicate` accepts, or rejects after `ms`. */
export function waitFor(client, event, predicate = () => true, ms = 8000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no ${event} within ${ms} ms`)); }, ms);
    const off = client.on(event, (data) => {
      if (predicate(data)) { clearTimeout(timer); off(); resolve(data); }
    });
  });
}

/** Collects every `message` of `client` in `conv`. */
export function collect(client, conv) {
  const seen = [];
  client.on('message', (msg) => { if (msg.conv === conv) seen.push(msg); });
  return seen;
}

/** Polls `condition` every 20 ms until true or `ms` passed. */
export async function until(condition, ms = 8000, what = 'condition') {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} not met within ${ms} ms`);
}

/** The one-to-one conv id of two uids (docs/protocol.md §2). */
export function p2p(a, b) {
  return a < b ? `p:${a}:${b}` : `p:${b}:${a}`;
}

/** Makes `a` and `b` friends; resolves the conv. */
export async function befriend(a, b) {
  const { requestId } = await a.http.requestFriend(b.uid);
  const { conv } = await b.http.acceptFriend(requestId);
  return conv;
}
