import { $, h, shortTime, toast } from './dom.js';
import { preview } from './messages.js';

/**
 * The to-dos assigned to this user (docs/protocol.md §4, To-dos), newest first: tick one off (or back on), open its
 * conversation. Refreshed when another member assigns one (`event todo_assigned`) or this tab marks one.
 */
export class TodosPanel {
  constructor(store, openConv) {
    this.store = store;
    this.openConv = openConv;
    store.on('todos', () => this.render());
    this.render();
  }

  render() {
    const todos = this.store.todos;
    const open = todos.filter((t) => !t.done).length;
    $('todos-badge').hidden = open === 0;
    $('todos-badge').textContent = String(open);
    $('panel-todos').replaceChildren(todos.length
      ? h('ul.people.todo-list', { 'aria-label': 'To-dos' }, todos.map((todo) => this.item(todo)))
      : h('p.empty', {}, 'No to-dos. Mark a message as a to-do with its “To-do” button.'));
  }

  item(todo) {
    const store = this.store;
    store.name(todo.assignedBy);
    const text = preview(todo.message, store);
    const by = todo.assignedBy === store.me.uid ? 'you' : store.displayName(todo.assignedBy);
    return h('li.person.todo', { class: todo.done ? 'is-done' : null, 'data-conv': todo.conv, 'data-seq': todo.seq },
      h('label.check', {},
        h('input', { type: 'checkbox', checked: todo.done, 'aria-label': `Done: ${text}`, onchange: (e) => this.toggle(todo, e.target.checked) }),
        h('span.person-text', {}, h('strong', {}, text),
          h('span.muted', {}, `from ${by} · ${shortTime(todo.assignedAt)}${todo.dueTs ? ` · due ${shortTime(todo.dueTs)}` : ''}`))),
      h('span.person-actions', {}, h('button', { type: 'button', onclick: () => this.openConv(todo.conv) }, 'Open')));
  }

  async toggle(todo, done) {
    try {
      await this.store.setTodoDone(todo, done);
    } catch (e) {
      toast(e.message);
      this.render();
    }
  }
}
