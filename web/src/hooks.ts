/** Small React hooks shared by the screens. */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { FeedStore } from './feed/store.ts';

/** Re-renders when the store flushes (at most once per frame); returns the store's version. */
export function useStoreVersion(store: FeedStore): number {
  const subscribe = useCallback((listener: () => void) => store.subscribe(listener), [store]);
  return useSyncExternalStore(subscribe, () => store.version);
}

/** The current time, refreshed every `intervalMs` (for "per minute" figures). */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** Whether a media query matches now, following changes (the layout's breakpoints, read by React). */
export function useMediaQuery(query: string): boolean {
  const subscribe = useCallback(
    (listener: () => void) => {
      const list = window.matchMedia(query);
      list.addEventListener('change', listener);
      return () => list.removeEventListener('change', listener);
    },
    [query],
  );
  return useSyncExternalStore(subscribe, () => window.matchMedia(query).matches);
}

/**
 * Calls `load` now and every `intervalMs` while mounted; returns its last value or error and a
 * `refresh` to call it at once. A slow answer never overwrites a newer one.
 */
export function usePolling<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number) {
  const [state, setState] = useState<{ value?: T; error?: unknown; loading: boolean }>({ loading: true });
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const refresh = useCallback(() => {
    const id = ++latest.current;
    const controller = new AbortController();
    loadRef.current(controller.signal).then(
      (value) => {
        if (id === latest.current) setState({ value, loading: false });
      },
      (error: unknown) => {
        if (id === latest.current) setState((s) => ({ value: s.value, error, loading: false }));
      },
    );
    return controller;
  }, []);
  useEffect(() => {
    let controller = refresh();
    const timer = setInterval(() => {
      controller = refresh();
    }, intervalMs);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [refresh, intervalMs]);
  return { ...state, refresh };
}

export type Route = 'live' | 'kb' | 'webhooks';

/** The screen from the URL hash (#/kb), so views are linkable and the back button works. */
export function useHashRoute(): [Route, (route: Route) => void] {
  const read = (): Route => (location.hash.startsWith('#/kb') ? 'kb' : location.hash.startsWith('#/webhooks') ? 'webhooks' : 'live');
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const onHashChange = (): void => setRoute(read());
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);
  const go = useCallback((next: Route) => {
    location.hash = next === 'live' ? '#/' : `#/${next}`;
  }, []);
  return [route, go];
}

/** Formats an ISO time as the local wall clock (HH:MM:SS). */
export function formatTime(iso: string | number): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** Copies text: the async clipboard where allowed, a hidden textarea otherwise (plain-http LAN hosts). */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the legacy path
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}
