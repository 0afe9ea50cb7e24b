-- Shows and lots: the claims ledger (who won which lot, at what price), stored with the show.
-- One row per lot of a show; "A1" announced again is a second row "A1 (2)" (unique code per show).
-- Winner and waitlist are small JSON documents ({username, messageId, at, quantity?, size?}): they are
-- read and written whole by the ledger and never queried on their own.

alter table public.stream_sessions
  -- The host's usernames given at start (seller): their messages announce lots, like a host badge.
  add column if not exists sellers text[] not null default '{}',
  -- The last chat_messages.id the ledger has read: ingest applies each message once, in order, even
  -- when a crash fell between classifying a batch and updating the ledger.
  add column if not exists ledger_cursor bigint not null default 0;

create table public.lots (
  id bigint generated always as identity primary key,
  stream_session_id text not null references public.stream_sessions (id) on delete cascade,
  code text not null check (char_length(code) between 1 and 40),
  base_code text not null check (char_length(base_code) between 1 and 30),
  ord integer not null,
  title text check (char_length(title) <= 200),
  price numeric(14, 2) check (price >= 0),
  status text not null default 'open' check (status in ('open', 'sold', 'unsold', 'void')),
  winner jsonb,
  waitlist jsonb not null default '[]',
  paid boolean not null default false,
  packed boolean not null default false,
  shipped boolean not null default false,
  announced_message_key text,
  announced_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint lots_session_code unique (stream_session_id, code)
);

create index lots_session_ord_idx on public.lots (stream_session_id, ord);

-- Sales carry the lot they were won on (the pick list and DealFlow's sales view show it).
alter table public.sales_captured add column if not exists lot_code text;

alter table public.lots enable row level security;

create policy "owners read lots of their sessions" on public.lots
  for select to authenticated
  using (exists (
    select 1 from public.stream_sessions s
    where s.id = lots.stream_session_id and s.owner_id = (select auth.uid())
  ));

revoke all on public.lots from anon;
grant select on public.lots to authenticated;
grant all on public.lots to service_role;
grant usage, select on all sequences in schema public to service_role;

-- Dashboards subscribe to postgres_changes on lots (RLS applies to what they receive).
alter publication supabase_realtime add table public.lots;
