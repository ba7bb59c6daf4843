import { $, avatar, h, shortTime } from './dom.js';
import { preview } from './messages.js';

/** The conversation list: newest activity first, with unread badge, last message, time and presence dot. */
export class ConversationList {
  constructor(store, onOpen) {
    this.store = store;
    this.onOpen = onOpen;
    store.on('convs', () => this.render());
  }

  render() {
    const list = $('conversation-list');
    const items = this.store.conversationList();
    $('no-conversations').hidden = items.length > 0;
    list.replaceChildren(...items.map((c) => this.item(c)));
  }

  item(c) {
    const store = this.store;
    const name = c.type === 'p2p' ? store.users.get(c.peer)?.displayName ?? c.name : c.name;
    const status = c.type === 'p2p' ? store.presence.get(c.peer) ?? 'offline' : null;
    const face = h('span.avatar', { 'aria-hidden': 'true' });
    avatar(face, name, c.peer ?? c.conv);
    const last = c.lastMessage;
    const lastText = last ? `${last.kind === 'system' ? '' : last.from === store.me.uid ? 'You: ' : c.type === 'group' && last.kind !== 'system' ? `${store.displayName(last.from)}: ` : ''}${preview(last, store)}` : 'No messages yet';
    const unread = c.unread > 0 ? h('span.badge', { 'aria-label': `${c.unread} unread` }, c.unread > 99 ? '99+' : c.unread) : null;
    return h('li', {},
      h('button.conversation', {
        type: 'button',
        class: [store.openConv === c.conv && 'active', c.unread > 0 && 'has-unread'],
        'aria-current': store.openConv === c.conv ? 'true' : null,
        'data-conv': c.conv,
        onclick: () => this.onOpen(c.conv),
      },
      h('span.avatar-wrap', {}, face, status && h('span.dot', { class: `status-${status}`, title: status, 'aria-label': status })),
      h('span.conversation-text', {},
        h('span.conversation-top', {}, h('span.conversation-name', {}, name), h('time.muted', {}, shortTime(last?.ts ?? c.updatedAt))),
        h('span.conversation-bottom', {}, h('span.conversation-last', {}, lastText), unread))));
  }
}
