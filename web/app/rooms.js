import { $, h, toast } from './dom.js';

/**
 * Chat rooms: create one, join one by its id (`r:...`), leave. Room membership is per connection
 * (docs/protocol.md §3, Rooms); the SDK rejoins after reconnects and this tab remembers its rooms.
 */
export class RoomsPanel {
  constructor(store, openConv) {
    this.store = store;
    this.openConv = openConv;
    store.on('rooms', () => this.render());
    store.client.on('state', ({ state }) => { if (state === 'synced') this.rejoin(); });
    this.render();
  }

  async rejoin() {
    for (const conv of this.store.rooms.keys()) {
      if (!this.store.client.rooms.has(conv)) await this.store.client.join(conv).catch(() => {});
    }
  }

  render() {
    const rooms = [...this.store.rooms.values()];
    $('panel-rooms').replaceChildren(
      h('form.add-friend', { onsubmit: (e) => { e.preventDefault(); this.create(); } },
        h('label', { for: 'room-name' }, 'Create a room'),
        h('div.row', {}, h('input', { id: 'room-name', placeholder: 'room name', autocomplete: 'off', maxlength: 100 }),
          h('button.primary', { type: 'submit' }, 'Create'))),
      h('form.add-friend', { onsubmit: (e) => { e.preventDefault(); this.join(); } },
        h('label', { for: 'room-id' }, 'Join a room by id'),
        h('div.row', {}, h('input', { id: 'room-id', placeholder: 'r:…', autocomplete: 'off' }),
          h('button', { type: 'submit' }, 'Join'))),
      h('h3', {}, 'Your rooms'),
      rooms.length ? h('ul.people', { 'aria-label': 'Rooms' }, rooms.map((r) => h('li.person', {},
        h('span.avatar.small.room', { 'aria-hidden': 'true' }, '#'),
        h('span.person-text', {}, h('strong', {}, r.name), h('span.muted.mono', {}, r.conv)),
        h('span.person-actions', {},
          h('button', { type: 'button', onclick: () => this.openConv(r.conv) }, 'Open'),
          h('button', { type: 'button', onclick: () => this.leave(r.conv) }, 'Leave')))))
        : h('p.empty', {}, 'Rooms are open to everyone who knows their id.'));
  }

  async create() {
    const name = $('room-name').value.trim();
    if (!name) return;
    try {
      const { conv } = await this.store.http.createRoom(name);
      await this.enter(conv, name);
    } catch (e) {
      toast(e.message);
    }
  }

  async join() {
    const conv = $('room-id').value.trim();
    try {
      await this.enter(conv, `Room ${conv.slice(2, 8)}`);
    } catch (e) {
      toast(e.code === 'not_found' ? 'No such room' : e.code === 'bad_request' ? 'Room ids start with “r:”' : e.message);
    }
  }

  async enter(conv, name) {
    await this.store.client.join(conv);
    this.store.rooms.set(conv, { conv, name: this.store.rooms.get(conv)?.name ?? name });
    this.store.saveRooms();
    this.openConv(conv);
  }

  async leave(conv) {
    await this.store.client.leave(conv).catch(() => {});
    this.store.rooms.delete(conv);
    this.store.saveRooms();
  }
}
