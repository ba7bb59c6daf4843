import { ImClient, ImHttp } from '/web/sdk/index.js';
import { CallPanel } from './calls.js';
import { ChatView } from './chat.js';
import { $, avatar } from './dom.js';
import { ConversationList } from './conversations.js';
import { PeoplePanel } from './people.js';
import { RoomsPanel } from './rooms.js';
import { Store } from './store.js';
import { TodosPanel } from './todos.js';

/**
 * The web client: signs in (token kept in localStorage, so a second tab is signed in too) and gives each tab a
 * device id of its own (sessionStorage), so two tabs of one user are two devices of the protocol.
 */
const TOKEN_KEY = 'im.session';
const STATE_TEXT = { offline: 'Offline', connecting: 'Connecting…', reconnecting: 'Reconnecting…', syncing: 'Syncing…', synced: 'Connected' };

function deviceId() {
  let id = sessionStorage.getItem('im.device');
  if (!id) {
    id = `web-${crypto.randomUUID().slice(0, 8)}`;
    sessionStorage.setItem('im.device', id);
  }
  return id;
}

async function start() {
  const saved = JSON.parse(localStorage.getItem(TOKEN_KEY) ?? 'null');
  if (saved && saved.expiresAt > Date.now() + 60000) {
    try {
      await enter(saved);
      return;
    } catch {
      localStorage.removeItem(TOKEN_KEY);
    }
  }
  showAuth();
}

function showAuth() {
  $('shell').hidden = true;
  $('auth').hidden = false;
  $('auth-username').focus();
  const form = $('auth-form');
  const submit = async (register) => {
    const username = $('auth-username').value.trim();
    const password = $('auth-password').value;
    $('auth-error').textContent = '';
    if (!/^[A-Za-z0-9_.-]{3,32}$/.test(username)) return fail('Usernames are 3–32 letters, digits, “_”, “.” or “-”.');
    if (password.length < 8) return fail('Passwords have at least 8 characters.');
    const http = new ImHttp('');
    try {
      if (register) await http.register(username, password);
      const session = await http.login(username, password);
      localStorage.setItem(TOKEN_KEY, JSON.stringify(session));
      $('auth').hidden = true;
      await enter(session);
    } catch (e) {
      fail(e.code === 'conflict' ? 'That username is taken.' : e.code === 'unauthorized' ? 'Wrong username or password.' : e.message);
    }
  };
  const fail = (text) => { $('auth-error').textContent = text; };
  form.onsubmit = (e) => { e.preventDefault(); submit(false); };
  $('register-button').onclick = () => submit(true);
}

async function enter(session) {
  const client = new ImClient({ baseUrl: '', token: session.token, uid: session.uid, device: deviceId() });
  const me = await client.http.me();
  const store = new Store(client, me);
  // The browser knows before the socket does: drop at once when the network goes, retry at once when it is back.
  window.addEventListener('offline', () => client.dropConnection());
  window.addEventListener('online', () => client.reconnectNow());

  $('auth').hidden = true;
  $('shell').hidden = false;
  $('me-name').textContent = me.displayName;
  avatar($('me-avatar'), me.displayName, me.uid);
  client.on('state', ({ state }) => {
    $('connection').dataset.state = state;
    $('connection').textContent = STATE_TEXT[state];
    $('chat-banner').hidden = state === 'synced';
    $('chat-banner').textContent = state === 'syncing' ? 'Catching up…' : 'Offline: reconnecting. Messages you send go out once the connection is back.';
  });
  client.on('kicked', ({ reason }) => {
    if (reason === 'replaced') {
      // A duplicated tab inherits this tab's sessionStorage, so both claimed one device id: take a new one.
      sessionStorage.removeItem('im.device');
      client.device = deviceId();
      setTimeout(() => client.resume(), 100);
      return;
    }
    $('connection').dataset.state = 'offline';
    $('connection').textContent = 'Disconnected';
  });
  $('presence-select').onchange = (e) => client.setPresence(e.target.value).catch(() => {});
  $('logout').onclick = () => {
    client.close();
    localStorage.removeItem(TOKEN_KEY);
    location.reload();
  };

  const chat = new ChatView(store);
  new CallPanel(store);
  new ConversationList(store, (conv) => chat.open(conv));
  new PeoplePanel(store, (conv) => { selectTab('chats'); chat.open(conv); });
  new RoomsPanel(store, (conv) => chat.open(conv));
  new TodosPanel(store, (conv) => chat.open(conv));
  setupTabs();
  await Promise.all([store.refreshConversations(), store.refreshPeople(), store.refreshTodos()]);
  client.connect().catch(() => {
    localStorage.removeItem(TOKEN_KEY);
    location.reload();
  });
}

function selectTab(name) {
  for (const tab of document.querySelectorAll('[role=tab]')) {
    const selected = tab.id === `tab-${name}`;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(tab.getAttribute('aria-controls')).hidden = !selected;
  }
}

function setupTabs() {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  tabs.forEach((tab, i) => {
    tab.onclick = () => selectTab(tab.id.slice(4));
    tab.onkeydown = (e) => {
      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      selectTab(next.id.slice(4));
      next.focus();
    };
  });
  selectTab('chats');
}

start();
