// Replies, comment threads and to-dos in a real browser: Alice quotes Bob's message, Bob opens its thread and
// comments, Alice sees the count and reads the comment, then makes the message her to-do and ticks it off.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, openChat, person, shot } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The main-timeline message whose own bubble (not a quote of it) holds `text`. */
const bubble = (page, text) => page.locator('#message-list > .message').filter({ has: page.locator('.bubble', { hasText: text }) });

test('a reply shows its quote, a thread takes a comment and counts it, a message becomes a to-do', async () => {
  const alice = await person(browser, 'ann');
  const bob = await person(browser, 'ben');
  await openChat(alice, bob);

  const bobText = bob.page.getByLabel('Message', { exact: true });
  await bobText.fill('Can you review the plan?');
  await bobText.press('Enter');
  await bubble(alice.page, 'Can you review the plan?').locator('button.reply').click();
  await alice.page.locator('#reply-banner', { hasText: 'Can you review the plan?' }).waitFor();
  const aliceText = alice.page.getByLabel('Message', { exact: true });
  await aliceText.fill('Yes, on it');
  await aliceText.press('Enter');
  await bubble(bob.page, 'Yes, on it').locator('.quote', { hasText: 'Can you review the plan?' }).waitFor();
  assert.ok(await alice.page.locator('#reply-banner').isHidden(), 'the reply banner closes once sent');

  await bubble(bob.page, 'Can you review the plan?').getByRole('button', { name: 'Comment' }).click();
  await bob.page.getByLabel('Comment', { exact: true }).fill('Section 2 needs work');
  await bob.page.getByRole('button', { name: 'Post comment' }).click();
  await bob.page.locator('#comment-list .message', { hasText: 'Section 2 needs work' }).locator('[data-state="sent"], [data-state="read"]').waitFor();
  await bob.page.getByRole('button', { name: 'Close' }).click();
  assert.equal(await bubble(bob.page, 'Section 2 needs work').count(), 0, 'comments stay out of the main timeline');

  const count = bubble(alice.page, 'Can you review the plan?').getByRole('button', { name: '1 comment' });
  await count.waitFor();
  await count.click();
  await alice.page.locator('#comment-list .message', { hasText: 'Section 2 needs work' }).waitFor();
  await shot(alice.page, '10-thread-dialog');
  await alice.page.getByRole('button', { name: 'Close' }).click();

  await bubble(alice.page, 'Can you review the plan?').getByRole('button', { name: 'To-do' }).click();
  await alice.page.locator('#todos-badge', { hasText: '1' }).waitFor();
  await alice.page.getByRole('tab', { name: /To-dos/ }).click();
  const item = alice.page.locator('.todo', { hasText: 'Can you review the plan?' });
  await item.waitFor();
  await shot(alice.page, '11-todos');
  await item.getByRole('checkbox').check();
  await alice.page.locator('.todo.is-done', { hasText: 'Can you review the plan?' }).waitFor();
  assert.ok(await alice.page.locator('#todos-badge').isHidden(), 'no open to-do is left');
  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await alice.context.close();
  await bob.context.close();
});
