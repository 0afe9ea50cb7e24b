/** The dashboard's composition root: the live client, the buyer cue, the React tree. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { createBeeper } from './cue.ts';
import { LiveClient } from './feed/client.ts';
import './styles.css';

const client = new LiveClient();
const beeper = createBeeper();
client.start();

// Read-only view for end-to-end tests and support: the list is virtualized, so the DOM shows a window only.
(window as unknown as { __earshot: unknown }).__earshot = {
  snapshot: (sessionId: string) => client.snapshot(sessionId),
  connection: () => client.connection.state,
};

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App client={client} beeper={beeper} />
  </StrictMode>,
);
