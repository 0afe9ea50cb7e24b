/** Capture pages are not painted (nobody looks at them); a screenshot paints one frame. */
import type { CDPSession, Page } from 'puppeteer-core';
import { evaluateInAgentWorld } from './agent-world.ts';

/**
 * Runs before the page's own scripts, in AGENT_WORLD: hides the whole document with `visibility: hidden`, so Chromium
 * stops painting and compositing a page nobody looks at. Layout is untouched (virtualized lists still
 * measure their rows, IntersectionObserver still fires, `getClientRects()` still tells visible banners
 * from hidden ones) and the agent reads text nodes, not rendered text. Painting was most of Chromium's
 * CPU per watched page (npm run bench, concurrency at 10 msg/s per page: 25 pages 139% -> 47% of a
 * core, 10 pages 101% -> 29%; docs/PERFORMANCE.md). `__earshotPaint(true)` paints again for a screenshot.
 * The stylesheet is constructed in the isolated world and adopted by the shared document; the switch
 * is a global of that world only.
 */
export const SUPPRESS_PAINT_SCRIPT = `(() => {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('html { visibility: hidden !important; }');
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    Object.defineProperty(window, '__earshotPaint', { value: (on) => { sheet.disabled = Boolean(on); } });
  } catch (error) {
    // An old engine without constructable stylesheets: the page simply keeps painting.
  }
})();`;

/**
 * A PNG of the page as a viewer would see it. Painting is off while capturing (SUPPRESS_PAINT_SCRIPT):
 * on for one frame, then off again. The switch lives in the agent's world, which only our CDP session
 * (`client`) can enter; without it the page is shot as it is.
 */
export async function screenshotPage(page: Page, client: CDPSession | null): Promise<Buffer> {
  const paint = (on: boolean): Promise<unknown> => (client ? evaluateInAgentWorld(client, paintExpression(on)) : Promise.resolve()).catch(() => undefined);
  await paint(true);
  try {
    return Buffer.from(await page.screenshot({ type: 'png' }));
  } finally {
    await paint(false);
  }
}

/** Turns the paint switch on or off and resolves after the next frame (so a screenshot sees the change). */
function paintExpression(on: boolean): string {
  return `new Promise((resolve) => { globalThis.__earshotPaint?.(${on ? 'true' : 'false'}); requestAnimationFrame(() => resolve()); })`;
}
