-- The on-stream overlay (issue 31): one row per show that has an overlay link or a featured message.
-- A separate table, not columns of stream_sessions: that table is read by the dashboard and published to
-- Supabase Realtime, and neither should carry the link's hash; the row is also written before the
-- forwarder has stored the show (a seller may open the overlay a moment after Start), so it names its
-- show by id and its seller directly instead of waiting for the show's row.
--
-- The token itself is never stored: only its SHA-256 (hex). A link is a bearer secret that reads one
-- show's overlay and nothing else; a new link replaces the hash, so the old one stops working.

create table public.show_overlays (
  stream_session_id text primary key check (char_length(stream_session_id) between 1 and 200),
  -- The seller (accounts); null: the service's own shows (no accounts).
  owner_id uuid references auth.users (id) on delete cascade,
  token_hash text unique check (token_hash ~ '^[0-9a-f]{64}$'),
  token_created_at timestamptz,
  -- The message the seller features on stream: {messageId, author, text, platform, sentAt?, featuredAt}.
  featured jsonb,
  updated_at timestamptz not null default now()
);

create index show_overlays_owner_idx on public.show_overlays (owner_id);

alter table public.show_overlays enable row level security;

-- Sellers read their own shows' overlay rows, all but the link's hash (as with webhook secrets, the API
-- shows a link once). Writes go through the service, which names the owner in every statement.
create policy "owners read their overlays" on public.show_overlays
  for select to authenticated
  using (owner_id = (select auth.uid()));

revoke all on public.show_overlays from anon;
revoke all on public.show_overlays from authenticated;
grant select (stream_session_id, owner_id, token_created_at, featured, updated_at) on public.show_overlays to authenticated;
grant all on public.show_overlays to service_role;

-- On a Supabase project new tables come with the `authenticated` role's default privileges on every
-- column; 0007 granted webhook_endpoints' readable columns but did not take the table-wide grant away,
-- so a seller's token could read their own signing secrets there. Only the listed columns remain.
revoke all on public.webhook_endpoints from authenticated;
grant select (id, owner_id, url, events, enabled, description, disabled_reason, created_at) on public.webhook_endpoints to authenticated;
