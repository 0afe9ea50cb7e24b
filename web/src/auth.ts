/**
 * Accounts in the dashboard: the service says at run time (GET /api/config) whether it has accounts and
 * which Supabase project signs sellers in, so one built image serves any project (no build-time VITE_
 * variables). supabase-js keeps the session in localStorage and refreshes it before it expires; every
 * change of token is handed to api.ts, which puts it on /api calls (Bearer) and on /ws (access_token).
 * supabase-js is loaded on demand: a service without accounts never downloads it.
 */
import type { Session, SupabaseClient } from '@supabase/supabase-js';
import { setAccessToken } from './api.ts';

/** GET /api/config (public). */
export interface PublicConfig {
  accounts: boolean;
  supabaseUrl?: string | null;
  supabaseAnonKey?: string | null;
  /** The service stores rows in that Supabase project (Supabase mode): follow them by Realtime too. */
  realtime?: boolean;
  apiToken?: boolean;
}

export type AuthState =
  | { phase: 'loading' }
  | { phase: 'signed_out'; error?: string }
  | { phase: 'signed_in'; email: string; userId: string };

/** One seller's sign-in with the project's Supabase Auth. */
export class Accounts {
  state: AuthState = { phase: 'loading' };
  private readonly listeners = new Set<(state: AuthState) => void>();

  private constructor(
    readonly client: SupabaseClient,
    readonly realtime: boolean,
  ) {}

  /** Creates the client, restores a kept session (or one a magic link just brought in the URL). */
  static async start(config: PublicConfig): Promise<Accounts> {
    if (!config.supabaseUrl || !config.supabaseAnonKey) {
      throw new Error('The service has accounts but no SUPABASE_ANON_KEY / AUTH_URL for the dashboard: set them and restart.');
    }
    const { createClient } = await import('@supabase/supabase-js');
    const client = createClient(config.supabaseUrl, config.supabaseAnonKey, {
      auth: { persistSession: true, autoRefreshToken: true, detectSessionInUrl: true, flowType: 'implicit', storageKey: 'earshot.auth' },
    });
    const accounts = new Accounts(client, config.realtime === true);
    client.auth.onAuthStateChange((_event, session) => accounts.apply(session));
    const { data, error } = await client.auth.getSession();
    accounts.apply(data.session, error?.message);
    return accounts;
  }

  /** Calls `listener` on every change; returns the function that stops it. */
  subscribe(listener: (state: AuthState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async signInWithPassword(email: string, password: string): Promise<string | null> {
    const { error } = await this.client.auth.signInWithPassword({ email, password });
    return error ? error.message : null;
  }

  /** Sends a sign-in link; following it brings the browser back here signed in. */
  async sendMagicLink(email: string): Promise<string | null> {
    const { error } = await this.client.auth.signInWithOtp({
      email,
      options: { emailRedirectTo: `${location.origin}/`, shouldCreateUser: false },
    });
    return error ? error.message : null;
  }

  /** Gets a new access token now (the service closed the socket with 4401). */
  async refresh(): Promise<void> {
    const { data } = await this.client.auth.refreshSession();
    if (data.session) this.apply(data.session);
  }

  async signOut(): Promise<void> {
    await this.client.auth.signOut();
    this.apply(null);
  }

  private apply(session: Session | null, error?: string): void {
    setAccessToken(session?.access_token ?? '');
    const next: AuthState = session
      ? { phase: 'signed_in', email: session.user.email ?? '', userId: session.user.id }
      : { phase: 'signed_out', ...(error ? { error } : {}) };
    const same =
      next.phase === this.state.phase &&
      (next.phase !== 'signed_in' || (this.state.phase === 'signed_in' && this.state.userId === next.userId));
    this.state = next;
    if (!same) for (const listener of this.listeners) listener(next);
  }
}

let current: Accounts | undefined;

/**
 * The signed-in client, for Realtime (rows then arrive under the seller's RLS), when accounts are on and
 * the service keeps its rows in that project.
 */
export function accountsClient(): SupabaseClient | undefined {
  return current?.realtime && current.state.phase === 'signed_in' ? current.client : undefined;
}

/** Reads the service's public config; a service too old to have it has no accounts. */
export async function loadPublicConfig(): Promise<PublicConfig> {
  try {
    const res = await fetch('/api/config', { cache: 'no-store' });
    if (!res.ok) return { accounts: false };
    return (await res.json()) as PublicConfig;
  } catch {
    return { accounts: false };
  }
}

/** Starts accounts when the service has them (undefined otherwise). */
export async function startAccounts(config: PublicConfig): Promise<Accounts | undefined> {
  if (!config.accounts) return undefined;
  current = await Accounts.start(config);
  return current;
}
