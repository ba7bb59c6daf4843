/**
 * Per-conversation seq order with gap fill (docs/protocol.md §3, Semantics, "Order"): messages are handed on
 * strictly in ascending seq, each once. A message above the next expected seq is held; if the gap does not close
 * by itself within `gapWaitMs`, the missing range is fetched (`fetchAfter`, i.e. history `after=`). Seqs may be
 * missing for good (the server allows gaps), so once a fetch has answered, everything up to the highest seq seen is
 * settled and the cursor moves past it.
 */
export class SeqOrderer {
  /**
   * @param {{
   *   deliver: (msg: any) => void,
   *   fetchAfter: (conv: string, after: number) => Promise<{messages: any[], hasMore: boolean}>,
   *   gapWaitMs?: number,
   *   onError?: (e: Error) => void,
   * }} options
   */
  constructor({ deliver, fetchAfter, gapWaitMs = 300, onError = () => {} }) {
    this.deliver = deliver;
    this.fetchAfter = fetchAfter;
    this.gapWaitMs = gapWaitMs;
    this.onError = onError;
    /** @type {Map<string, {last: number, held: Map<number, any>, timer: any, filling: boolean}>} */
    this.convs = new Map();
  }

  /** The highest seq handed on in `conv` (0 when none). */
  cursor(conv) {
    return this.convs.get(conv)?.last ?? 0;
  }

  /** Every conversation with its cursor, for `sync`. */
  cursors() {
    return [...this.convs.entries()].map(([conv, state]) => ({ conv, seq: state.last }));
  }

  /** Moves the cursor forward without delivering (e.g. a first sync that starts at the newest messages). */
  skipTo(conv, seq) {
    const state = this.#state(conv);
    if (seq > state.last) {
      state.last = seq;
      for (const held of [...state.held.keys()]) if (held <= seq) state.held.delete(held);
    }
  }

  /** @returns {boolean} whether the message was new (false: a duplicate, already handed on or held) */
  accept(msg) {
    const state = this.#state(msg.conv);
    if (msg.seq <= state.last || state.held.has(msg.seq)) return false;
    state.held.set(msg.seq, msg);
    this.#drain(msg.conv, state);
    if (state.held.size > 0 && !state.timer && !state.filling) {
      state.timer = setTimeout(() => this.#fill(msg.conv, state), this.gapWaitMs);
    }
    return true;
  }

  /** Drops pending timers (the client is closing). */
  stop() {
    for (const state of this.convs.values()) clearTimeout(state.timer);
  }

  #state(conv) {
    let state = this.convs.get(conv);
    if (!state) {
      state = { last: 0, held: new Map(), timer: null, filling: false };
      this.convs.set(conv, state);
    }
    return state;
  }

  #drain(conv, state) {
    while (state.held.has(state.last + 1)) {
      const next = state.held.get(state.last + 1);
      state.held.delete(state.last + 1);
      state.last += 1;
      this.deliver(next);
    }
    if (state.held.size === 0) {
      clearTimeout(state.timer);
      state.timer = null;
    }
  }

  async #fill(conv, state) {
    state.timer = null;
    if (state.held.size === 0) return;
    state.filling = true;
    try {
      let hasMore = true;
      while (hasMore && state.held.size > 0) {
        const highest = Math.max(...state.held.keys());
        const page = await this.fetchAfter(conv, state.last);
        for (const msg of page.messages) {
          if (msg.seq > state.last && !state.held.has(msg.seq)) state.held.set(msg.seq, { conv, ...msg });
        }
        hasMore = page.hasMore;
        const lastFetched = page.messages.length ? page.messages.at(-1).seq : state.last;
        const settled = hasMore ? lastFetched : Math.max(highest, lastFetched);
        // Everything up to `settled` that neither the frames nor history have is a gap that will never fill.
        for (const seq of [...state.held.keys()].sort((a, b) => a - b)) {
          if (seq > settled) break;
          const msg = state.held.get(seq);
          state.held.delete(seq);
          state.last = seq;
          this.deliver(msg);
        }
        this.#drain(conv, state);
      }
    } catch (e) {
      this.onError(e);
      if (state.held.size > 0) state.timer = setTimeout(() => this.#fill(conv, state), this.gapWaitMs * 4);
    } finally {
      state.filling = false;
    }
  }
}
