import { Emitter } from './emitter.js';

/** How a call ended, from the server's `call` message or, before it arrives, from the frames seen. */
const END_ACTIONS = { reject: 'rejected', cancel: 'cancelled', hangup: 'completed', answered_elsewhere: 'answered_elsewhere' };

function newCallId() {
  const random = globalThis.crypto?.randomUUID?.().slice(0, 8) ?? Math.random().toString(36).slice(2, 10);
  return `${Date.now().toString(36)}-${random}`;
}

/**
 * One-to-one audio and video calls over WebRTC (docs/protocol.md §3, Calls): the signaling goes through op 23
 * `call` of an {@link ImClient}; the media flows peer to peer. The caller sends its offer once the callee accepts,
 * so the offer reaches only the accepting device.
 *
 * Events: `incoming` (a {@link Call} ringing here; it has already answered `ringing`).
 */
export class CallManager extends Emitter {
  /**
   * @param {import('./client.js').ImClient} client
   * @param {{RTCPeerConnection?: typeof RTCPeerConnection, mediaDevices?: MediaDevices}} [options]
   */
  constructor(client, options = {}) {
    super();
    this.client = client;
    this.RTCPeerConnection = options.RTCPeerConnection ?? globalThis.RTCPeerConnection;
    this.mediaDevices = options.mediaDevices ?? globalThis.navigator?.mediaDevices;
    /** @type {Map<string, Call>} by callId */
    this.calls = new Map();
    this.iceServers = null;
    client.on('call', (frame) => this.#onFrame(frame));
    client.on('message', (msg) => {
      if (msg.kind === 'call') this.calls.get(msg.body?.callId)?.end(msg.body.result);
    });
  }

  /** Calls `peer` (a uid): resolves with the ringing {@link Call} once the server took the invite. */
  async place(peer, media = 'video') {
    const uids = [this.client.uid, peer].sort();
    const call = new Call(this, { conv: `p:${uids[0]}:${uids[1]}`, callId: newCallId(), peer, media, outgoing: true });
    this.calls.set(call.callId, call);
    try {
      await call.openMedia();
      await this.signal(call, 'invite', { media });
    } catch (e) {
      call.end('failed', e.code ?? e.message);
      throw e;
    }
    return call;
  }

  /** The ICE servers of `GET /api/v1/calls/config`, asked once. */
  async rtcConfig() {
    this.iceServers ??= (await this.client.http.callConfig()).iceServers;
    return { iceServers: this.iceServers };
  }

  signal(call, action, fields = {}) {
    return this.client.callSignal(call.conv, call.callId, action, fields);
  }

  #onFrame(frame) {
    if (frame.action === 'invite') {
      if (this.calls.has(frame.callId)) return;
      const call = new Call(this, { conv: frame.conv, callId: frame.callId, peer: frame.from, media: frame.media, outgoing: false });
      this.calls.set(call.callId, call);
      this.signal(call, 'ringing').catch(() => {});
      this.emit('incoming', call);
      return;
    }
    this.calls.get(frame.callId)?.onSignal(frame);
  }
}

/**
 * One call. States (event `state`): `calling` (outgoing, invited) → `ringing` (the callee's device rings) →
 * `connecting` (accepted, negotiating) → `connected` → `ended`; an incoming call starts `incoming`.
 * Events: `state`, `local` and `remote` (MediaStream), `ended` ({result}).
 */
export class Call extends Emitter {
  constructor(manager, { conv, callId, peer, media, outgoing }) {
    super();
    this.manager = manager;
    this.conv = conv;
    this.callId = callId;
    this.peer = peer;
    this.media = media;
    this.outgoing = outgoing;
    this.state = outgoing ? 'calling' : 'incoming';
    this.pc = null;
    this.localStream = null;
    this.remoteStream = null;
    /** Candidates that arrived before the remote description. */
    this.pendingCandidates = [];
  }

  /** Answers an incoming call from this device. */
  async accept() {
    await this.openMedia();
    await this.#peer();
    this.#setState('connecting');
    await this.manager.signal(this, 'accept');
  }

  /** Declines an incoming call (every device of this user stops ringing). */
  reject() {
    this.manager.signal(this, 'reject').catch(() => {});
    this.end('rejected');
  }

  /** Ends the call: a cancel while it rings, a hangup once accepted. */
  hangup() {
    if (this.state === 'ended') return;
    this.manager.signal(this, 'hangup').catch(() => {});
    this.end(this.state === 'connected' || this.state === 'connecting' ? 'completed' : 'cancelled');
  }

  async openMedia() {
    if (this.localStream) return;
    this.localStream = await this.manager.mediaDevices.getUserMedia({ audio: true, video: this.media === 'video' });
    this.emit('local', this.localStream);
  }

  async onSignal(frame) {
    try {
      switch (frame.action) {
        case 'ringing': if (this.state === 'calling') this.#setState('ringing'); break;
        case 'accept': await this.#offer(); break;
        case 'sdp': await this.#description(frame.sdp); break;
        case 'ice': await this.#candidate(frame.candidate); break;
        default: if (END_ACTIONS[frame.action]) this.end(END_ACTIONS[frame.action]);
      }
    } catch (e) {
      this.emit('error', e);
    }
  }

  /** Ends here, once: the media stops and the peer connection closes. */
  end(result, reason) {
    if (this.state === 'ended') return;
    this.#setState('ended');
    this.pc?.close();
    this.localStream?.getTracks().forEach((track) => track.stop());
    this.manager.calls.delete(this.callId);
    this.emit('ended', { result, reason });
  }

  async #peer() {
    if (this.pc) return this.pc;
    const pc = new this.manager.RTCPeerConnection(await this.manager.rtcConfig());
    this.pc = pc;
    this.localStream.getTracks().forEach((track) => pc.addTrack(track, this.localStream));
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.manager.signal(this, 'ice', { candidate: candidate.toJSON() }).catch(() => {});
    };
    pc.ontrack = ({ streams, track }) => {
      this.remoteStream = streams[0] ?? new MediaStream([track]);
      this.emit('remote', this.remoteStream);
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') this.#setState('connected');
    };
    return pc;
  }

  async #offer() {
    this.#setState('connecting');
    const pc = await this.#peer();
    await pc.setLocalDescription(await pc.createOffer());
    await this.manager.signal(this, 'sdp', { sdp: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
  }

  async #description(description) {
    const pc = await this.#peer();
    await pc.setRemoteDescription(description);
    for (const candidate of this.pendingCandidates.splice(0)) await pc.addIceCandidate(candidate);
    if (description.type === 'offer') {
      await pc.setLocalDescription(await pc.createAnswer());
      await this.manager.signal(this, 'sdp', { sdp: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
    }
  }

  async #candidate(candidate) {
    if (this.pc?.remoteDescription) await this.pc.addIceCandidate(candidate);
    else this.pendingCandidates.push(candidate);
  }

  #setState(state) {
    if (this.state === state || this.state === 'ended') return;
    this.state = state;
    this.emit('state', { state });
  }
}
