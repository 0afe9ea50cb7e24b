/** The buyer-sound switch (header and buyers panel share it). */
import { BellIcon } from './Icons.tsx';

export function MuteToggle({ muted, onChange, label = false }: { muted: boolean; onChange: (muted: boolean) => void; label?: boolean }) {
  return (
    <button
      type="button"
      className="icon-button"
      aria-pressed={!muted}
      aria-label={label ? undefined : muted ? 'Turn buyer sound on' : 'Mute buyer sound'}
      title={muted ? 'Sound is off for new buyers' : 'A beep plays for each new buyer'}
      onClick={() => onChange(!muted)}
    >
      <BellIcon off={muted} />
      {label && (muted ? ' Muted' : ' Sound on')}
    </button>
  );
}
