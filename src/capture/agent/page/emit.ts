/** The one way out of the page: the CDP binding BrowserSource added to the agent's world only. */
import type { AgentReport } from '../types.ts';

export type Send = (report: AgentReport) => void;

/**
 * Sends reports through the binding named `bindingName` on `scope` (the agent world's window).
 * Looked up per call: the binding may be added after the agent was installed.
 */
export function createSend(scope: Record<string, unknown>, bindingName: string): Send {
  return (report) => {
    const binding = scope[bindingName] as ((payload: string) => void) | undefined;
    if (typeof binding === 'function') binding(JSON.stringify(report));
  };
}
