import { CallManager } from '/web/sdk/calls.js';
import { $, h, toast } from './dom.js';

const RESULT_TEXT = { rejected: 'Call declined', cancelled: 'Call cancelled', answered_elsewhere: 'Answered on another device', failed: 'Call failed' };

/**
 * Audio and video calls in one-to-one chats: the header's call buttons, the incoming-call prompt and the call
 * window with the remote and local video. The WebRTC side is the SDK's {@link CallManager}; this is its view.
 */
export class CallPanel {
  constructor(store) {
    this.store = store;
    this.manager = new CallManager(store.client);
    this.call = null;
    this.#build();
    this.#renderButtons();
    store.on('convs', () => this.#renderButtons());
    this.manager.on('incoming', (call) => this.#incoming(call));
  }

  #build() {
    const details = $('chat-details');
    this.buttons = ['audio', 'video'].map((media) => h('button.secondary.call-start', {
      type: 'button', 'data-media': media, onclick: () => this.#place(media),
      'aria-label': media === 'video' ? 'Video call' : 'Call', title: media === 'video' ? 'Video call' : 'Voice call',
    }, media === 'video' ? 'Video' : 'Call'));
    details.before(...this.buttons);
    this.title = h('h2', { id: 'call-title' });
    this.status = h('p.muted', { id: 'call-status', role: 'status', 'aria-live': 'polite' });
    this.remote = h('video', { id: 'call-remote', autoplay: true, playsinline: true, 'aria-label': 'The other person' });
    this.local = h('video', { id: 'call-local', autoplay: true, playsinline: true, 'aria-label': 'You' });
    this.local.muted = true;
    this.accept = h('button.primary', { id: 'call-accept', type: 'button', onclick: () => this.#answer() }, 'Accept');
    this.decline = h('button.danger', { id: 'call-decline', type: 'button', onclick: () => this.call?.reject() }, 'Decline');
    this.hangup = h('button.danger', { id: 'call-hangup', type: 'button', onclick: () => this.call?.hangup() }, 'Hang up');
    this.window = h('section.call-window', { id: 'call', 'aria-label': 'Call', hidden: true },
      this.title, this.status,
      h('div.call-videos', {}, this.remote, this.local),
      h('div.row.call-actions', {}, this.accept, this.decline, this.hangup));
    document.body.append(this.window);
  }

  #renderButtons() {
    const oneToOne = this.store.openConv?.startsWith('p:') ?? false;
    this.buttons.forEach((button) => {
      button.hidden = !oneToOne;
      button.disabled = this.call !== null;
    });
  }

  #peerOf(conv) {
    return conv.split(':').slice(1).find((uid) => uid !== this.store.me.uid);
  }

  async #place(media) {
    const peer = this.#peerOf(this.store.openConv);
    try {
      this.#show(await this.manager.place(peer, media));
    } catch (e) {
      toast(e.code === 'unavailable' ? `${this.store.displayName(peer)} is not online` : `Call failed: ${e.message}`);
    }
  }

  #incoming(call) {
    if (this.call) {
      call.reject();
      return;
    }
    this.#show(call);
  }

  async #answer() {
    try {
      await this.call.accept();
    } catch (e) {
      toast(`Could not answer: ${e.message}`);
      this.call?.hangup();
    }
  }

  #show(call) {
    this.call = call;
    this.store.name(call.peer);
    const kind = call.media === 'video' ? 'Video call' : 'Call';
    this.title.textContent = `${kind} with ${this.store.displayName(call.peer)}`;
    this.window.dataset.media = call.media;
    call.on('local', (stream) => { this.local.srcObject = stream; });
    call.on('remote', (stream) => { this.remote.srcObject = stream; });
    call.on('state', () => this.#renderState());
    call.on('ended', ({ result }) => this.#ended(call, result));
    if (call.localStream) this.local.srcObject = call.localStream;
    this.window.hidden = false;
    this.#renderState();
    this.#renderButtons();
  }

  #renderState() {
    const call = this.call;
    if (!call) return;
    this.window.dataset.state = call.state;
    this.status.textContent = {
      calling: 'Calling…', ringing: 'Ringing…', incoming: 'Incoming call', connecting: 'Connecting…', connected: 'Connected',
    }[call.state] ?? '';
    this.accept.hidden = call.state !== 'incoming';
    this.decline.hidden = call.state !== 'incoming';
    this.hangup.hidden = call.state === 'incoming';
    if (call.state === 'incoming') this.accept.focus();
  }

  #ended(call, result) {
    if (this.call !== call) return;
    this.call = null;
    this.window.hidden = true;
    this.remote.srcObject = null;
    this.local.srcObject = null;
    if (RESULT_TEXT[result]) toast(RESULT_TEXT[result]);
    this.#renderButtons();
  }
}

/** The text of a `call` message (docs/protocol.md §3, Message kinds). */
export function callText(msg, store) {
  const b = msg.body ?? {};
  const kind = b.media === 'video' ? 'Video call' : 'Call';
  const own = msg.from === store.me.uid;
  switch (b.result) {
    case 'completed': {
      const seconds = Math.round((b.durationMs ?? 0) / 1000);
      return `${kind} · ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
    }
    case 'missed': return own ? `${kind} · no answer` : `Missed ${kind.toLowerCase()}`;
    case 'rejected': return `${kind} · declined`;
    case 'cancelled': return own ? `${kind} · cancelled` : `Missed ${kind.toLowerCase()}`;
    default: return kind;
  }
}
