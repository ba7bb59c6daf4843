// End to end in a real browser: two people register, befriend, chat both ways with typing, read receipts, an image
// and a recall; a third joins a group; a tab whose connection is cut reconnects and shows what it missed; a second
// tab of one user is a second device. Screenshots go to IM_SCREENSHOTS.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { launch, openChat, person, shot } from './harness.mjs';

/** A PNG of the given size, built here so the test carries no binary file. */
function png(width, height) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  // A vertical gradient from indigo to orange, so the screenshots show a picture rather than a block.
  const row = (y) => {
    const t = y / (height - 1);
    const rgb = [59 + t * 181, 79 + t * 61, 216 - t * 176].map(Math.round);
    return Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, Buffer.from(rgb))]);
  };
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, (_, y) => row(y))));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}
const PNG = png(240, 150);

let browser;
let alice;
let bob;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const bubble = (page, text) => page.locator('.message', { hasText: text });

test('two people befriend and chat both ways: typing, read receipts, image, recall', async () => {
  alice = await person(browser, 'alice');
  bob = await person(browser, 'bob', { width: 390, height: 844 });
  await shot(alice.page, '01-signed-in-empty');

  await openChat(alice, bob);

  const aliceText = alice.page.getByLabel('Message', { exact: true });
  await aliceText.fill('Hi Bob');
  await aliceText.press('Enter');
  await bubble(bob.page, 'Hi Bob').waitFor();
  await bubble(alice.page, 'Hi Bob').locator('[data-state="read"]').waitFor();

  // Typing shows once the conversation holds a message (protocol §3, Typing): Bob types his answer.
  const bobText = bob.page.getByLabel('Message', { exact: true });
  await bobText.pressSequentially('Hello Alice! Good to see you here.', { delay: 20 });
  await alice.page.getByText(`${bob.username} is typing…`).waitFor();
  await bob.page.getByRole('button', { name: 'Send' }).click();
  await bubble(alice.page, 'Hello Alice!').waitFor();
  await bubble(bob.page, 'Hello Alice!').locator('[data-state="read"]').waitFor();

  await alice.page.locator('#attach').setInputFiles({ name: 'chart.png', mimeType: 'image/png', buffer: PNG });
  await bob.page.waitForFunction(() => document.querySelector('.message img')?.naturalWidth === 240);

  await aliceText.fill('Oops, wrong chat');
  await aliceText.press('Enter');
  await bubble(bob.page, 'Oops, wrong chat').waitFor();
  await bubble(alice.page, 'Oops, wrong chat').getByRole('button', { name: 'Recall this message' }).click();
  await bob.page.locator('.message.is-recalled').waitFor();
  assert.equal(await bubble(bob.page, 'Oops').count(), 0);
  await aliceText.fill('See you at the standup');
  await aliceText.press('Enter');
  await bubble(alice.page, 'See you at the standup').locator('[data-state="read"]').waitFor();
  await shot(alice.page, '02-chat-desktop');
  await shot(bob.page, '03-chat-phone');
  assert.deepEqual([...alice.errors, ...bob.errors], []);
});

test('a third person joins a group and chats there', async () => {
  const carol = await person(browser, 'carol');
  await alice.page.getByRole('tab', { name: 'Chats' }).click();
  await alice.page.getByRole('button', { name: 'New group' }).click();
  await alice.page.getByLabel('Group name').fill('Launch team');
  await alice.page.getByLabel(bob.username).check();
  await alice.page.getByRole('button', { name: 'Create group' }).click();
  await alice.page.locator('#chat-name', { hasText: 'Launch team' }).waitFor();
  await alice.page.getByRole('button', { name: 'Details' }).click();
  await alice.page.getByLabel('Add a member (username)').fill(carol.username);
  await alice.page.getByRole('button', { name: 'Save' }).click();
  await alice.page.locator('.system', { hasText: `added ${carol.username}` }).waitFor();

  await carol.page.locator('.conversation', { hasText: 'Launch team' }).click();
  await carol.page.getByLabel('Message', { exact: true }).fill('Thanks for adding me!');
  await carol.page.getByLabel('Message', { exact: true }).press('Enter');
  await bubble(alice.page, 'Thanks for adding me!').waitFor();
  await bob.page.getByRole('button', { name: 'Back to conversations' }).click();
  await bob.page.locator('.conversation', { hasText: 'Launch team' }).locator('.badge').waitFor();
  await shot(bob.page, '04-list-phone');
  await shot(alice.page, '05-group-desktop');
  await carol.context.close();
});

test('a tab whose connection is cut reconnects and shows what it missed; a second tab is a second device', async () => {
  await bob.page.locator('.conversation[data-conv^="p:"]').click();
  await bob.context.setOffline(true);
  await bob.page.locator('#chat-banner', { hasText: 'reconnecting' }).waitFor();
  const aliceText = alice.page.getByLabel('Message', { exact: true });
  await alice.page.locator('.conversation[data-conv^="p:"]').click();
  for (const text of ['Missed one', 'Missed two']) {
    await aliceText.fill(text);
    await aliceText.press('Enter');
    await bubble(alice.page, text).locator('[data-state="sent"]').waitFor();
  }
  await shot(bob.page, '06-offline-phone');
  await bob.context.setOffline(false);
  await bob.page.locator('#chat-banner').waitFor({ state: 'hidden', timeout: 20000 });
  await bubble(bob.page, 'Missed two').waitFor();
  const texts = await bob.page.locator('.message .text').allTextContents();
  assert.deepEqual(texts.slice(-2), ['Missed one', 'Missed two']);

  const secondTab = await alice.context.newPage();
  await secondTab.goto('/');
  await secondTab.locator('#connection[data-state="synced"]').waitFor();
  await secondTab.locator('.conversation[data-conv^="p:"]').click();
  await aliceText.fill('From my first tab');
  await aliceText.press('Enter');
  await bubble(secondTab, 'From my first tab').waitFor();
  assert.ok(await bubble(secondTab, 'From my first tab').evaluate((el) => el.classList.contains('own')));
});
