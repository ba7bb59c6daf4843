import { Emitter } from '/web/sdk/emitter.js';

const PAGE = 30;

/**
 * The client-side state of the web client, fed by the SDK's events and the HTTP API: conversations with unread
 * counts, the messages loaded per conversation (plus sends not yet acked), presence, typing, read positions of
 * others, friends, requests, blocks, joined rooms and the to-dos assigned to this user. Views listen to its events
 * and re-render: `convs`, `messages` (conv), `typing` (conv), `people`, `rooms`, `todos`, and `comments` ({conv,
 * root}) when a comment arrives under a message.
 */
export class Store extends Emitter {
  constructor(client, me) {
    super();
    this.client = client;
    this.http = client.http;
    this.me = me;
    this.users = new Map([[me.uid, me]]);
    this.convs = new Map();
    this.threads = new Map();
    this.peerRead = new Map();
    this.presence = new Map();
    this.typing = new Map();
    this.friends = [];
    this.requests = [];
    this.blocks = [];
    this.todos = [];
    this.rooms = new Map(JSON.parse(localStorage.getItem(`im.rooms.${me.uid}`) ?? '[]'));
    this.openConv = null;
    this.#wire();
  }

  #wire() {
    const c = this.client;
    c.on('message', (msg) => this.#onMessage(msg));
    c.on('sync', ({ convs }) => {
      for (const s of convs) {
        const conv = this.convs.get(s.conv);
        if (conv) Object.assign(conv, { maxSeq: s.maxSeq, readSeq: s.readSeq, unread: s.unread });
      }
      this.refreshConversations();
      if (this.openConv) this.markRead(this.openConv);
    });
    c.on('recalled', ({ conv, seq }) => {
      const msg = this.threads.get(conv)?.bySeq.get(seq);
      if (msg) { msg.recalled = true; delete msg.body; this.emit('messages', conv); }
      const entry = this.convs.get(conv);
      if (entry?.lastMessage?.seq === seq) { entry.lastMessage = { ...entry.lastMessage, recalled: true }; this.emit('convs'); }
    });
    c.on('read', ({ conv, uid, seq }) => {
      if (uid === this.me.uid) {
        const entry = this.convs.get(conv);
        if (entry && seq > (entry.readSeq ?? 0)) { entry.readSeq = seq; entry.unread = 0; this.emit('convs'); }
        return;
      }
      if (seq > (this.peerRead.get(conv) ?? 0)) { this.peerRead.set(conv, seq); this.emit('messages', conv); }
    });
    c.on('typing', ({ conv, uid }) => {
      if (!this.typing.has(conv)) this.typing.set(conv, new Map());
      this.typing.get(conv).set(uid, Date.now() + 3500);
      this.name(uid);
      this.emit('typing', conv);
      setTimeout(() => this.emit('typing', conv), 3600);
    });
    c.on('presence', ({ uid, status }) => { this.presence.set(uid, status); this.emit('presence'); this.emit('convs'); });
    c.on('event', ({ kind }) => {
      if (kind === 'todo_assigned') return this.refreshTodos();
      if (kind === 'friend_request' || kind === 'friend_accepted') this.refreshPeople();
      this.refreshConversations();
    });
  }

  /** Who is typing in `conv` right now (display names). */
  typists(conv) {
    const now = Date.now();
    return [...(this.typing.get(conv)?.entries() ?? [])].filter(([, until]) => until > now).map(([uid]) => this.displayName(uid));
  }

  displayName(uid) {
    return this.users.get(uid)?.displayName ?? this.users.get(uid)?.username ?? '…';
  }

  /** Looks a user up once; re-renders when the name arrives. */
  async name(uid) {
    if (this.users.has(uid)) return this.users.get(uid);
    this.users.set(uid, { uid, displayName: '…' });
    try {
      const profile = await this.http.user(uid);
      this.users.set(uid, profile);
      this.emit('convs');
      for (const conv of this.threads.keys()) this.emit('messages', conv);
      return profile;
    } catch {
      return this.users.get(uid);
    }
  }

  async refreshConversations() {
    clearTimeout(this.convTimer);
    const { conversations } = await this.http.conversations();
    for (const entry of conversations) {
      const old = this.convs.get(entry.conv);
      this.convs.set(entry.conv, { ...old, ...entry });
      if (entry.peer) this.users.has(entry.peer) || this.users.set(entry.peer, { uid: entry.peer, displayName: entry.name });
    }
    this.emit('convs');
  }

  async refreshPeople() {
    const [friends, requests, blocks] = await Promise.all([this.http.friends(), this.http.friendRequests(), this.http.blocks()]);
    this.friends = friends.friends;
    for (const f of this.friends) { this.users.set(f.uid, f); this.presence.set(f.uid, f.status); }
    this.requests = requests.requests;
    this.requests.forEach((r) => this.name(r.from));
    this.blocks = blocks.uids;
    this.blocks.forEach((uid) => this.name(uid));
    this.emit('people');
    this.emit('convs');
  }

  /** The to-dos assigned to this user, open and done, newest first. */
  async refreshTodos() {
    this.todos = (await this.http.todos()).todos;
    this.emit('todos');
  }

  async setTodoDone(todo, done) {
    await this.http.todoDone(todo.conv, todo.seq, done);
    await this.refreshTodos();
  }

  /** Loads the comments under message `root` (up to 100, the oldest first) into the conversation's messages. */
  async loadComments(conv, root) {
    const t = this.thread(conv);
    const page = await this.http.history(conv, { thread: root, limit: 100 });
    for (const msg of page.messages) if (!t.bySeq.has(msg.seq)) t.bySeq.set(msg.seq, { conv, ...msg, own: msg.from === this.me.uid });
    page.messages.forEach((m) => this.name(m.from));
    this.emit('comments', { conv, root });
  }

  /** The loaded comments under message `root` in seq order, then those not yet acked. */
  comments(conv, root) {
    return this.messages(conv).filter((m) => m.thread === root);
  }

  /** Conversations newest first (rooms are listed apart). */
  conversationList() {
    return [...this.convs.values()].sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0));
  }

  thread(conv) {
    if (!this.threads.has(conv)) this.threads.set(conv, { bySeq: new Map(), pending: new Map(), hasMoreBefore: true, loaded: false });
    return this.threads.get(conv);
  }

  /** Loaded messages of `conv` in seq order, then the sends still waiting for their ack. */
  messages(conv) {
    const t = this.thread(conv);
    return [...[...t.bySeq.values()].sort((a, b) => a.seq - b.seq), ...t.pending.values()];
  }

  /** Loads the newest page the first time, or the page above the oldest loaded message. */
  async loadOlder(conv) {
    const t = this.thread(conv);
    const oldest = Math.min(...t.bySeq.keys());
    const page = await this.http.history(conv, t.loaded && Number.isFinite(oldest) ? { before: oldest, limit: PAGE } : { limit: PAGE });
    for (const msg of page.messages) if (!t.bySeq.has(msg.seq)) t.bySeq.set(msg.seq, { conv, ...msg, own: msg.from === this.me.uid });
    t.hasMoreBefore = page.hasMore;
    t.loaded = true;
    page.messages.forEach((m) => this.name(m.from));
    this.emit('messages', conv);
    return page.messages.length;
  }

  /**
   * Sends text or media: shown at once as "sending", then replaced by the acked message.
   * @param {{replyTo?: number, thread?: number}} [refs] the message quoted, or the one commented on
   */
  send(conv, kind, body, refs = {}) {
    const cmid = crypto.randomUUID();
    const local = { conv, cmid, kind, body, ...refs, from: this.me.uid, own: true, ts: Date.now(), state: 'sending' };
    this.thread(conv).pending.set(cmid, local);
    this.emit('messages', conv);
    if (refs.thread) this.emit('comments', { conv, root: refs.thread });
    this.client.send(conv, kind, body, { cmid, ...refs }).catch((e) => {
      local.state = 'failed';
      local.error = e.code;
      this.emit('messages', conv);
      if (refs.thread) this.emit('comments', { conv, root: refs.thread });
    });
  }

  retry(conv, cmid) {
    const local = this.thread(conv).pending.get(cmid);
    if (!local) return;
    this.thread(conv).pending.delete(cmid);
    this.emit('messages', conv);
    this.send(conv, local.kind, local.body, local.thread ? { thread: local.thread } : local.replyTo ? { replyTo: local.replyTo } : {});
  }

  markRead(conv) {
    const entry = this.convs.get(conv);
    const t = this.threads.get(conv);
    const newest = Math.max(entry?.maxSeq ?? 0, ...(t ? t.bySeq.keys() : []));
    if (!newest || conv.startsWith('r:') || document.visibilityState === 'hidden') return;
    if (entry && (entry.readSeq ?? 0) >= newest && !entry.unread) return;
    this.client.read(conv, newest);
    if (entry) { entry.readSeq = newest; entry.unread = 0; this.emit('convs'); }
  }

  saveRooms() {
    localStorage.setItem(`im.rooms.${this.me.uid}`, JSON.stringify([...this.rooms.entries()]));
    this.emit('rooms');
  }

  #onMessage(msg) {
    const t = this.thread(msg.conv);
    const known = t.bySeq.has(msg.seq);
    t.bySeq.set(msg.seq, msg);
    if (msg.own && msg.cmid) t.pending.delete(msg.cmid);
    this.name(msg.from);
    const entry = this.convs.get(msg.conv);
    if (entry) {
      if (msg.seq > (entry.maxSeq ?? 0)) {
        entry.maxSeq = msg.seq;
        entry.lastMessage = msg;
        entry.updatedAt = msg.ts;
        if (!msg.own && this.openConv !== msg.conv) entry.unread = (entry.unread ?? 0) + 1;
      }
      this.emit('convs');
    } else if (!msg.conv.startsWith('r:')) {
      // A conversation this tab has not listed yet (a first message, a new group): list it once things settle.
      clearTimeout(this.convTimer);
      this.convTimer = setTimeout(() => this.refreshConversations(), 150);
    }
    if (msg.thread) {
      // A live comment: the root's counters move here as they do on the server (history brings the stored ones).
      const root = t.bySeq.get(msg.thread);
      if (root && !known) { root.replyCount = (root.replyCount ?? 0) + 1; root.lastReplyTs = msg.ts; }
      this.emit('comments', { conv: msg.conv, root: msg.thread });
    }
    if (this.typing.get(msg.conv)?.delete(msg.from)) this.emit('typing', msg.conv);
    this.emit('messages', msg.conv);
    if (this.openConv === msg.conv && !msg.own) this.markRead(msg.conv);
  }
}
