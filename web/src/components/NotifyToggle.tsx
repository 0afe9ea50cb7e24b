/** Opt-in browser notifications for new buyers (shown only while the tab is in the background). */
import { useState } from 'react';
import { notificationsOn, notificationsSupported, setNotifications } from '../notify.ts';

export function NotifyToggle() {
  const [on, setOn] = useState(notificationsOn);
  if (!notificationsSupported()) return null;
  return (
    <button
      type="button"
      className="icon-button"
      aria-pressed={on}
      title="Browser notifications for new buyers while this tab is in the background"
      onClick={() => void setNotifications(!on).then(setOn)}
      data-testid="notify-toggle"
    >
      <span className="long-name">Notifications</span>
      <span className="short" aria-hidden="true">
        Notify
      </span>{' '}
      {on ? 'on' : 'off'}
    </button>
  );
}
