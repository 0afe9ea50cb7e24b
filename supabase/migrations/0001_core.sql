-- Earshot core schema: live-stream sessions, every chat message once, and captured buyers.
-- Applied by the Supabase CLI in production and by the service to its embedded PGlite at start (after
-- supabase/prelude/pglite.sql, which stands in for Supabase's auth schema, roles and realtime publication).
-- Column names the seed systems (DealFlow) read are kept: stream_session_id, username, message, platform,
-- created_at; buyer_username, message_text, item_description, estimated_value, captured_at.

create table public.stream_sessions (
  -- Earshot's session id ("whatnot-1a2b3c4d5e") or the seed's uuid: text holds both.
  id text primary key check (char_length(id) between 1 and 200),
  -- The dashboard user who owns the session; rows of a session are visible only to its owner.
  owner_id uuid references auth.users (id) on delete cascade,
  platform text not null default 'generic',
  url text,
  source text,
  status text not null default 'live',
  detail text,
  message_count integer not null default 0,
  buyer_count integer not null default 0,
  started_at timestamptz not null default now(),
  last_message_at timestamptz,
  ended_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index stream_sessions_owner_idx on public.stream_sessions (owner_id);

create table public.chat_messages (
  id bigint generated always as identity primary key,
  stream_session_id text not null references public.stream_sessions (id) on delete cascade,
  -- Identity of the message within its session: the platform's message id, or the stream-position id
  -- Earshot derived. Unique per session, so every write is idempotent.
  message_key text not null check (char_length(message_key) between 1 and 200),
  -- The platform's own message id when the caller marked the key as one.
  platform_message_id text,
  username text not null check (char_length(username) <= 200),
  author_id text,
  author_badges text[] not null default '{}',
  message text not null check (char_length(message) <= 2000),
  platform text not null,
  kind text,
  paid_amount numeric(14, 2),
  paid_currency text,
  backfill boolean not null default false,
  sent_at timestamptz,
  captured_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  -- Classification (null until classified: a crash between store and classify is repaired on retry).
  intent text check (intent in ('purchase', 'question', 'other')),
  confidence double precision check (confidence between 0 and 1),
  classified_by text,
  quantity integer,
  price numeric(14, 2),
  item_code text,
  size text,
  item text,
  deleted boolean not null default false,
  deleted_at timestamptz,
  -- 'simple' configuration: chat is multilingual and full of slang, stemming would hurt more than help.
  search tsvector generated always as (to_tsvector('simple', username || ' ' || message)) stored,
  constraint chat_messages_session_key unique (stream_session_id, message_key)
);

-- History pages: newest first within a session, with (captured_at, id) as the cursor.
create index chat_messages_session_time_idx on public.chat_messages (stream_session_id, captured_at desc, id desc);
create index chat_messages_search_idx on public.chat_messages using gin (search);
-- Retention deletes across all sessions by age.
create index chat_messages_captured_at_idx on public.chat_messages (captured_at);

create table public.sales_captured (
  id bigint generated always as identity primary key,
  stream_session_id text not null references public.stream_sessions (id) on delete cascade,
  -- Sales outlive chat retention: the message row may be gone, the sale stays.
  chat_message_id bigint references public.chat_messages (id) on delete set null,
  message_key text not null,
  buyer_username text not null,
  message_text text not null,
  item_description text,
  estimated_value numeric(14, 2),
  quantity integer,
  item_code text,
  size text,
  confidence double precision not null check (confidence between 0 and 1),
  platform text,
  captured_at timestamptz not null default now(),
  constraint sales_captured_session_key unique (stream_session_id, message_key)
);

create index sales_captured_session_time_idx on public.sales_captured (stream_session_id, captured_at desc);

-- Row level security: a signed-in user reads only rows of sessions they own; only the service
-- (service_role, which bypasses RLS, or the database owner) writes.
alter table public.stream_sessions enable row level security;
alter table public.chat_messages enable row level security;
alter table public.sales_captured enable row level security;

create policy "owners read their sessions" on public.stream_sessions
  for select to authenticated
  using (owner_id = (select auth.uid()));

create policy "owners read messages of their sessions" on public.chat_messages
  for select to authenticated
  using (exists (
    select 1 from public.stream_sessions s
    where s.id = chat_messages.stream_session_id and s.owner_id = (select auth.uid())
  ));

create policy "owners read sales of their sessions" on public.sales_captured
  for select to authenticated
  using (exists (
    select 1 from public.stream_sessions s
    where s.id = sales_captured.stream_session_id and s.owner_id = (select auth.uid())
  ));

revoke all on public.stream_sessions, public.chat_messages, public.sales_captured from anon;
grant select on public.stream_sessions, public.chat_messages, public.sales_captured to authenticated;
grant all on public.stream_sessions, public.chat_messages, public.sales_captured to service_role;
grant usage, select on all sequences in schema public to service_role;

-- Dashboards subscribe to postgres_changes on these tables (RLS applies to what they receive).
alter publication supabase_realtime add table public.stream_sessions, public.chat_messages, public.sales_captured;
