/**
 * The in-page agent as Node sees it: the contract (types.ts) and the script that installs it.
 * The agent itself is page/ (bundled into one script, bundle.ts), installed by BrowserSource with
 * `Page.addScriptToEvaluateOnNewDocument` in its isolated world.
 */
import { agentBundle } from './bundle.ts';
import type { AgentConfig } from './types.ts';

export type { AgentConfig, AgentReport, AgentRow, AgentTailEntry } from './types.ts';

/**
 * The agent as a script source that installs it with the given config. One function scope around the
 * bundle and the call, so the bundle's module binding never becomes a global of the world.
 */
export function agentScript(config: AgentConfig): string {
  return `(function () {\n${agentBundle()}\n__earshotAgentModule.installAgent(${JSON.stringify(config)});\n})();`;
}
