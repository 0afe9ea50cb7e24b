/**
 * The knowledge-base screen's "Try a question" box in real Chromium against the real service: a TXT
 * policy is uploaded through the API, the seller asks from #/kb and sees what POST /api/kb/ask answers,
 * with the document as its source and without the document's title line run into it (issue 28); a
 * question the document does not answer says so in words; document text stays text; the phone layout
 * fits the screen. Screenshots (desktop 1280x800 light, phone 390x844 dark) go to /tmp/earshot-shots/kb-try-*.png.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser } from './support/chromium.ts';
import { post, startTestService } from './support/service.ts';
import { until } from './support/wait.ts';

const ROOT = path.resolve(__dirname, '..');
const SHOTS = '/tmp/earshot-shots';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true };

/**
 * A seller's plain-text policy as sellers write them: a title line sitting directly on a labelled
 * sentence (the "Shipping and returns policy - Hannah's Vintage Returns: all sales are final."),
 * headings on the line above their text, and a line with markup in it.
 */
const POLICY = [
  "Shipping and returns policy - Hannah's Vintage",
  'Returns: all sales are final. We accept a return only when an item arrives damaged.',
  '',
  'Shipping',
  'We ship to the US and Canada within 2 business days of the show.',
  'Combined shipping is free when you win three or more items in one show.',
  'Gift wrap',
  'Gift wrapping costs $3 and comes <b>with a card</b><img src=x onerror="document.title=\'owned\'">.',
].join('\n');
const RETURNS_QUESTION = 'what is your return policy?';
const NO_ANSWER = 'Nothing in your documents answers this. Add a document that does, or the bot stays quiet on it.';

let service: Awaited<ReturnType<typeof startTestService>>;
let browser: Browser;
/** The uploaded policy as the service lists it. */
let policy: { id: string; title: string };

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--if-missing', '--web-only'], { cwd: ROOT, stdio: 'inherit' });
  service = await startTestService();
  policy = await uploadPolicy();
  browser = await launchBrowser(service.config.chromeExecutablePath, DESKTOP);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
});

async function uploadPolicy(): Promise<{ id: string; title: string }> {
  const form = new FormData();
  form.append('file', new Blob([POLICY], { type: 'text/plain' }), 'shipping-and-returns.txt');
  const res = await fetch(`${service.url}/api/kb/documents`, { method: 'POST', body: form });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; title: string };
}

/** What the result region shows once it is in `phase` for `question` (its phase is on data-phase). */
async function resultOf(page: Page, phase: 'answered' | 'unanswered', question: string) {
  return until(
    () =>
      page.evaluate(
        (want, asked) => {
          const region = document.querySelector<HTMLElement>('[data-testid="kb-try-result"]');
          if (region?.dataset.phase !== want || !region.querySelector('.kb-try-question')?.textContent?.includes(asked)) return false;
          const text = (selector: string) => region.querySelector<HTMLElement>(selector)?.innerText ?? null;
          return {
            answer: text('[data-testid="kb-try-answer"]'),
            answerHtml: region.querySelector('[data-testid="kb-try-answer"]')?.innerHTML ?? null,
            sources: [...region.querySelectorAll('[data-testid="kb-try-sources"] li')].map((li) => (li as HTMLElement).innerText),
            method: text('[data-testid="kb-try-method"]'),
            none: text('[data-testid="kb-try-none"]'),
          };
        },
        phase,
        question,
      ),
    `the "${question}" result to be ${phase}`,
  );
}

/** Replaces the question as a person would. */
async function typeQuestion(page: Page, question: string): Promise<void> {
  await page.click('#kb-question', { count: 3 });
  await page.keyboard.press('Backspace');
  await page.type('#kb-question', question);
}

async function openKb(page: Page): Promise<void> {
  await page.goto(`${service.url}/#/kb`, { waitUntil: 'load' });
  // The document list has loaded: the question box is on the screen that lists it.
  await page.waitForSelector('.kb-title');
  await page.waitForSelector('#kb-question');
}

test('a seller tries questions on the knowledge-base screen and sees the bot\'s answer, its source, or that there is none', async () => {
  const expected = await post(service.url, '/api/kb/ask', { question: RETURNS_QUESTION });
  expect(expected.status).toBe(200);
  // The title line above "Returns:" is a heading of the document, not the start of its answer.
  expect(expected.body.answer.text).toBe('Returns: all sales are final. We accept a return only when an item arrives damaged.');

  const page = await browser.newPage();
  await page.setViewport(DESKTOP);
  await openKb(page);
  // The input has a real label and the server's length limit.
  expect(await page.$eval('label[for="kb-question"]', (el) => (el as HTMLElement).innerText)).toBe('Question');
  expect(await page.$eval('#kb-question', (el) => (el as HTMLInputElement).maxLength)).toBe(500);

  // Nothing typed: said in words, nothing asked.
  await page.click('.kb-try-form button[type="submit"]');
  await page.waitForSelector('.kb-try [role="alert"]');
  expect(await page.$eval('.kb-try [role="alert"]', (el) => (el as HTMLElement).innerText)).toBe('Type a question first.');

  await typeQuestion(page, RETURNS_QUESTION);
  await page.click('.kb-try-form button[type="submit"]');
  const answered = await resultOf(page, 'answered', RETURNS_QUESTION);
  expect(await page.$('.kb-try [role="alert"]')).toBeNull();
  expect(answered.answer).toBe(expected.body.answer.text);
  expect(answered.answer).not.toContain("Hannah's Vintage");
  expect(answered.sources).toEqual([policy.title]);
  expect(answered.method).toBe('Quoted from your documents');
  await page.$eval('[data-testid="kb-try"]', (el) => el.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: path.join(SHOTS, 'kb-try-desktop.png') });

  // Enter asks too; a question the document does not answer gets the plain sentence and no source.
  await typeQuestion(page, 'do you have a loyalty program?');
  await page.keyboard.press('Enter');
  const unanswered = await resultOf(page, 'unanswered', 'do you have a loyalty program?');
  expect(unanswered).toMatchObject({ none: NO_ANSWER, answer: null, sources: [] });
  expect((await post(service.url, '/api/kb/ask', { question: 'do you have a loyalty program?' })).body).toEqual({ answer: null });
  await page.screenshot({ path: path.join(SHOTS, 'kb-try-desktop-none.png') });

  // Markup in a document is shown as the characters it is, never built into the page.
  await typeQuestion(page, 'how much is gift wrapping?');
  await page.keyboard.press('Enter');
  const wrapped = await resultOf(page, 'answered', 'how much is gift wrapping?');
  expect(wrapped.answer).toContain('<b>with a card</b><img src=x');
  expect(wrapped.answerHtml).toContain('&lt;b&gt;');
  expect(await page.$$('[data-testid="kb-try-answer"] b, [data-testid="kb-try-answer"] img')).toHaveLength(0);
  expect(await page.title()).not.toBe('owned');
  await page.close();
}, 120_000);

test('on a phone the question box fits the screen and its controls are thumb-sized', async () => {
  const page = await browser.newPage();
  await page.setViewport(PHONE);
  // The dark theme here, the light one on the desktop: both screenshots get looked at.
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  await openKb(page);
  await typeQuestion(page, RETURNS_QUESTION);
  await page.tap('.kb-try-form button[type="submit"]');
  const answered = await resultOf(page, 'answered', RETURNS_QUESTION);
  expect(answered.answer).toBe('Returns: all sales are final. We accept a return only when an item arrives damaged.');
  const heights = await page.$$eval('#kb-question, .kb-try-form button', (els) => els.map((el) => el.getBoundingClientRect().height));
  expect(heights).toHaveLength(2);
  for (const height of heights) expect(height).toBeGreaterThanOrEqual(44);
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.$eval('[data-testid="kb-try"]', (el) => el.scrollIntoView({ block: 'nearest' }));
  await page.screenshot({ path: path.join(SHOTS, 'kb-try-phone.png') });
  await page.close();
}, 120_000);
