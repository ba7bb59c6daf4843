// Browser test harness: Debian's Chromium driven by playwright-core (no downloaded browser), one context per
// person (a context is a separate browser profile: its own localStorage, so its own signed-in user).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.IM_BASE_URL ?? 'http://127.0.0.1:8080';
export const SHOTS = process.env.IM_SCREENSHOTS ?? join(process.cwd(), 'screenshots');
mkdirSync(SHOTS, { recursive: true });
export const run = Math.random().toString(36).slice(2, 7);

/** @param {string[]} [extraArgs] more Chromium switches, e.g. fake camera and microphone for calls */
export async function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.IM_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', ...extraArgs],
  });
}

/** A person in a fresh context, registered and signed in through the sign-in form. */
export async function person(browser, name, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, baseURL: BASE_URL });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto('/');
  const username = `${name}_${run}`;
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('password-123');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.locator('#connection[data-state="synced"]').waitFor();
  return { context, page, username, errors };
}

/** Alice befriends Bob through the People tab; both end up in their one-to-one chat. */
export async function openChat(alice, bob) {
  await alice.page.getByRole('tab', { name: /People/ }).click();
  await alice.page.getByLabel('Add a friend').fill(bob.username);
  await alice.page.getByRole('button', { name: 'Send request' }).click();
  await bob.page.getByRole('tab', { name: /People/ }).click();
  await bob.page.getByRole('list', { name: 'Friend requests' }).getByRole('button', { name: 'Accept' }).click();
  await bob.page.locator('#chat-view').waitFor();
  await alice.page.getByRole('tab', { name: 'Chats' }).click();
  await alice.page.locator('.conversation', { hasText: bob.username }).click();
}

export async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}
