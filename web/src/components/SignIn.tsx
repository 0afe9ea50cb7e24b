/** The sign-in screen of a service with accounts: email and password, or a magic link by email. */
import { useState, type FormEvent } from 'react';
import type { Accounts } from '../auth.ts';

export function SignIn({ accounts, error: initialError }: { accounts: Accounts; error?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(initialError ?? '');
  const [notice, setNotice] = useState('');

  const signIn = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError('');
    setNotice('');
    const failure = await accounts.signInWithPassword(email.trim(), password);
    setBusy(false);
    if (failure) setError(failure);
  };

  const sendLink = async (): Promise<void> => {
    if (!email.trim()) {
      setError('Enter your email address first.');
      return;
    }
    setBusy(true);
    setError('');
    const failure = await accounts.sendMagicLink(email.trim());
    setBusy(false);
    if (failure) setError(failure);
    else setNotice(`A sign-in link is on its way to ${email.trim()}.`);
  };

  return (
    <main className="signin" id="main">
      <form className="signin-card" onSubmit={(e) => void signIn(e)} aria-label="Sign in">
        <h1>
          <span className="brand-mark" aria-hidden="true">
            ◉
          </span>{' '}
          Earshot
        </h1>
        <p className="muted">Sign in to see your shows.</p>
        <label htmlFor="signin-email" className="label">
          Email
        </label>
        <input id="signin-email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        <label htmlFor="signin-password" className="label">
          Password
        </label>
        <input
          id="signin-password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <div className="signin-actions">
          <button type="submit" disabled={busy || !password} data-testid="signin-submit">
            Sign in
          </button>
          <button type="button" className="link-button" disabled={busy} onClick={() => void sendLink()} data-testid="signin-magic">
            Email me a sign-in link
          </button>
        </div>
        {error && (
          <p className="tone-bad" role="alert" data-testid="signin-error">
            {error}
          </p>
        )}
        {notice && (
          <p className="tone-good" role="status" data-testid="signin-notice">
            {notice}
          </p>
        )}
      </form>
    </main>
  );
}
