import { ImHttp } from '/web/sdk/index.js';
import { buckets, parse, quantile } from './metrics.js';

/**
 * The operator console at /admin: asks for the admin token (kept in this tab's sessionStorage only), then every
 * 2 s shows this node's message rates, ack latency and connections from /metrics, and every member's connections
 * and verticle instances from /admin/nodes, with controls to scale http, tcp and message verticles and to kick a user.
 */
const $ = (id) => document.getElementById(id);
const SCALABLE = ['http', 'tcp', 'message'];
const REFRESH_MS = 2000;
const http = new ImHttp('');
let previous = null;
let timer = null;
const history = { sent: [], delivered: [] };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined).map((c) => (c instanceof Node ? c : String(c))));
  return node;
}

function toast(text) {
  $('toast').textContent = text;
  $('toast').hidden = false;
  setTimeout(() => { $('toast').hidden = true; }, 3000);
}

async function signIn(token) {
  http.token = token;
  await http.adminNodes();
  sessionStorage.setItem('im.admin', token);
  $('signin').hidden = true;
  $('console').hidden = false;
  refresh();
}

function showSignIn(message) {
  clearTimeout(timer);
  $('console').hidden = true;
  $('signin').hidden = false;
  $('token-error').textContent = message ?? '';
  $('admin-token').focus();
}

async function refresh() {
  clearTimeout(timer);
  try {
    const [nodes, text] = await Promise.all([http.adminNodes(), http.metrics()]);
    renderNodes(nodes.nodes);
    renderMetrics(parse(text));
    $('refreshed').textContent = `Updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    if (e.code === 'unauthorized') return showSignIn('That token was refused.');
    if (e.code === 'not_found') return showSignIn('The admin API is off on this node (IM_ADMIN_TOKEN is empty).');
    $('refreshed').textContent = `Refresh failed: ${e.message}`;
  }
  timer = setTimeout(refresh, REFRESH_MS);
}

function renderMetrics(values) {
  const now = Date.now();
  const sent = values.get('im_messages_sent_total') ?? 0;
  const delivered = values.get('im_messages_delivered_total') ?? 0;
  const latency = buckets(values, 'im_ack_latency_seconds');
  const ws = values.get('im_connections{transport="ws"}') ?? 0;
  const tcp = values.get('im_connections{transport="tcp"}') ?? 0;
  $('connections').textContent = `${ws} / ${tcp}`;
  $('totals').textContent = `${sent} acked, ${delivered} delivered since start`;
  if (previous) {
    const seconds = (now - previous.at) / 1000;
    const sentRate = Math.max(0, (sent - previous.sent) / seconds);
    const deliveredRate = Math.max(0, (delivered - previous.delivered) / seconds);
    $('rate-sent').textContent = sentRate.toFixed(1);
    $('rate-delivered').textContent = deliveredRate.toFixed(1);
    spark('spark-sent', history.sent, sentRate);
    spark('spark-delivered', history.delivered, deliveredRate);
    const p50 = quantile(previous.latency, latency, 0.5);
    const p99 = quantile(previous.latency, latency, 0.99);
    $('latency').textContent = p50 === null ? 'idle' : `${ms(p50)} / ${ms(p99)}`;
  }
  previous = { at: now, sent, delivered, latency };
}

function ms(seconds) {
  return seconds === Infinity ? '>max' : `≤${Math.round(seconds * 1000)} ms`;
}

function spark(id, series, value) {
  series.push(value);
  if (series.length > 30) series.shift();
  const max = Math.max(1, ...series);
  const points = series.map((v, i) => `${(i / 29) * 120},${30 - (v / max) * 28}`).join(' ');
  $(id).replaceChildren(document.createElementNS('http://www.w3.org/2000/svg', 'polyline'));
  $(id).firstChild.setAttribute('points', points);
}

function renderNodes(nodes) {
  const focused = document.activeElement?.id;
  const rows = nodes.map((n) => {
    if (n.error) return el('tr', {}, el('td', {}, n.node), el('td', { colspan: '4', class: 'node-error' }, `Not answering: ${n.error}`));
    const verticles = Object.entries(n.verticles).map(([name, count]) => el('span', { class: 'pill' }, `${name} `, el('strong', {}, count)));
    const controls = SCALABLE.map((name) => {
      const id = `scale-${n.node}-${name}`;
      return el('span', { class: 'scale' },
        el('label', { for: id }, name),
        el('input', { id, type: 'number', min: '1', max: '64', value: String(n.verticles[name] ?? 1) }),
        el('button', { type: 'button', 'aria-label': `Scale ${name} on ${n.node}`, onclick: () => scale(n.node, name, Number($(id).value)) }, 'Apply'));
    });
    return el('tr', {}, el('td', {}, el('strong', {}, n.node)), el('td', {}, n.connections.ws), el('td', {}, n.connections.tcp),
      el('td', {}, verticles), el('td', {}, el('div', { class: 'scale' }, controls)));
  });
  // Keep what the operator is typing: do not re-render while a scale input has focus.
  if (focused?.startsWith('scale-')) return;
  $('node-rows').replaceChildren(...rows);
}

async function scale(node, name, instances) {
  try {
    const result = await http.adminScale(name, instances, node);
    toast(`${result.verticle} on ${result.node}: ${result.instances} instances`);
    refresh();
  } catch (e) {
    toast(`Scaling failed: ${e.message}`);
  }
}

$('token-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    await signIn($('admin-token').value);
  } catch (err) {
    showSignIn(err.code === 'unauthorized' ? 'That token was refused.' : err.code === 'not_found' ? 'The admin API is off on this node (IM_ADMIN_TOKEN is empty).' : err.message);
  }
});
$('signout').addEventListener('click', () => { sessionStorage.removeItem('im.admin'); http.token = undefined; showSignIn(); });
$('kick-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const uid = $('kick-uid').value.trim();
  try {
    await http.adminKick(uid);
    toast(`Kicked every device of ${uid}`);
    $('kick-uid').value = '';
  } catch (err) {
    toast(`Kick failed: ${err.message}`);
  }
});

const saved = sessionStorage.getItem('im.admin');
if (saved) signIn(saved).catch(() => showSignIn());
else showSignIn();
