import { backoffDelay } from './backoff.js';
import { Emitter } from './emitter.js';
import { ImError, ImHttp } from './http.js';
import { SeqOrderer } from './ordering.js';

/** Send failures worth retrying with the same cmid (docs/protocol.md §3, Sending and acks). */
const RETRYABLE = new Set(['network', 'timeout', 'unavailable', 'rate_limited', 'internal']);
/** Kicks after which reconnecting would only kick another device or be kicked again. */
const FINAL_KICKS = new Set(['replaced', 'device_limit', 'admin', 'logout', 'closed']);

let cmidCounter = 0;

/** A fresh client message id: unique per sender (random part) and readable in logs (time part). */
export function newCmid() {
  cmidCounter = (cmidCounter + 1) % 1e6;
  const random = globalThis.crypto?.randomUUID?.().slice(0, 8) ?? Math.random().toString(36).slice(2, 10);
  return `${Date.now().toString(36)}-${random}-${cmidCounter}`;
}

/**
 * A realtime client of protocol v1 over WebSocket, with the HTTP API as `client.http`.
 *
 * Connection states (event "state"): `offline` → `connecting` → `syncing` → `synced`; after a drop
 * `reconnecting` (waiting a jittered backoff, then trying), then `syncing` again: after every `auth_ok` the client
 * catches up with `POST /api/v1/sync` from its per-conversation cursors.
 *
 * Events: `state`, `message` (every message of every conversation, once, in seq order per conversation, one's own
 * acked sends included, with `own: true`), `recalled`, `read`, `typing`, `presence`, `event`, `call`, `kicked`, `sync`,
 * `error` (error frames that answer no request).
 */
export class ImClient extends Emitter {
  /**
   * @param {{
   *   baseUrl: string, wsUrl?: string, token?: string, uid?: string, device: string, platform?: string,
   *   WebSocket?: typeof WebSocket, fetch?: typeof fetch, requestTimeoutMs?: number, sendRetries?: number,
   *   backoff?: {minMs?: number, maxMs?: number}, syncLimit?: number, gapWaitMs?: number, typingIntervalMs?: number,
   * }} options
   */
  constructor(options) {
    super();
    this.options = { platform: 'web', requestTimeoutMs: 10000, sendRetries: 6, syncLimit: 100, typingIntervalMs: 1500, ...options };
    this.http = new ImHttp(options.baseUrl, { token: options.token, fetch: options.fetch });
    this.uid = options.uid;
    this.device = options.device;
    /** @type {'offline'|'connecting'|'reconnecting'|'syncing'|'synced'} */
    this.state = 'offline';
    this.serverNode = undefined;
    this.orderer = new SeqOrderer({
      deliver: (msg) => this.#delivered(msg),
      fetchAfter: (conv, after) => this.http.history(conv, { after, limit: 100 }),
      gapWaitMs: options.gapWaitMs,
      onError: (e) => this.emit('error', e),
    });
    this.ws = null;
    this.wanted = false;
    this.attempt = 0;
    this.nextId = 1;
    /** @type {Map<number, {resolve: Function, reject: Function, timer: any}>} */
    this.pending = new Map();
    /** @type {Map<string, {frame: any, attempts: number, resolve: Function, reject: Function, inFlight: boolean}>} */
    this.outbox = new Map();
    this.rooms = new Set();
    this.lastTyping = new Map();
    this.timers = new Set();
    this.heartbeat = null;
  }

  /** Logs in over HTTP and keeps the token and uid for the connection. */
  async login(username, password) {
    const session = await this.http.login(username, password);
    this.uid = session.uid;
    return session;
  }

  /** Opens the connection (and keeps it open, reconnecting after drops); resolves once the first sync is done. */
  connect() {
    this.wanted = true;
    const ready = new Promise((resolve, reject) => {
      const offState = this.on('state', ({ state }) => {
        if (state === 'synced') { offState(); offKick(); resolve(); }
      });
      const offKick = this.on('unauthorized', (e) => { offState(); offKick(); reject(e); });
    });
    this.#open();
    return ready;
  }

  /** Closes for good: no reconnect; sends still waiting are rejected. */
  close() {
    this.wanted = false;
    this.#clearTimers();
    this.orderer.stop();
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
    this.#failPending(new ImError('network', 'client closed'));
    for (const job of this.outbox.values()) job.reject(new ImError('network', 'client closed'));
    this.outbox.clear();
    this.#setState('offline');
  }

  /** Cuts the current connection as a network failure would (the client then reconnects by itself). */
  dropConnection() {
    this.ws?.close(4000, 'dropped by client');
  }

  /**
   * Connects again after a final kick or `close()` left the client offline, e.g. with a new `device` after
   * `kicked replaced`.
   */
  resume() {
    this.wanted = true;
    this.reconnectNow();
  }

  /**
   * Tries to connect now instead of waiting out the backoff (e.g. when the browser reports it is online again).
   * Does nothing while a connection is open or when the client is closed.
   */
  reconnectNow() {
    if (!this.wanted || this.ws) return;
    clearTimeout(this.reconnectTimer);
    this.attempt = 0;
    this.#open();
  }

  /**
   * Sends a message; resolves with the `ack` once it is stored. Retries on timeout, `unavailable` and
   * `rate_limited`, and across reconnects, always with the same `cmid`, so it is stored once.
   * `replyTo` quotes message `replyTo`; `thread` posts a comment under message `thread` (at most one of them).
   * @param {string|{conv?: string, to?: string}} target a conv id, or `{to: uid}` for a one-to-one conversation
   * @param {string} kind @param {object} body
   * @param {{cmid?: string, replyTo?: number, thread?: number}} [options]
   */
  send(target, kind, body, { cmid = newCmid(), replyTo, thread } = {}) {
    const where = typeof target === 'string' ? { conv: target } : target;
    const existing = this.outbox.get(cmid);
    if (existing) return existing.promise;
    const refs = replyTo !== undefined ? { replyTo } : thread !== undefined ? { thread } : {};
    const job = { frame: { t: 'send', cmid, ...where, kind, body, ...refs }, attempts: 0, inFlight: false };
    job.promise = new Promise((resolve, reject) => { job.resolve = resolve; job.reject = reject; });
    this.outbox.set(cmid, job);
    if (this.#authenticated()) this.#trySend(job);
    return job.promise;
  }

  /** Recalls one's own message (or, as group owner/admin, any). */
  recall(conv, seq) { return this.#request({ t: 'recall', conv, seq }); }

  /** Moves this user's read cursor in `conv` to `seq` (no reply expected). */
  read(conv, seq) { this.#write({ t: 'read', conv, seq }); }

  /** Tells the others that this user is typing; throttled to one frame per `typingIntervalMs` per conversation. */
  typing(conv) {
    const now = Date.now();
    if (now - (this.lastTyping.get(conv) ?? 0) < this.options.typingIntervalMs) return;
    this.lastTyping.set(conv, now);
    this.#write({ t: 'typing', conv });
  }

  /** @param {'online'|'away'|'busy'|'invisible'|'offline'} status */
  setPresence(status) { return this.#request({ t: 'presence', status }); }

  /** Joins a chat room (`r:` conv); rejoined by itself after every reconnect. */
  async join(conv) {
    await this.#request({ t: 'join', conv });
    this.rooms.add(conv);
  }

  async leave(conv) {
    this.rooms.delete(conv);
    await this.#request({ t: 'leave', conv });
  }

  ping() { return this.#request({ t: 'ping' }); }

  /**
   * One call signaling step (op 23, docs/protocol.md §3, Calls); resolves on `ok`. {@link CallManager} in
   * `calls.js` drives whole calls over WebRTC with it.
   */
  callSignal(conv, callId, action, fields = {}) { return this.#request({ t: 'call', ...fields, conv, callId, action }); }

  #authenticated() {
    return this.state === 'syncing' || this.state === 'synced';
  }

  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', { state, attempt: this.attempt });
  }

  #wsUrl() {
    if (this.options.wsUrl) return this.options.wsUrl;
    const base = this.options.baseUrl || globalThis.location?.origin;
    return `${base.replace(/^http/, 'ws').replace(/\/$/, '')}/ws`;
  }

  #open() {
    if (!this.wanted) return;
    this.#setState(this.attempt === 0 && this.state === 'offline' ? 'connecting' : 'reconnecting');
    const Impl = this.options.WebSocket ?? globalThis.WebSocket;
    let ws;
    try {
      ws = new Impl(this.#wsUrl());
    } catch (e) {
      this.#scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      const id = this.nextId++;
      this.#expect(id).then((ok) => this.#authOk(ws, ok), (e) => this.#authFailed(ws, e));
      ws.send(JSON.stringify({ t: 'auth', id, token: this.http.token, device: this.device, platform: this.options.platform }));
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      this.#onFrame(frame);
    };
    ws.onclose = () => this.#closed(ws);
    ws.onerror = () => {};
  }

  #authOk(ws, ok) {
    if (ws !== this.ws) return;
    this.attempt = 0;
    this.uid = ok.uid;
    this.serverNode = ok.node;
    this.emit('authenticated', ok);
    this.#setState('syncing');
    this.#startHeartbeat(ws, ok.heartbeatMs ?? 30000);
    for (const room of this.rooms) this.#request({ t: 'join', conv: room }).catch((e) => this.emit('error', e));
    for (const job of this.outbox.values()) this.#trySend(job);
    this.#sync().then(
      () => { if (ws === this.ws) this.#setState('synced'); },
      (e) => { this.emit('error', e); if (ws === this.ws) ws.close(4001, 'sync failed'); },
    );
  }

  #authFailed(ws, e) {
    if (e.code === 'unauthorized') {
      this.wanted = false;
      this.emit('unauthorized', e);
    }
    if (ws === this.ws) ws.close();
  }

  async #sync() {
    const known = new Set(this.orderer.convs.keys());
    const result = await this.http.sync(this.orderer.cursors(), { all: true, limit: this.options.syncLimit });
    for (const c of result.convs) {
      if (!known.has(c.conv)) {
        // First sight of this conversation: start at the newest page instead of its whole history.
        this.orderer.skipTo(c.conv, c.messages.length ? c.messages[0].seq - 1 : c.maxSeq);
      }
      for (const msg of c.messages) this.orderer.accept({ conv: c.conv, ...msg });
    }
    this.emit('sync', result);
  }

  #startHeartbeat(ws, everyMs) {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      if (ws !== this.ws) return;
      this.ping().catch(() => { if (ws === this.ws) ws.close(4002, 'no pong'); });
    }, everyMs);
  }

  #closed(ws) {
    if (ws !== this.ws) return;
    this.ws = null;
    clearInterval(this.heartbeat);
    this.#failPending(new ImError('network', 'connection lost'));
    for (const job of this.outbox.values()) job.inFlight = false;
    if (this.wanted) {
      this.#scheduleReconnect();
    } else {
      this.#setState('offline');
    }
  }

  #scheduleReconnect() {
    this.#setState('reconnecting');
    const delay = backoffDelay(this.attempt++, this.options.backoff);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.#open(), delay);
  }

  #onFrame(frame) {
    if (frame.id !== undefined && this.pending.has(frame.id) && ['auth_ok', 'ack', 'ok', 'pong', 'error'].includes(frame.t)) {
      const request = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      clearTimeout(request.timer);
      if (frame.t === 'error') request.reject(new ImError(frame.code, frame.message));
      else request.resolve(frame);
      return;
    }
    switch (frame.t) {
      case 'msg':
        this.orderer.accept(frame);
        break;
      case 'recalled': case 'read': case 'typing': case 'presence': case 'event': case 'call':
        this.emit(frame.t, frame);
        break;
      case 'kicked':
        if (FINAL_KICKS.has(frame.reason)) this.wanted = false;
        this.emit('kicked', frame);
        break;
      case 'error':
        this.emit('error', new ImError(frame.code, frame.message));
        break;
      default:
        break;
    }
  }

  #delivered(msg) {
    const own = msg.from === this.uid;
    this.emit('message', { ...msg, own });
    if (!own || msg.device !== this.device) this.#write({ t: 'recv', conv: msg.conv, seq: msg.seq });
  }

  #trySend(job) {
    if (job.inFlight) return;
    job.inFlight = true;
    job.attempts += 1;
    this.#request({ ...job.frame }).then(
      (ack) => {
        this.outbox.delete(job.frame.cmid);
        const { t, id, ...fields } = job.frame;
        this.orderer.accept({ ...fields, conv: ack.conv, seq: ack.seq, mid: ack.mid, ts: ack.ts, from: this.uid, device: this.device });
        job.resolve(ack);
      },
      (e) => {
        job.inFlight = false;
        if (!RETRYABLE.has(e.code) || job.attempts >= this.options.sendRetries) {
          this.outbox.delete(job.frame.cmid);
          job.reject(e);
        } else if (this.#authenticated() && this.ws) {
          this.#later(() => { if (this.#authenticated() && this.outbox.has(job.frame.cmid)) this.#trySend(job); },
            backoffDelay(job.attempts - 1, this.options.backoff));
        }
        // Otherwise the next auth_ok sends it again.
      },
    );
  }

  #request(frame) {
    const id = this.nextId++;
    const reply = this.#expect(id);
    if (!this.#write({ ...frame, id })) {
      this.pending.get(id)?.reject(new ImError('network', 'not connected'));
      this.#forget(id);
    }
    return reply;
  }

  #expect(id) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ImError('timeout', `no reply to request ${id}`));
      }, this.options.requestTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  #forget(id) {
    clearTimeout(this.pending.get(id)?.timer);
    this.pending.delete(id);
  }

  #write(frame) {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  #failPending(error) {
    for (const [id, request] of this.pending) {
      clearTimeout(request.timer);
      request.reject(error);
      this.pending.delete(id);
    }
  }

  #later(fn, ms) {
    const timer = setTimeout(() => { this.timers.delete(timer); fn(); }, ms);
    this.timers.add(timer);
  }

  #clearTimers() {
    clearTimeout(this.reconnectTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    clearInterval(this.heartbeat);
  }
}
