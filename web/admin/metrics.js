/**
 * Reads the Prometheus text of /metrics (docs/protocol.md §4, Health and metrics) into numbers the console shows:
 * counters, gauges by label, and ack-latency percentiles estimated from histogram bucket deltas.
 */

/** @returns {Map<string, number>} "name{labels}" → value */
export function parse(text) {
  const values = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

/** The cumulative histogram buckets of `name` as [upper bound, count], ascending. */
export function buckets(values, name) {
  const out = [];
  for (const [key, value] of values) {
    const match = key.match(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\}$`));
    if (match) out.push([match[1] === '+Inf' ? Infinity : Number(match[1]), value]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * The q-quantile (0..1) of the observations between two scrapes, from cumulative bucket counts: the upper bound of
 * the first bucket holding it. Returns null when nothing was observed in between.
 */
export function quantile(before, after, q) {
  const earlier = new Map(before);
  const deltas = after.map(([le, count]) => [le, count - (earlier.get(le) ?? 0)]);
  const total = deltas.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (const [le, count] of deltas) if (count >= rank) return le;
  return null;
}
