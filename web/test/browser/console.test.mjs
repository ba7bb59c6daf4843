// The operator console in a real browser: the token is asked for, a wrong one refused; then nodes, connections,
// verticles, rates and latency show, and a scale control works. Needs IM_ADMIN_TOKEN (the node's admin token).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, person, shot } from './harness.mjs';

const TOKEN = process.env.IM_ADMIN_TOKEN;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('operator console: token, nodes, metrics, scaling', { skip: !TOKEN && 'IM_ADMIN_TOKEN is not set' }, async () => {
  const user = await person(browser, 'ops');
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: BASE_URL });
  const page = await context.newPage();
  await page.goto('/admin');
  await page.getByLabel('Admin token').fill('not-the-token');
  await page.getByRole('button', { name: 'Open console' }).click();
  await page.getByText('That token was refused.').waitFor();
  await page.getByLabel('Admin token').fill(TOKEN);
  await page.getByRole('button', { name: 'Open console' }).click();
  const row = page.locator('#node-rows tr').first();
  await row.waitFor();
  assert.match(await row.textContent(), /message/);
  await page.waitForFunction(() => /^\d+ \/ \d+$/.test(document.getElementById('connections').textContent)
    && Number(document.getElementById('connections').textContent.split(' / ')[0]) >= 1);
  await page.waitForFunction(() => document.getElementById('rate-sent').textContent !== '–');

  const input = row.getByLabel('http', { exact: true });
  const instances = await input.inputValue();
  await row.getByRole('button', { name: /^Scale http/ }).click();
  await page.getByText(`http on `).waitFor();
  assert.match(await page.locator('#toast').textContent(), new RegExp(`: ${instances} instances`));
  await shot(page, '07-operator-console');
  await context.close();
  await user.context.close();
});
