import { $, h, toast } from './dom.js';

/**
 * A modal dialog on the page's one <dialog> (focus is trapped and Escape closes it, natively).
 * Each action may return a promise; an error it throws is shown in the dialog, which then stays open.
 */
export function openDialog({ title, body, actions }) {
  const dialog = $('dialog');
  $('dialog-title').textContent = title;
  $('dialog-body').replaceChildren(...[body].flat(Infinity).filter(Boolean));
  $('dialog-error').textContent = '';
  const buttons = [...actions, { label: 'Close' }].map((action) => h('button', {
    type: action.submit ? 'submit' : 'button',
    class: action.primary ? 'primary' : null,
    onclick: async (e) => {
      e.preventDefault();
      if (!action.run) return dialog.close();
      try {
        const keepOpen = await action.run();
        if (!keepOpen) dialog.close();
      } catch (err) {
        $('dialog-error').textContent = err.message;
      }
    },
  }, action.label));
  $('dialog-actions').replaceChildren(...buttons);
  $('dialog-form').onsubmit = (e) => { e.preventDefault(); (actions.find((a) => a.submit) ?? {}).run?.(); };
  dialog.showModal();
  dialog.querySelector('input, select, textarea, button')?.focus();
}

function field(id, label, attrs = {}) {
  return [h('label', { for: id }, label), h('input', { id, ...attrs })];
}

/** Finds a user by username, with a readable error. */
async function lookup(store, username) {
  try {
    return await store.http.userByName(username.trim());
  } catch (e) {
    throw new Error(e.code === 'not_found' ? `No user named “${username.trim()}”.` : e.message);
  }
}

export function newGroupDialog(store, onCreated) {
  const picks = store.friends.map((f) => h('label.check', {},
    h('input', { type: 'checkbox', value: f.uid, name: 'member' }), f.displayName));
  openDialog({
    title: 'New group',
    body: [
      ...field('group-name', 'Group name', { required: true, maxlength: 100, autocomplete: 'off' }),
      h('fieldset.picks', {}, h('legend', {}, 'Members'), picks.length ? picks : h('p.muted', {}, 'Add friends first, or add members by username later.')),
    ],
    actions: [{
      label: 'Create group', primary: true, submit: true,
      run: async () => {
        const name = $('group-name').value.trim();
        if (!name) throw new Error('Give the group a name.');
        const members = [...document.querySelectorAll('input[name=member]:checked')].map((i) => i.value);
        const { conv } = await store.http.createGroup(name, members);
        $('dialog').close();
        await store.refreshConversations();
        onCreated(conv);
        return false;
      },
    }],
  });
}

export async function groupDialog(store, entry) {
  const group = await store.http.group(entry.groupId);
  group.members.forEach((m) => store.name(m.uid));
  const myRole = group.members.find((m) => m.uid === store.me.uid)?.role;
  const manager = myRole === 'owner' || myRole === 'admin';
  const members = h('ul.members', { 'aria-label': 'Members' }, group.members.map((m) => h('li', {},
    h('span', {}, m.uid === store.me.uid ? `${store.displayName(m.uid)} (you)` : store.displayName(m.uid)),
    h('span.role', {}, m.role))));
  openDialog({
    title: group.name,
    body: [
      manager ? field('group-rename', 'Group name', { value: group.name, maxlength: 100 }) : null,
      manager ? field('group-add', 'Add a member (username)', { autocomplete: 'off' }) : null,
      h('h3', {}, `${group.members.length} members`),
      members,
    ],
    actions: [
      manager && {
        label: 'Save', primary: true, submit: true,
        run: async () => {
          const name = $('group-rename').value.trim();
          if (name && name !== group.name) await store.http.renameGroup(group.groupId, name);
          const username = $('group-add').value.trim();
          if (username) {
            const user = await lookup(store, username);
            await store.http.addMembers(group.groupId, [user.uid]);
          }
          await store.refreshConversations();
          toast('Group updated');
          return false;
        },
      },
      {
        label: 'Leave group',
        run: async () => {
          await store.http.removeMember(group.groupId, store.me.uid);
          await store.refreshConversations();
          return false;
        },
      },
    ].filter(Boolean),
  });
}

export function peerDialog(store, uid) {
  const blocked = store.blocks.includes(uid);
  const friend = store.friends.some((f) => f.uid === uid);
  openDialog({
    title: store.displayName(uid),
    body: h('p.muted', {}, `@${store.users.get(uid)?.username ?? uid}`),
    actions: [
      friend && { label: 'Remove friend', run: async () => { await store.http.removeFriend(uid); await store.refreshPeople(); } },
      { label: blocked ? 'Unblock' : 'Block', run: async () => {
        await (blocked ? store.http.unblock(uid) : store.http.block(uid));
        await store.refreshPeople();
        toast(blocked ? 'Unblocked' : 'Blocked: neither of you can message the other');
      } },
    ].filter(Boolean),
  });
}
