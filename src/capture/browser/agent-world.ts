/** The isolated world Earshot's code runs in inside a capture page (docs/STYLE.md 17: nothing of ours is visible to the page). */
import type { CDPSession } from 'puppeteer-core';

/**
 * The isolated world the agent and the paint switch run in. It shares the page's DOM but not its
 * JavaScript globals, and the binding is scoped to it (Runtime.addBinding executionContextName), so the
 * page's own scripts can neither see Earshot nor call the binding to forge chat.
 */
export const AGENT_WORLD = '__earshot_agent';

/** Runs an expression in the main frame's AGENT_WORLD (the same world the new-document scripts use). */
export async function evaluateInAgentWorld(client: CDPSession, expression: string): Promise<void> {
  const { frameTree } = await client.send('Page.getFrameTree');
  const { executionContextId } = await client.send('Page.createIsolatedWorld', {
    frameId: frameTree.frame.id,
    worldName: AGENT_WORLD,
  });
  await client.send('Runtime.evaluate', { expression, contextId: executionContextId, awaitPromise: true });
}
