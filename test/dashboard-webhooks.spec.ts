/**
 * The webhooks screen in real Chromium: add an endpoint to a real HTTPS receiver, see its secret once,
 * send a test that the receiver verifies, read the delivery, and replay it. Screenshots at desktop and
 * phone sizes go to /tmp/earshot-shots.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser } from './support/chromium.ts';
import { startTestService } from './support/service.ts';
import { until } from './support/wait.ts';
import { RECEIVER_CA_FILE, WebhookReceiver } from './support/webhook-receiver.ts';

const ROOT = path.resolve(__dirname, '..');
const SHOTS = '/tmp/earshot-shots';
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true };

let service: Awaited<ReturnType<typeof startTestService>>;
let browser: Browser;
const receiver = new WebhookReceiver();

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--if-missing', '--web-only'], { cwd: ROOT, stdio: 'inherit' });
  await receiver.start();
  service = await startTestService({
    WEBHOOK_ALLOW_PRIVATE_URLS: `https://127.0.0.1:${receiver.port}`,
    WEBHOOK_CA_FILE: RECEIVER_CA_FILE,
    WEBHOOK_RETRY_MIN_MS: '50',
    WEBHOOK_POLL_MS: '100',
  });
  browser = await launchBrowser(service.config.chromeExecutablePath, DESKTOP);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
  await receiver.stop();
});

const textOf = (page: Page, selector: string) => page.$eval(selector, (el) => (el as HTMLElement).innerText);

test('a seller adds a webhook, keeps the secret shown once, sends a test, and replays its delivery', async () => {
  const page = await browser.newPage();
  await page.setViewport(DESKTOP);
  await page.goto(`${service.url}/#/webhooks`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#webhook-url');
  // A refused URL says why, in the service's words.
  await page.type('#webhook-url', 'https://10.0.0.1/hook');
  await page.click('button[type="submit"]');
  await page.waitForSelector('.kb-upload [role="alert"]');
  expect(await textOf(page, '.kb-upload [role="alert"]')).toMatch(/10\.0\.0\.1.*private/);

  await page.$eval('#webhook-url', (el) => ((el as HTMLInputElement).value = ''));
  // Without a scheme: https is meant.
  await page.type('#webhook-url', receiver.url.replace('https://', ''));
  await page.type('#webhook-description', 'team sheet');
  await page.click('button[type="submit"]');
  await page.waitForSelector('[data-testid="webhook-secret"] .secret-value');
  const secret = await textOf(page, '[data-testid="webhook-secret"] .secret-value');
  expect(secret).toMatch(/^whsec_/);
  receiver.secret = secret;
  await page.screenshot({ path: path.join(SHOTS, 'webhooks-secret-desktop.png'), fullPage: true });
  await page.click('[data-testid="webhook-secret"] button:last-child');
  await until(async () => !(await page.$('[data-testid="webhook-secret"]')), 'the secret notice gone');
  // Gone for good: a reload lists the endpoint without it.
  await page.reload({ waitUntil: 'networkidle0' });
  await page.waitForSelector('[data-testid="webhook"]');
  expect(await page.content()).not.toContain(secret);
  expect(await textOf(page, '[data-testid="webhook"]')).toContain('team sheet');

  const button = async (label: string) => {
    const handle = await page.waitForSelector(`xpath/.//li[@data-testid="webhook"]//button[normalize-space()="${label}"]`);
    await handle!.click();
  };
  await button('Send test');
  await until(() => receiver.received.length === 1, 'the test delivery');
  expect(receiver.received[0]!).toMatchObject({ type: 'ping', verified: true });
  await button('Deliveries');
  await page.waitForSelector('[data-testid="webhook-deliveries"] tr[data-status="delivered"]');
  await page.screenshot({ path: path.join(SHOTS, 'webhooks-deliveries-desktop.png'), fullPage: true });
  const replay = await page.waitForSelector('xpath/.//tr[@data-status="delivered"]//button[normalize-space()="Replay"]');
  await replay!.click();
  await until(() => receiver.received.length === 2, 'the replayed delivery');
  expect(receiver.received[1]!.id).toBe(receiver.received[0]!.id);

  await page.setViewport(PHONE);
  await page.reload({ waitUntil: 'networkidle0' });
  await button('Deliveries');
  await page.waitForSelector('[data-testid="webhook-deliveries"] tr');
  // The screen scrolls inside its pane: show the deliveries.
  await page.$eval('[data-testid="webhook-deliveries"]', (el) => el.scrollIntoView({ block: 'end' }));
  // Nothing wider than the phone's screen.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await page.screenshot({ path: path.join(SHOTS, 'webhooks-phone.png'), fullPage: true });
  await page.close();
}, 120_000);
