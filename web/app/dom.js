/**
 * A few DOM helpers so the views stay declarative without a framework. `h` builds elements; text is always set
 * as text (never parsed as HTML), so message bodies cannot inject markup.
 */

/**
 * @param {string} tag e.g. "li.message.own"
 * @param {Record<string, any>} [attrs] attributes; `on*` functions become listeners, `class` may be an array
 * @param {...any} children strings, nodes, arrays, null/false (skipped)
 */
export function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(' ');
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.classList.add(...[value].flat().filter(Boolean));
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

export const $ = (id) => document.getElementById(id);

/** Two-letter initials for an avatar. */
export function initials(name = '?') {
  const parts = name.trim().split(/[\s._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
}

/** A stable hue per id, so each person keeps their avatar colour. */
export function hue(id = '') {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.codePointAt(0)) % 360;
  return hash;
}

export function avatar(el, name, id) {
  el.textContent = initials(name);
  el.style.setProperty('--hue', hue(id));
}

/** "14:03" today, "Mon" this week, else "12 Mar". */
export function shortTime(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (now - d < 6 * 864e5) return d.toLocaleDateString([], { weekday: 'short' });
  return d.toLocaleDateString([], { day: 'numeric', month: 'short' });
}

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

let toastTimer;
/** A short notice at the bottom of the screen. */
export function toast(text) {
  const el = $('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 3500);
}
