/**
 * The HTTP API of docs/protocol.md §4 (accounts, users, friends, blocks, groups, rooms, conversations,
 * history and threads, sync, read, to-dos, media). Every method resolves with the parsed JSON reply (or undefined for 204) and
 * rejects with an {@link ImError} carrying the protocol error code.
 */

/** An error answered by the server (HTTP or realtime), or a transport failure (`code` "network"). */
export class ImError extends Error {
  /**
   * @param {string} code protocol error code, e.g. "not_found", "blocked"; "network" or "timeout" on the client
   * @param {string} message
   * @param {number} [status] HTTP status, when it came over HTTP
   */
  constructor(code, message, status) {
    super(message || code);
    this.name = 'ImError';
    this.code = code;
    this.status = status;
  }
}

const enc = encodeURIComponent;

export class ImHttp {
  /**
   * @param {string} baseUrl e.g. "http://localhost:8080" ("" in a page served by the node)
   * @param {{token?: string, fetch?: typeof fetch}} [options]
   */
  constructor(baseUrl, { token, fetch: fetchImpl } = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    /** @type {string|undefined} bearer token used by every call but register and login */
    this.token = token;
    this.fetch = fetchImpl ?? globalThis.fetch.bind(globalThis);
  }

  /**
   * One request. `body` is sent as JSON unless it is a Blob/ArrayBuffer/Uint8Array (then raw, with `contentType`).
   * @param {string} method @param {string} path @param {any} [body] @param {string} [contentType]
   */
  async request(method, path, body, contentType) {
    const headers = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let payload;
    if (body !== undefined) {
      const raw = body instanceof ArrayBuffer || ArrayBuffer.isView(body) || (typeof Blob !== 'undefined' && body instanceof Blob);
      payload = raw ? body : JSON.stringify(body);
      headers['Content-Type'] = raw ? (contentType || body.type || 'application/octet-stream') : 'application/json';
    }
    let response;
    try {
      response = await this.fetch(this.baseUrl + path, { method, headers, body: payload });
    } catch (e) {
      throw new ImError('network', `${method} ${path}: ${e.message}`);
    }
    const text = await response.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const error = json?.error ?? {};
      throw new ImError(error.code ?? 'internal', error.message ?? `${method} ${path}: HTTP ${response.status}`, response.status);
    }
    return json;
  }

  // Accounts and users
  register(username, password, displayName) { return this.request('POST', '/api/v1/auth/register', displayName ? { username, password, displayName } : { username, password }); }
  /** Logs in and keeps the token for later calls. @returns {Promise<{token: string, uid: string, expiresAt: number}>} */
  async login(username, password) {
    const session = await this.request('POST', '/api/v1/auth/login', { username, password });
    this.token = session.token;
    return session;
  }
  me() { return this.request('GET', '/api/v1/users/me'); }
  user(uid) { return this.request('GET', `/api/v1/users/${enc(uid)}`); }
  userByName(username) { return this.request('GET', `/api/v1/users?username=${enc(username)}`); }
  updateMe(changes) { return this.request('PATCH', '/api/v1/users/me', changes); }

  // Friends and blocks
  requestFriend(to, message) { return this.request('POST', '/api/v1/friends/requests', message ? { to, message } : { to }); }
  friendRequests() { return this.request('GET', '/api/v1/friends/requests'); }
  acceptFriend(requestId) { return this.request('POST', `/api/v1/friends/requests/${enc(requestId)}/accept`); }
  rejectFriend(requestId) { return this.request('POST', `/api/v1/friends/requests/${enc(requestId)}/reject`); }
  friends() { return this.request('GET', '/api/v1/friends'); }
  removeFriend(uid) { return this.request('DELETE', `/api/v1/friends/${enc(uid)}`); }
  block(uid) { return this.request('PUT', `/api/v1/blocks/${enc(uid)}`); }
  unblock(uid) { return this.request('DELETE', `/api/v1/blocks/${enc(uid)}`); }
  blocks() { return this.request('GET', '/api/v1/blocks'); }

  // Groups and rooms
  createGroup(name, members = []) { return this.request('POST', '/api/v1/groups', { name, members }); }
  group(groupId) { return this.request('GET', `/api/v1/groups/${enc(groupId)}`); }
  renameGroup(groupId, name) { return this.request('PATCH', `/api/v1/groups/${enc(groupId)}`, { name }); }
  addMembers(groupId, uids) { return this.request('POST', `/api/v1/groups/${enc(groupId)}/members`, { uids }); }
  removeMember(groupId, uid) { return this.request('DELETE', `/api/v1/groups/${enc(groupId)}/members/${enc(uid)}`); }
  addAdmin(groupId, uid) { return this.request('PUT', `/api/v1/groups/${enc(groupId)}/admins/${enc(uid)}`); }
  removeAdmin(groupId, uid) { return this.request('DELETE', `/api/v1/groups/${enc(groupId)}/admins/${enc(uid)}`); }
  createRoom(name) { return this.request('POST', '/api/v1/rooms', { name }); }

  // Conversations
  conversations() { return this.request('GET', '/api/v1/conversations'); }
  /**
   * A page of history, or with `thread` the comments under that message.
   * @param {string} conv @param {{before?: number, after?: number, limit?: number, thread?: number}} [page]
   */
  history(conv, { before, after, limit, thread } = {}) {
    const query = new URLSearchParams();
    if (thread !== undefined) query.set('thread', String(thread));
    if (before !== undefined) query.set('before', String(before));
    if (after !== undefined) query.set('after', String(after));
    if (limit !== undefined) query.set('limit', String(limit));
    const q = query.toString();
    return this.request('GET', `/api/v1/conversations/${enc(conv)}/messages${q ? `?${q}` : ''}`);
  }
  /** @param {{conv: string, seq: number}[]} convs @param {{all?: boolean, limit?: number}} [options] */
  sync(convs, { all = false, limit } = {}) {
    const body = { convs, all };
    if (limit !== undefined) body.limit = limit;
    return this.request('POST', '/api/v1/sync', body);
  }
  markRead(conv, seq) { return this.request('POST', `/api/v1/conversations/${enc(conv)}/read`, { seq }); }

  // To-dos
  /** Marks message `seq` as a to-do for `assignees` (default: oneself). @param {{assignees?: string[], dueTs?: number}} [todo] */
  setTodo(conv, seq, todo = {}) { return this.request('PUT', `/api/v1/conversations/${enc(conv)}/messages/${seq}/todo`, todo); }
  removeTodo(conv, seq) { return this.request('DELETE', `/api/v1/conversations/${enc(conv)}/messages/${seq}/todo`); }
  todoDone(conv, seq, done) { return this.request('POST', `/api/v1/conversations/${enc(conv)}/messages/${seq}/todo/done`, { done }); }
  /** The caller's to-dos, newest first. @param {{done?: boolean}} [filter] */
  todos({ done } = {}) { return this.request('GET', `/api/v1/todos${done === undefined ? '' : `?done=${done}`}`); }

  // Media
  /** Uploads bytes; resolves `{url, sha256, size, mime}`. @param {Blob|ArrayBuffer|Uint8Array} bytes @param {string} [mime] */
  /** `{iceServers}` for RTCPeerConnection (docs/protocol.md §4, Calls). */
  callConfig() { return this.request('GET', '/api/v1/calls/config'); }

  upload(bytes, mime) { return this.request('POST', '/api/v1/media', bytes, mime); }
  /** A URL for `<img src>`: the media URL with the token as `?token=` (docs/protocol.md §4, Media). */
  mediaUrl(url) { return `${this.baseUrl}${url}${url.includes('?') ? '&' : '?'}token=${enc(this.token ?? '')}`; }

  // Operators (admin token as `token`)
  adminNodes() { return this.request('GET', '/admin/nodes'); }
  adminScale(name, instances, node) { return this.request('POST', `/admin/verticles/${enc(name)}/scale`, node ? { instances, node } : { instances }); }
  adminKick(uid) { return this.request('POST', `/admin/users/${enc(uid)}/kick`); }
  /** Prometheus text of GET /metrics. */
  async metrics() {
    const response = await this.fetch(`${this.baseUrl}/metrics`);
    if (!response.ok) throw new ImError('unavailable', `GET /metrics: HTTP ${response.status}`, response.status);
    return response.text();
  }
}
