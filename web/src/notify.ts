/**
 * New-buyer notifications that never cover content: a counter in the tab title ("(3) Earshot"), and,
 * when the seller turned them on, the browser's own notifications while the tab is in the background.
 */
const NOTIFY_KEY = 'earshot.notifyBuyers';
const BASE_TITLE = 'Earshot';

/** The tab title for `unseen` new buyers. */
export function titleFor(unseen: number): string {
  return unseen > 0 ? `(${unseen > 99 ? '99+' : unseen}) ${BASE_TITLE}` : BASE_TITLE;
}

export function notificationsSupported(): boolean {
  return typeof Notification !== 'undefined';
}

/** Whether the seller asked for browser notifications (and the browser still allows them). */
export function notificationsOn(): boolean {
  try {
    return notificationsSupported() && Notification.permission === 'granted' && localStorage.getItem(NOTIFY_KEY) === 'on';
  } catch {
    return false;
  }
}

/** Turns browser notifications on (asking for permission) or off; resolves to the new state. */
export async function setNotifications(on: boolean): Promise<boolean> {
  if (!notificationsSupported()) return false;
  try {
    if (on && Notification.permission !== 'granted') {
      if ((await Notification.requestPermission()) !== 'granted') return false;
    }
    localStorage.setItem(NOTIFY_KEY, on ? 'on' : 'off');
  } catch {
    return false;
  }
  return on;
}

/** Shows a browser notification for a new buyer when they are on and the tab is not in view. */
export function notifyBuyer(text: string): void {
  if (!notificationsOn() || document.visibilityState === 'visible') return;
  try {
    new Notification('New buyer', { body: text, tag: 'earshot-buyer' });
  } catch {
    // some browsers allow notifications only from a service worker: the title counter remains
  }
}
