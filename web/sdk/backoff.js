/**
 * Reconnect delays: exponential with "full jitter" (a uniformly random delay between 0 and the capped
 * exponential), so that the clients of a restarted node do not all come back in the same instant.
 *
 * @param {number} attempt 0 for the first retry
 * @param {{minMs?: number, maxMs?: number, random?: () => number}} [options]
 * @returns {number} milliseconds to wait
 */
export function backoffDelay(attempt, { minMs = 250, maxMs = 15000, random = Math.random } = {}) {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(minMs / 2 + random() * (ceiling - minMs / 2));
}
