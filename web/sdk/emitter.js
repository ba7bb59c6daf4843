/**
 * A minimal event emitter that works the same in browsers and Node (no EventTarget subclassing quirks).
 * Listeners run synchronously in registration order; one listener that throws does not stop the others.
 */
export class Emitter {
  #listeners = new Map();

  /**
   * @param {string} event
   * @param {(data: any) => void} listener
   * @returns {() => void} a function that removes the listener
   */
  on(event, listener) {
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event).add(listener);
    return () => this.#listeners.get(event)?.delete(listener);
  }

  /** @param {string} event @param {any} [data] */
  emit(event, data) {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        listener(data);
      } catch (e) {
        console.error(`listener of ${event} failed`, e);
      }
    }
  }
}
