import { callText } from './calls.js';
import { formatBytes, h, shortTime } from './dom.js';

const SYSTEM_TEXT = {
  group_created: (who, names, body) => `${who} created “${body.name}”`,
  group_renamed: (who, names, body) => `${who} renamed the group to “${body.name}”`,
  member_added: (who, names) => `${who} added ${names}`,
  member_removed: (who, names) => `${who} removed ${names}`,
  member_left: (who) => `${who} left`,
  admin_added: (who, names) => `${who} made ${names} an admin`,
  admin_removed: (who, names) => `${who} removed ${names} as admin`,
};

/** One line of text for a message: the conversation list and notifications. */
export function preview(msg, store) {
  if (!msg) return '';
  if (msg.recalled) return 'Message recalled';
  if (msg.thread) return `Comment: ${preview({ ...msg, thread: undefined }, store)}`;
  switch (msg.kind) {
    case 'text': return msg.body.text;
    case 'image': return 'Photo';
    case 'file': return `File: ${msg.body.name}`;
    case 'audio': return 'Voice message';
    case 'video': return 'Video';
    case 'location': return `Location: ${msg.body.name ?? ''}`;
    case 'system': return systemText(msg, store);
    case 'call': return callText(msg, store);
    default: return 'Message';
  }
}

function systemText(msg, store) {
  const who = msg.body.by === store.me.uid ? 'You' : store.displayName(msg.body.by);
  (msg.body.uids ?? []).forEach((uid) => store.name(uid));
  const names = (msg.body.uids ?? []).map((uid) => (uid === store.me.uid ? 'you' : store.displayName(uid))).join(', ');
  return (SYSTEM_TEXT[msg.body.event] ?? (() => 'Group changed'))(who, names, msg.body);
}

/** How long a sender may recall (docs/protocol.md §1, messages.recallWindowMs default). */
const RECALL_WINDOW_MS = 120000;

/**
 * The list item of one message. `state` of one's own: sending, failed, sent (acked) or read (a peer's read
 * position is at or past it). A reply shows the message it quotes; a stored message outside a thread offers
 * Reply, its comments (with their count) and To-do when those handlers are given.
 */
export function messageItem(msg, { store, conv, groupLabel, onRecall, onRetry, onReply, onComments, onTodo }) {
  if (msg.kind === 'system') {
    return h('li.system', { 'data-seq': msg.seq }, systemText(msg, store));
  }
  const own = msg.own ?? msg.from === store.me.uid;
  const read = own && msg.seq && (store.peerRead.get(conv) ?? 0) >= msg.seq;
  const state = msg.state ?? (read ? 'read' : 'sent');
  const content = msg.recalled ? h('em.recalled', {}, own ? 'You recalled a message' : 'Message recalled') : body(msg, store);
  const canRecall = own && msg.seq && !msg.recalled && msg.kind !== 'call' && Date.now() - msg.ts < RECALL_WINDOW_MS;
  const stored = msg.seq && !msg.thread;
  const comments = msg.replyCount ? `${msg.replyCount} comment${msg.replyCount === 1 ? '' : 's'}` : 'Comment';
  return h('li.message', { class: [own ? 'own' : 'theirs', msg.recalled && 'is-recalled'], 'data-seq': msg.seq ?? null, 'data-cmid': msg.cmid ?? null },
    !own && groupLabel ? h('span.author', {}, store.displayName(msg.from)) : null,
    msg.replyTo && !msg.recalled ? quote(store, conv, msg.replyTo) : null,
    h('div.bubble', {}, content),
    stored && onComments && (!msg.recalled || msg.replyCount)
      ? h('span.actions', {},
        !msg.recalled && onReply ? h('button.link.reply', { type: 'button', onclick: () => onReply(msg) }, 'Reply') : null,
        h('button.link.comments', { type: 'button', 'data-count': msg.replyCount ?? 0, onclick: () => onComments(msg) }, comments),
        !msg.recalled && onTodo ? h('button.link.todo', { type: 'button', onclick: () => onTodo(msg) }, 'To-do') : null)
      : null,
    h('span.meta', {},
      h('time', { datetime: new Date(msg.ts).toISOString() }, shortTime(msg.ts)),
      own ? h('span.state', { class: `state-${state}`, 'data-state': state }, stateLabel(state, msg)) : null,
      state === 'failed' ? h('button.link', { type: 'button', onclick: () => onRetry(msg) }, 'Retry') : null,
      canRecall ? h('button.link.recall', { type: 'button', 'aria-label': 'Recall this message', onclick: () => onRecall(msg) }, 'Recall') : null));
}

/** The quoted message of a reply, when this tab has it loaded; else its number. */
function quote(store, conv, seq) {
  const quoted = store.thread(conv).bySeq.get(seq);
  const text = quoted ? `${store.displayName(quoted.from)}: ${preview(quoted, store)}` : `Message #${seq}`;
  return h('blockquote.quote', { 'data-reply-to': seq }, text);
}

function stateLabel(state, msg) {
  return { sending: 'Sending…', failed: `Not sent${msg.error ? ` (${msg.error})` : ''}`, sent: 'Sent ✓', read: 'Read ✓✓' }[state];
}

function body(msg, store) {
  const b = msg.body ?? {};
  switch (msg.kind) {
    case 'text': return h('p.text', {}, b.text);
    case 'image': {
      const img = h('img', { src: store.http.mediaUrl(b.url), alt: b.name ?? 'Image', loading: 'lazy' });
      if (b.width && b.height) { img.width = Math.min(260, b.width); img.height = Math.round(img.width * (b.height / b.width)); }
      return h('a.image', { href: store.http.mediaUrl(b.url), target: '_blank', rel: 'noopener' }, img);
    }
    case 'file': case 'audio': case 'video':
      return h('a.file', { href: store.http.mediaUrl(b.url), download: b.name ?? 'file' },
        h('span.file-icon', { 'aria-hidden': 'true' }, (b.name ?? '').split('.').pop().slice(0, 4).toUpperCase() || 'FILE'),
        h('span', {}, h('strong', {}, b.name ?? msg.kind), h('br'), h('span.muted', {}, `${b.mime} · ${formatBytes(b.size ?? 0)}`)));
    case 'location': return h('p.text', {}, `Location: ${b.name ?? ''} ${b.lat}, ${b.lng}`);
    case 'call': return h('p.text.call', {}, callText(msg, store));
    default: return h('p.text.muted', {}, `Unsupported message (${msg.kind})`);
  }
}
