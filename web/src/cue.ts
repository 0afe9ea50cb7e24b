/**
 * The audible cue for a new buyer: a short two-tone beep through WebAudio, no audio file. Browsers only
 * let a page make sound after a user gesture, so the context is created (or resumed) on the first click.
 */

const MUTE_KEY = 'earshot.muted';

export interface Beeper {
  beep(): void;
  /** Call from a user gesture so later beeps are allowed. */
  unlock(): void;
  muted: boolean;
  setMuted(muted: boolean): void;
}

export function createBeeper(): Beeper {
  let context: AudioContext | null = null;
  let lastBeep = 0;
  const ensure = (): AudioContext | null => {
    if (context) return context;
    const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctor) return null;
    try {
      context = new Ctor();
    } catch {
      context = null;
    }
    return context;
  };
  const beeper: Beeper = {
    muted: readMuted(),
    unlock() {
      const ctx = ensure();
      if (ctx && ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    },
    beep() {
      if (beeper.muted) return;
      const ctx = ensure();
      if (!ctx || ctx.state !== 'running') return;
      // A burst of claims should not become a wall of sound: at most one beep every 400 ms.
      const now = performance.now();
      if (now - lastBeep < 400) return;
      lastBeep = now;
      const start = ctx.currentTime;
      for (const [offset, frequency] of [
        [0, 880],
        [0.12, 1320],
      ] as const) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'sine';
        osc.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, start + offset);
        gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.01);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.1);
        osc.connect(gain).connect(ctx.destination);
        osc.start(start + offset);
        osc.stop(start + offset + 0.11);
      }
    },
    setMuted(muted) {
      beeper.muted = muted;
      try {
        localStorage.setItem(MUTE_KEY, muted ? '1' : '0');
      } catch {
        // storage disabled: the choice lasts for this page
      }
    },
  };
  return beeper;
}

function readMuted(): boolean {
  try {
    return localStorage.getItem(MUTE_KEY) === '1';
  } catch {
    return false;
  }
}
