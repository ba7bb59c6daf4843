import { $, avatar, h, toast } from './dom.js';
import { newGroupDialog } from './dialogs.js';

/** People: add a friend by username, incoming requests (accept/decline), friends with presence, blocked users. */
export class PeoplePanel {
  constructor(store, openConv) {
    this.store = store;
    this.openConv = openConv;
    store.on('people', () => this.render());
    store.on('presence', () => this.render());
    $('new-group').onclick = () => newGroupDialog(store, openConv);
    this.render();
  }

  render() {
    const store = this.store;
    const panel = $('panel-people');
    const focused = document.activeElement?.id;
    const badge = $('requests-badge');
    badge.hidden = store.requests.length === 0;
    badge.textContent = store.requests.length;
    const form = h('form.add-friend', { onsubmit: (e) => { e.preventDefault(); this.add(); } },
      h('label', { for: 'friend-username' }, 'Add a friend'),
      h('div.row', {},
        h('input', { id: 'friend-username', placeholder: 'username', autocomplete: 'off', required: true }),
        h('button.primary', { type: 'submit' }, 'Send request')));
    const requests = store.requests.length ? [
      h('h3', {}, 'Friend requests'),
      h('ul.people', { 'aria-label': 'Friend requests' }, store.requests.map((r) => this.person(r.from, [
        h('button.primary', { type: 'button', onclick: () => this.accept(r) }, 'Accept'),
        h('button', { type: 'button', onclick: () => this.reject(r) }, 'Decline'),
      ], r.message))),
    ] : [];
    const friends = [
      h('h3', {}, `Friends (${store.friends.length})`),
      store.friends.length
        ? h('ul.people', { 'aria-label': 'Friends' }, store.friends.map((f) => this.person(f.uid, [
          h('button', { type: 'button', onclick: () => this.chat(f.uid) }, 'Message'),
        ])))
        : h('p.empty', {}, 'No friends yet. Send a request by username above.'),
    ];
    const blocked = store.blocks.length ? [
      h('h3', {}, 'Blocked'),
      h('ul.people', { 'aria-label': 'Blocked users' }, store.blocks.map((uid) => this.person(uid, [
        h('button', { type: 'button', onclick: () => this.unblock(uid) }, 'Unblock'),
      ]))),
    ] : [];
    panel.replaceChildren(form, ...requests, ...friends, ...blocked);
    if (focused) $(focused)?.focus();
  }

  person(uid, actions, note) {
    const name = this.store.displayName(uid);
    const face = h('span.avatar.small', { 'aria-hidden': 'true' });
    avatar(face, name, uid);
    const status = this.store.presence.get(uid);
    return h('li.person', {},
      h('span.avatar-wrap', {}, face, status ? h('span.dot', { class: `status-${status}`, 'aria-label': status }) : null),
      h('span.person-text', {}, h('strong', {}, name), note ? h('span.muted', {}, note) : status ? h('span.muted', {}, status) : null),
      h('span.person-actions', {}, actions));
  }

  async add() {
    const input = $('friend-username');
    const username = input.value.trim();
    try {
      const user = await this.store.http.userByName(username);
      await this.store.http.requestFriend(user.uid);
      input.value = '';
      toast(`Friend request sent to ${user.displayName}`);
      await this.store.refreshPeople();
    } catch (e) {
      toast(e.code === 'not_found' ? `No user named “${username}”` : e.code === 'conflict' ? 'Already friends' : e.code === 'blocked' ? 'Blocked' : e.message);
    }
  }

  async accept(request) {
    const { conv } = await this.store.http.acceptFriend(request.requestId);
    await Promise.all([this.store.refreshPeople(), this.store.refreshConversations()]);
    toast(`You and ${this.store.displayName(request.from)} are friends`);
    this.openConv(conv);
  }

  async reject(request) {
    await this.store.http.rejectFriend(request.requestId);
    await this.store.refreshPeople();
  }

  async unblock(uid) {
    await this.store.http.unblock(uid);
    await this.store.refreshPeople();
  }

  chat(uid) {
    const me = this.store.me.uid;
    this.openConv(me < uid ? `p:${me}:${uid}` : `p:${uid}:${me}`);
  }
}
