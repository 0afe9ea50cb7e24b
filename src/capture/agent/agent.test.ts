import vm from 'node:vm';
import { agentScript, type AgentConfig } from './agent.ts';
import { REPORT_LIMITS } from './types.ts';

const config: AgentConfig = {
  bindingName: '__earshotEmit',
  spec: { container: '#chat', row: '.row', author: '.author', text: '.text' },
  sweepMs: 3000,
  tail: [{ pos: 4, sig: 'ann\u0000hi' }],
  nextPos: 5,
  seenIds: ['p1'],
  firstSyncIsBackfill: false,
  maxText: 2000,
  limits: REPORT_LIMITS,
};

/**
 * A world with nothing but what the script touches before the document has loaded: no Node globals, so
 * a bundle that needed `require`, `process` or a module loader would fail here.
 */
function loadingWorld(): { world: vm.Context; listeners: string[] } {
  const listeners: string[] = [];
  const world = vm.createContext({
    document: {
      readyState: 'loading',
      addEventListener: (type: string) => listeners.push(type),
    },
  });
  vm.runInContext('var window = globalThis;', world);
  return { world, listeners };
}

describe('the agent script', () => {
  test('runs without Node or a module loader and leaves one global, __earshotAgent, in its world', () => {
    const { world, listeners } = loadingWorld();
    const before = new Set(Object.getOwnPropertyNames(world));
    vm.runInContext(agentScript(config), world);
    const added = Object.getOwnPropertyNames(world).filter((name) => !before.has(name));
    expect(added).toEqual(['__earshotAgent']);
    // It waits for the document before touching the DOM.
    expect(listeners).toEqual(['DOMContentLoaded']);
  });

  test('installs once per world, however often the script runs', () => {
    const { world, listeners } = loadingWorld();
    vm.runInContext(agentScript(config), world);
    vm.runInContext(agentScript(config), world);
    expect(listeners).toEqual(['DOMContentLoaded']);
  });

  test('starts from the carried-over stream it was given', () => {
    const { world } = loadingWorld();
    vm.runInContext(agentScript(config), world);
    const state = vm.runInContext('JSON.stringify(__earshotAgent.state())', world) as string;
    expect(JSON.parse(state)).toEqual({ nextPos: 5, tail: [{ pos: 4, sig: 'ann\u0000hi' }] });
  });
});
