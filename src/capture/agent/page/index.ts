/**
 * The in-page agent's entry: what runs inside the monitored page. scripts/bundle-agent.mjs bundles this
 * folder into one dependency-free script (it refuses any module from outside it), and BrowserSource
 * installs it in an isolated world (AGENT_WORLD): it shares the page's DOM, so the observers see every
 * row, but not the page's JavaScript globals, so the page's own scripts see neither `__earshotAgent`
 * nor the binding, which exists only in that world. What it reports is still validated in Node
 * (report.ts).
 *
 * Identity: a platform id when the row has one, otherwise a position in the stream (alignment.ts).
 */
import type { AgentConfig } from '../types.ts';
import { createSend } from './emit.ts';
import { createStream } from './stream.ts';
import { createWatch } from './watch.ts';

/** Installs the agent in the current document, once per world. */
export function installAgent(config: AgentConfig): void {
  const scope = window as unknown as Record<string, unknown>;
  if (scope.__earshotAgent) return;
  const stream = createStream<Element>(config, () => Date.now());
  const watch = createWatch({
    spec: config.spec,
    maxText: config.maxText,
    sweepMs: config.sweepMs,
    stream,
    send: createSend(scope, config.bindingName),
    limits: config.limits,
  });
  scope.__earshotAgent = { sync: watch.sync, state: stream.state };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', watch.start, { once: true });
  } else {
    watch.start();
  }
}
