/** The buyer-sound switch (header and buyers panel share it). */
import { BellIcon } from './Icons.tsx';

export function MuteToggle({
  muted,
  onChange,
  label = false,
  labelClassName,
}: {
  muted: boolean;
  onChange: (muted: boolean) => void;
  label?: boolean;
  /** The label's class (the header's is visually hidden on a phone, where the bell alone fits, and still names the button). */
  labelClassName?: string;
}) {
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
      {label && <span className={labelClassName}>{muted ? ' Sound off' : ' Sound on'}</span>}
    </button>
  );
}
