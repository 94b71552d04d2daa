/**
 * Drives the relay's status page in a real Chromium (the one @sparticuz/chromium ships inside its npm package,
 * driven by puppeteer-core), for test/relay/status-page-browser.test.ts: load the page, read every tenant, press
 * the first dead letter's Replay button, wait for the page to say so and reload, read the tenants again, and
 * print what it saw as one JSON line. It is a plain ES module run as a child process because both packages are
 * ES modules, which Jest's CommonJS runtime cannot load.
 *
 * Usage: node replay-from-page.mjs <page URL>
 */
import chromium from '@sparticuz/chromium';
import puppeteer from 'puppeteer-core';

const url = process.argv[2];
// Chromium's own flags for this closed network (machine notes): no background connections, updates or sync.
// @sparticuz/chromium's Lambda flags that weaken the page's security are dropped: the test must see what a user's
// browser enforces (same-origin policy, CSP).
const WEAKENING = new Set(['--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials']);
const args = [
  ...chromium.args.filter((arg) => !WEAKENING.has(arg.split('=')[0])),
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
];

const readTenants = (page) =>
  page.$$eval('section.tenant', (sections) =>
    sections.map((section) => ({
      clientId: section.dataset.clientId,
      heading: section.querySelector('h2')?.textContent,
      connections: [...section.querySelectorAll('.connection')].map((item) => item.dataset.state),
      eventsToday: section.querySelector('.events-today')?.textContent,
      subscriptions: section.querySelector('.subscriptions')?.textContent,
      sent: section.querySelector('.sent')?.textContent,
      dead: section.querySelector('.dead')?.textContent,
      pushesUsed: section.querySelector('.pushes-used')?.textContent,
      pushesQuota: section.querySelector('.pushes-quota')?.textContent,
      replayButtons: section.querySelectorAll('button.replay[data-event-id]').length,
      text: section.textContent,
      // Anything an event or error smuggled in as markup would show up as an element.
      injected: section.querySelectorAll('img, script, iframe').length,
      chartBars: section.querySelectorAll('svg.chart rect').length,
    })),
  );

const browser = await puppeteer.launch({ executablePath: await chromium.executablePath(), args, headless: 'shell' });
try {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
  await page.goto(url, { waitUntil: 'load' });
  const before = await readTenants(page);
  const reloaded = page.waitForNavigation({ waitUntil: 'load', timeout: 15_000 });
  await page.click('button.replay[data-event-id]');
  await page.waitForFunction(() => /sent again/.test(document.getElementById('message')?.textContent ?? ''), { timeout: 15_000 });
  const message = await page.$eval('#message', (element) => element.textContent);
  await reloaded;
  const after = await readTenants(page);
  process.stdout.write(`${JSON.stringify({ before, message, after, problems })}\n`);
} finally {
  await browser.close();
}
