import { $, avatar, h, toast } from './dom.js';
import { groupDialog, openDialog, peerDialog } from './dialogs.js';
import { messageItem, preview } from './messages.js';

/**
 * The chat view of one conversation: history paged upward (button or scrolling to the top), live messages,
 * delivery state and read receipts of one's own messages, typing, recall, replies (a quoted message above the
 * reply), comment threads (in a dialog; comments stay out of the main timeline), marking a message as one's to-do,
 * and the composer (text; images and files are uploaded first, then sent as `image` / `file` messages).
 */
export class ChatView {
  constructor(store) {
    this.store = store;
    this.conv = null;
    store.on('messages', (conv) => { if (conv === this.conv) this.renderMessages(); });
    store.on('typing', (conv) => { if (conv === this.conv) this.renderTyping(); });
    store.on('comments', ({ conv, root }) => {
      if (conv === this.conv && this.openRoot === root && $('dialog').open) this.renderComments();
    });
    $('reply-cancel').onclick = () => this.setReply(null);
    store.on('convs', () => { if (this.conv) this.renderHeader(); });
    store.on('presence', () => { if (this.conv) this.renderHeader(); });
    document.addEventListener('visibilitychange', () => { if (this.conv) store.markRead(this.conv); });
    this.#wireComposer();
    $('load-older').onclick = () => this.loadOlder();
    $('messages').addEventListener('scroll', () => {
      if ($('messages').scrollTop < 40 && !$('load-older').hidden && !this.loading) this.loadOlder();
    });
    $('chat-back').onclick = () => this.close();
    $('chat-details').onclick = () => this.details();
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && this.conv && !$('dialog').open) this.close(); });
  }

  async open(conv) {
    this.setReply(null);
    this.conv = conv;
    this.store.openConv = conv;
    this.store.emit('convs');
    $('chat-empty').hidden = true;
    $('chat-view').hidden = false;
    $('shell').classList.add('chat-open');
    this.renderHeader();
    this.renderTyping();
    this.stickToBottom = true;
    this.renderMessages();
    if (!this.store.thread(conv).loaded) await this.store.loadOlder(conv).catch((e) => toast(e.message));
    this.store.markRead(conv);
    $('composer-text').focus();
  }

  close() {
    this.conv = null;
    this.store.openConv = null;
    $('shell').classList.remove('chat-open');
    $('chat-view').hidden = true;
    $('chat-empty').hidden = false;
    this.store.emit('convs');
    document.querySelector('.conversation')?.focus();
  }

  renderHeader() {
    const store = this.store;
    const entry = store.convs.get(this.conv);
    const room = store.rooms.get(this.conv);
    let name;
    let subtitle;
    if (this.conv.startsWith('r:')) {
      name = room?.name ?? 'Room';
      subtitle = 'Chat room · share its id to invite: ' + this.conv;
    } else if (entry?.type === 'group') {
      name = entry.name;
      subtitle = 'Group';
    } else {
      const peer = entry?.peer ?? this.conv.split(':').slice(1).find((uid) => uid !== store.me.uid);
      name = store.users.get(peer)?.displayName ?? entry?.name ?? '…';
      const status = store.presence.get(peer) ?? 'offline';
      subtitle = status === 'offline' ? 'Offline' : status[0].toUpperCase() + status.slice(1);
    }
    $('chat-name').textContent = name;
    $('chat-subtitle').textContent = subtitle;
    avatar($('chat-avatar'), name, entry?.peer ?? this.conv);
    $('chat-details').hidden = this.conv.startsWith('r:');
  }

  renderMessages() {
    const box = $('messages');
    const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    const store = this.store;
    const thread = store.thread(this.conv);
    const group = this.conv.startsWith('g:') || this.conv.startsWith('r:');
    const items = store.messages(this.conv).filter((msg) => !msg.thread).map((msg) => messageItem(msg, {
      store, conv: this.conv, groupLabel: group,
      onRecall: (m) => this.recall(m),
      onRetry: (m) => store.retry(this.conv, m.cmid),
      onReply: (m) => this.setReply(m),
      onComments: (m) => this.openComments(m),
      onTodo: (m) => this.markTodo(m),
    }));
    const before = box.scrollHeight - box.scrollTop;
    $('message-list').replaceChildren(...items);
    $('load-older').hidden = !thread.loaded || !thread.hasMoreBefore;
    if (this.stickToBottom || nearBottom) {
      box.scrollTop = box.scrollHeight;
      this.stickToBottom = false;
    } else if (this.keepOffset) {
      box.scrollTop = box.scrollHeight - before;
    }
  }

  recall(msg) {
    this.store.client.recall(this.conv, msg.seq).catch((e) => toast(e.code === 'recall_expired' ? 'Too late to recall' : e.message));
  }

  /** The message the next send quotes (null: none), shown above the composer. */
  setReply(msg) {
    this.replyTo = msg;
    $('reply-banner').hidden = !msg;
    $('reply-text').textContent = msg ? `Replying to ${this.store.displayName(msg.from)}: ${preview(msg, this.store)}` : '';
    if (msg) $('composer-text').focus();
  }

  async markTodo(msg) {
    try {
      await this.store.http.setTodo(this.conv, msg.seq);
      await this.store.refreshTodos();
      toast('Added to your to-dos');
    } catch (e) {
      toast(e.code === 'forbidden' ? 'Someone else already made this a to-do' : e.message);
    }
  }

  /** The comments under `root` in the page's dialog, with a field to add one. */
  openComments(root) {
    const conv = this.conv;
    this.openRoot = root.seq;
    openDialog({
      title: 'Comments',
      body: [
        h('p.thread-root', {}, `${this.store.displayName(root.from)}: ${preview(root, this.store)}`),
        h('ol.message-list.comment-list', { id: 'comment-list', 'aria-label': 'Comments' }),
        h('label', { for: 'comment-text' }, 'Comment'),
        h('textarea', { id: 'comment-text', rows: 2, maxlength: 4000, autocomplete: 'off' }),
      ],
      actions: [{
        label: 'Post comment', primary: true, submit: true,
        run: () => {
          const text = $('comment-text').value;
          if (!text.trim()) return true;
          this.store.send(conv, 'text', { text }, { thread: root.seq });
          $('comment-text').value = '';
          return true;
        },
      }],
    });
    this.renderComments();
    this.store.loadComments(conv, root.seq).catch((e) => toast(e.message));
  }

  renderComments() {
    const store = this.store;
    $('comment-list').replaceChildren(...store.comments(this.conv, this.openRoot).map((msg) => messageItem(msg, {
      store, conv: this.conv, groupLabel: true,
      onRecall: (m) => this.recall(m),
      onRetry: (m) => store.retry(this.conv, m.cmid),
    })));
  }

  renderTyping() {
    const names = this.store.typists(this.conv);
    $('typing').textContent = names.length === 0 ? '' : `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing…`;
  }

  async loadOlder() {
    this.loading = true;
    this.keepOffset = true;
    try {
      await this.store.loadOlder(this.conv);
    } catch (e) {
      toast(e.message);
    } finally {
      this.keepOffset = false;
      this.loading = false;
    }
  }

  details() {
    const entry = this.store.convs.get(this.conv);
    if (entry?.type === 'group') groupDialog(this.store, entry);
    else if (entry?.peer) peerDialog(this.store, entry.peer);
  }

  #wireComposer() {
    const text = $('composer-text');
    const send = () => {
      const value = text.value;
      if (!value.trim() || !this.conv) return;
      this.store.send(this.conv, 'text', { text: value }, this.replyTo ? { replyTo: this.replyTo.seq } : {});
      this.setReply(null);
      text.value = '';
      this.stickToBottom = true;
      this.renderMessages();
    };
    $('composer').onsubmit = (e) => { e.preventDefault(); send(); text.focus(); };
    text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
    });
    text.addEventListener('input', () => { if (this.conv && text.value) this.store.client.typing(this.conv); });
    $('attach').addEventListener('change', async (e) => {
      const file = e.target.files[0];
      e.target.value = '';
      if (file && this.conv) await this.upload(file);
    });
  }

  async upload(file) {
    const conv = this.conv;
    try {
      toast(`Uploading ${file.name}…`);
      const media = await this.store.http.upload(file, file.type || 'application/octet-stream');
      if (media.mime.startsWith('image/')) {
        const size = await imageSize(file);
        this.store.send(conv, 'image', { url: media.url, mime: media.mime, size: media.size, ...size });
      } else {
        this.store.send(conv, 'file', { url: media.url, mime: media.mime, size: media.size, name: file.name });
      }
      this.stickToBottom = true;
      $('toast').hidden = true;
    } catch (e) {
      toast(e.code === 'too_large' ? 'That file is too large.' : `Upload failed: ${e.message}`);
    }
  }
}

async function imageSize(file) {
  try {
    const bitmap = await createImageBitmap(file);
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return size;
  } catch {
    return {};
  }
}
