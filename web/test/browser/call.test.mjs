// A video call in a real browser: two people in two Chromium contexts with a fake camera and microphone; one calls,
// the other answers, and each sees the other's video play (frames arriving over WebRTC, signaled through op 23).
// The hangup leaves the call in both chats as a message.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, openChat, person, shot } from './harness.mjs';

const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required'];

let browser;
before(async () => { browser = await launch(FAKE_MEDIA); });
after(async () => { await browser?.close(); });

/** The remote video has frames to show and its clock runs: media flows between the two browsers. */
async function remoteVideoPlays(page) {
  await page.waitForFunction(() => {
    const video = document.getElementById('call-remote');
    return video && video.readyState >= 2 && video.videoWidth > 0 && video.currentTime > 0.3;
  }, null, { timeout: 30000 });
}

test('a video call is placed, answered, plays both ways and ends as a message in both chats', async () => {
  const alice = await person(browser, 'callera');
  const bob = await person(browser, 'calleeb', { width: 390, height: 844 });

  await openChat(alice, bob);

  await alice.page.getByRole('button', { name: 'Video call' }).click();
  await alice.page.locator('#call[data-state="ringing"]').waitFor();
  await bob.page.getByRole('button', { name: 'Accept' }).waitFor();
  await shot(bob.page, 'call-01-incoming');
  await bob.page.getByRole('button', { name: 'Accept' }).click();

  await Promise.all([remoteVideoPlays(alice.page), remoteVideoPlays(bob.page)]);
  await alice.page.locator('#call[data-state="connected"]').waitFor();
  await shot(alice.page, 'call-02-connected');

  await alice.page.getByRole('button', { name: 'Hang up' }).click();
  await bob.page.locator('#call').waitFor({ state: 'hidden' });
  await alice.page.locator('#call').waitFor({ state: 'hidden' });
  for (const page of [alice.page, bob.page]) {
    await page.locator('.message .call', { hasText: /^Video call · \d+:\d\d$/ }).waitFor();
  }
  await shot(bob.page, 'call-03-ended');
  assert.deepEqual([...alice.errors, ...bob.errors], []);
});

test('a declined call tells the caller and is kept as declined', async () => {
  const alice = await person(browser, 'callerc');
  const bob = await person(browser, 'calleed');
  await openChat(alice, bob);

  await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
  await bob.page.getByRole('button', { name: 'Decline' }).click();
  await alice.page.getByText('Call declined').waitFor();
  await alice.page.locator('#call').waitFor({ state: 'hidden' });
  await alice.page.locator('.message .call', { hasText: 'Call · declined' }).waitFor();
  assert.deepEqual([...alice.errors, ...bob.errors], []);
});
