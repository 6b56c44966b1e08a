// Opens /docs in headless Chromium and uses Swagger UI as a person would:
// enter the API key with "Authorize", create a task with "Try it out" /
// "Execute", then list tasks and see it. Fails on any console error (a
// Content-Security-Policy violation included), a /docs page without its
// policy, any request to another host, or a missing response.
// Usage: node swagger-ui.mjs BASE_URL API_KEY SCREENSHOT_PATH
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, apiKey, screenshot] = process.argv.slice(2);
const origin = new URL(base).origin;
const problems = [];
const title = `Bought in the browser ${Date.now()}`;

const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-')), {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400 && !res.url().includes('/api/')) {
      problems.push(`${res.status()} for ${res.url()}`);
    }
  });
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin) {
      problems.push(`request to another host: ${url}`);
    }
  });

  const docs = await page.goto(`${base}/docs`, { waitUntil: 'networkidle' });
  const csp = docs.headers()['content-security-policy'] ?? '';
  if (!csp.includes("default-src 'none'")) problems.push(`/docs has no strict CSP: ${csp}`);
  await page.waitForSelector('#operations-Tasks-create_task', { timeout: 15000 });

  // Authorize: the bearer key, as a person pastes it.
  await page.locator('.auth-wrapper .authorize').first().click();
  const dialog = page.locator('.modal-ux');
  await dialog.locator('input').first().fill(apiKey);
  await dialog.locator('.auth-btn-wrapper .authorize').click();
  await dialog.locator('.auth-btn-wrapper .btn-done').click();
  console.log('Authorize: API key entered');

  // POST /api/tasks: expand, Try it out, enter a body, Execute.
  const create = page.locator('#operations-Tasks-create_task');
  await create.locator('.opblock-summary').first().click();
  await create.getByRole('button', { name: 'Try it out' }).click();
  const body = create.locator('textarea.body-param__text');
  await body.fill(JSON.stringify({ title, done: false }, null, 2));
  await create.getByRole('button', { name: 'Execute' }).click();
  const created = create.locator('.live-responses-table .response').first();
  await created.waitFor({ timeout: 15000 });
  const createdStatus = (await created.locator('.response-col_status').innerText()).trim();
  const createdBody = await created.locator('.response-col_description').innerText();
  if (createdStatus !== '201') problems.push(`POST showed status ${createdStatus}`);
  if (!createdBody.includes(title)) problems.push(`POST response does not show the task: ${createdBody}`);
  console.log(`POST /api/tasks in Swagger UI: ${createdStatus}`);

  // GET /api/tasks: expand, Try it out, Execute, and see the task listed.
  const list = page.locator('#operations-Tasks-list_tasks');
  await list.locator('.opblock-summary').first().click();
  await list.getByRole('button', { name: 'Try it out' }).click();
  await list.getByRole('button', { name: 'Execute' }).click();
  const listed = list.locator('.live-responses-table .response').first();
  await listed.waitFor({ timeout: 15000 });
  const listedStatus = (await listed.locator('.response-col_status').innerText()).trim();
  const listedBody = await listed.locator('.response-col_description').innerText();
  if (listedStatus !== '200') problems.push(`GET showed status ${listedStatus}`);
  if (!listedBody.includes(title)) problems.push(`GET response does not list the task: ${listedBody}`);
  console.log(`GET /api/tasks in Swagger UI: ${listedStatus}, lists the new task: ${listedBody.includes(title)}`);

  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
} finally {
  await browser.close();
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('Swagger UI works in a real browser');
