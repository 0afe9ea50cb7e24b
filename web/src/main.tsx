/**
 * The dashboard's composition root: the service's public config (accounts or not), the sign-in gate,
 * the live client, the buyer cue, the React tree.
 */
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { onAccessToken } from './api.ts';
import { loadPublicConfig, startAccounts, type Accounts, type AuthState } from './auth.ts';
import { SignIn } from './components/SignIn.tsx';
import { createBeeper } from './cue.ts';
import { LiveClient } from './feed/client.ts';
import './styles.css';

const beeper = createBeeper();
let client: LiveClient | undefined;

/** The live client, started the first time it is needed (with accounts: once signed in, so /ws has a token). */
function liveClient(accounts?: Accounts): LiveClient {
  if (!client) {
    const live = new LiveClient(undefined, { onUnauthorized: accounts ? () => void accounts.refresh().catch(() => undefined) : undefined });
    // A refreshed token goes to the open socket too, so the service does not close it at the old expiry.
    if (accounts) onAccessToken((token) => token && live.connection.authenticate(token));
    live.start();
    client = live;
    // Read-only view for end-to-end tests and support: the list is virtualized, so the DOM shows a window only.
    (window as unknown as { __earshot: unknown }).__earshot = {
      snapshot: (sessionId: string) => live.snapshot(sessionId),
      connection: () => live.connection.state,
    };
  }
  return client;
}

function Root({ accounts, tokenRequired }: { accounts?: Accounts; tokenRequired: boolean }) {
  const [state, setState] = useState<AuthState | undefined>(accounts?.state);
  useEffect(() => accounts?.subscribe(setState), [accounts]);
  if (!accounts) return <App client={liveClient()} beeper={beeper} tokenRequired={tokenRequired} />;
  if (!state || state.phase === 'loading') return null;
  if (state.phase === 'signed_out') return <SignIn accounts={accounts} error={state.error} />;
  return (
    <App
      client={liveClient(accounts)}
      beeper={beeper}
      account={{
        email: state.email,
        // A fresh page after signing out: nothing of this seller's stays in memory for the next one.
        signOut: () => void accounts.signOut().finally(() => location.reload()),
      }}
    />
  );
}

async function boot(): Promise<void> {
  const root = createRoot(document.getElementById('root')!);
  let accounts: Accounts | undefined;
  let tokenRequired = false;
  try {
    const config = await loadPublicConfig();
    tokenRequired = config.apiToken === true;
    accounts = await startAccounts(config);
  } catch (error) {
    root.render(
      <div className="banner tone-bad" role="alert">
        {(error as Error).message}
      </div>,
    );
    return;
  }
  root.render(
    <StrictMode>
      <Root accounts={accounts} tokenRequired={tokenRequired} />
    </StrictMode>,
  );
}

void boot();
