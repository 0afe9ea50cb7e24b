/// <reference types="jest" />
import { chooseSelection } from './selection.ts';

const stopped = { sessionId: 'old', running: false };
const running = (sessionId: string) => ({ sessionId, running: true });

describe('which show is on screen', () => {
  test('a just-started show stays selected while the list is stale, then is kept once listed', () => {
    // The demo was stopped and started again: the list still holds only the stopped show.
    const started = chooseSelection({ sessions: [stopped], listed: true, selectedId: 'new', pendingId: 'new' });
    expect(started).toEqual({ selectedId: 'new', pendingId: 'new' });
    // The next poll lists it: the pending mark is dropped and the selection stays.
    const listed = chooseSelection({ sessions: [running('new'), stopped], listed: true, selectedId: 'new', pendingId: 'new' });
    expect(listed).toEqual({ selectedId: 'new', pendingId: null });
  });

  test('without the pending mark a stale list would take the selection back (the bug this guards)', () => {
    expect(chooseSelection({ sessions: [stopped], listed: true, selectedId: 'new', pendingId: null }).selectedId).toBe('old');
  });

  test('the first list picks the newest running show, else the newest', () => {
    const sessions = [stopped, running('b'), running('c')];
    expect(chooseSelection({ sessions, listed: true, selectedId: null, pendingId: null }).selectedId).toBe('b');
    expect(chooseSelection({ sessions: [stopped, { sessionId: 'older', running: false }], listed: true, selectedId: null, pendingId: null }).selectedId).toBe('old');
    expect(chooseSelection({ sessions: [], listed: true, selectedId: null, pendingId: null }).selectedId).toBeNull();
  });

  test('a listed selection is kept even when a newer show is running', () => {
    expect(chooseSelection({ sessions: [running('newer'), stopped], listed: true, selectedId: 'old', pendingId: null }).selectedId).toBe('old');
  });

  test('a selection that left the list moves to the newest running show; before any list it is kept', () => {
    expect(chooseSelection({ sessions: [running('r')], listed: true, selectedId: 'gone', pendingId: null }).selectedId).toBe('r');
    expect(chooseSelection({ sessions: [], listed: false, selectedId: 'gone', pendingId: null }).selectedId).toBe('gone');
  });
});
