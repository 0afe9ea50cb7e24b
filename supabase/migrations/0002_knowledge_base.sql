-- Knowledge base, chat commands and the reply outbox.
--
-- kb_documents / kb_chunks: the seller's own documents (shipping, returns, sizing...), cut into chunks
--   along headings and paragraphs. Each chunk carries a full-text vector (generated, GIN-indexed) and an
--   optional embedding (text-embedding-3-small: 1536 dimensions) when an LLM is configured.
-- hybrid_search(): Supabase's hybrid search pattern: full-text (websearch_to_tsquery + ts_rank_cd) and
--   cosine distance when an embedding is given, fused by reciprocal rank.
-- bot_commands: `!name args` responses with cooldowns, roles, allowed users and only-when-live.
-- bot_settings: per-session switches (auto-answer questions, delivery, trigger override).
-- bot_replies: the outbox of everything the bot wants to say (suggested / pending / sent / failed).
--
-- Applies to Supabase's Postgres (the CLI) and to the embedded PGlite (with its vector extension) alike.
-- Self-contained: needs only 0001_core.sql (stream_sessions) and the prelude's auth schema and roles.

-- Supabase keeps extensions in the `extensions` schema (on its roles' search_path); PGlite has no such
-- schema and installs into public. `if not exists` leaves an already enabled vector where it is.
-- A PostgreSQL without pgvector (Debian's packages, a self-hosted server) still gets the whole schema:
-- chunks keep their embeddings as real[] and search is full-text only (/health: vectorSearch false).
do $$
begin
  if not exists (select 1 from pg_available_extensions where name = 'vector') then
    raise notice 'pgvector is not installed: the knowledge base searches full text only';
  elsif exists (select 1 from pg_namespace where nspname = 'extensions') then
    create extension if not exists vector with schema extensions;
  else
    create extension if not exists vector;
  end if;
end $$;

create table public.kb_documents (
  id uuid primary key default gen_random_uuid(),
  -- The seller owning the document; null = the service's own (embedded mode, no dashboard users).
  owner_id uuid references auth.users (id) on delete cascade,
  title text not null check (char_length(title) between 1 and 300),
  -- What the upload was: pdf, txt or md (the text is already extracted).
  source_type text not null check (source_type in ('pdf', 'txt', 'md')),
  byte_size integer not null default 0 check (byte_size >= 0),
  char_count integer not null default 0 check (char_count >= 0),
  chunk_count integer not null default 0 check (chunk_count >= 0),
  -- sha256 of the extracted text: the same document uploaded twice is stored once.
  content_hash text not null,
  -- Model that produced the chunks' embeddings (null: full-text only).
  embedding_model text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create unique index kb_documents_owner_hash_idx on public.kb_documents (coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid), content_hash);
create index kb_documents_owner_idx on public.kb_documents (owner_id, created_at desc);

create table public.kb_chunks (
  id bigint generated always as identity primary key,
  document_id uuid not null references public.kb_documents (id) on delete cascade,
  -- Denormalized owner so search filters without a join.
  owner_id uuid,
  ordinal integer not null check (ordinal >= 0),
  -- The heading path the chunk sits under ("Shipping > International"), searchable with the text.
  heading text not null default '' check (char_length(heading) <= 500),
  content text not null check (char_length(content) between 1 and 8000),
  -- 'english' stems ("returns" finds "return", "shipping" finds "ship"): seller documents are prose.
  fts tsvector generated always as (
    setweight(to_tsvector('english', heading), 'A') || setweight(to_tsvector('english', content), 'B')
  ) stored,
  constraint kb_chunks_document_ordinal unique (document_id, ordinal)
);

create index kb_chunks_fts_idx on public.kb_chunks using gin (fts);
create index kb_chunks_owner_idx on public.kb_chunks (owner_id);

-- The embedding column: a pgvector column with an HNSW index where pgvector is installed, else real[]
-- (documents.ts writes real[] either way; pgvector's assignment cast turns it into a vector).
do $$
begin
  if exists (select 1 from pg_extension where extname = 'vector') then
    execute 'alter table public.kb_chunks add column embedding vector(1536)';
    execute 'create index kb_chunks_embedding_idx on public.kb_chunks using hnsw (embedding vector_cosine_ops)';
  else
    execute 'alter table public.kb_chunks add column embedding real[]';
  end if;
end $$;

create table public.bot_commands (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid references auth.users (id) on delete cascade,
  -- Lower-case name without the "!" ("shipping" answers "!shipping").
  name text not null check (name ~ '^[a-z0-9_-]{1,32}$'),
  -- Template with {user} and {args} placeholders.
  response text not null check (char_length(response) between 1 and 500),
  enabled boolean not null default true,
  cooldown_global_sec integer not null default 0 check (cooldown_global_sec between 0 and 86400),
  cooldown_user_sec integer not null default 0 check (cooldown_user_sec between 0 and 86400),
  -- Empty: everyone. Otherwise any of moderator, vip, subscriber, member (the channel owner always may).
  allowed_roles text[] not null default '{}',
  -- Lower-case user names allowed in addition to the roles (empty: no extra users).
  allowed_users text[] not null default '{}',
  only_when_live boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create unique index bot_commands_owner_name_idx on public.bot_commands (coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid), name);

-- Settings may exist before the session does (set up the bot, then start monitoring): no foreign key.
create table public.bot_settings (
  stream_session_id text primary key check (char_length(stream_session_id) between 1 and 200),
  -- Answer every message classified as a question, not only those addressing the trigger.
  auto_answer boolean not null default false,
  -- 'suggest': replies stay suggestions on the dashboard; 'send': the service delivers them.
  delivery text not null default 'suggest' check (delivery in ('suggest', 'send')),
  -- Overrides BOT_TRIGGER for this session.
  trigger text check (trigger is null or char_length(trigger) between 1 and 50),
  -- A signed-in browser profile of the service (DATA_DIR/profiles/<name>.json cookies) that types replies
  -- into browser platforms' chats.
  browser_profile text check (browser_profile is null or browser_profile ~ '^[A-Za-z0-9_-]{1,64}$'),
  updated_at timestamptz not null default now()
);

create table public.bot_replies (
  id uuid primary key default gen_random_uuid(),
  -- Insertion order (replies of one batch share created_at): delivery goes oldest first.
  seq bigint generated always as identity,
  stream_session_id text not null references public.stream_sessions (id) on delete cascade,
  -- The chat message this reply answers (its message key); null for replies not tied to one.
  message_key text,
  kind text not null check (kind in ('answer', 'command')),
  command_id uuid references public.bot_commands (id) on delete set null,
  -- Who asked (lower-cased for per-user cooldowns).
  username text not null default '',
  question text not null default '',
  text text not null check (char_length(text) between 1 and 500),
  sources jsonb not null default '[]',
  status text not null check (status in ('suggested', 'pending', 'sent', 'failed')),
  -- Why a reply is failed or stayed a suggestion (rate_limited, expired, no_transport, the API's reason...).
  reason text,
  attempts integer not null default 0,
  -- When it last became pending (at creation, or when a person chose to send a suggestion): replies
  -- waiting too long since then expire.
  queued_at timestamptz,
  next_attempt_at timestamptz,
  platform_reply_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  sent_at timestamptz
);

-- One reply per message (the ingest hook runs once per message; retries must not answer twice).
create unique index bot_replies_message_idx on public.bot_replies (stream_session_id, message_key) where message_key is not null;
create index bot_replies_session_time_idx on public.bot_replies (stream_session_id, created_at desc, seq desc);
create index bot_replies_pending_idx on public.bot_replies (next_attempt_at) where status = 'pending';
create index bot_replies_command_idx on public.bot_replies (command_id, stream_session_id, created_at desc) where command_id is not null;

-- Hybrid search over one owner's chunks. `query_text` is web-search syntax (the core joins a question's
-- words with "or"); `query_embedding` may be null (no LLM configured): then it is full-text only.
-- Without pgvector the same function takes the (always null) embedding as text and ranks by full text.
do $do$
begin
  if exists (select 1 from pg_extension where extname = 'vector') then
    execute $sql$
create or replace function public.hybrid_search(
  query_text text,
  query_embedding vector(1536),
  match_count integer,
  owner uuid default null,
  full_text_weight double precision default 1,
  semantic_weight double precision default 1,
  rrf_k integer default 50
)
returns table (
  chunk_id bigint,
  document_id uuid,
  title text,
  heading text,
  content text,
  fts_rank real,
  similarity double precision,
  score double precision
)
language sql
stable
set search_path = public, extensions
as $body$
  with full_text as (
    select c.id,
           ts_rank_cd(c.fts, websearch_to_tsquery('english', query_text)) as rank,
           row_number() over (order by ts_rank_cd(c.fts, websearch_to_tsquery('english', query_text)) desc, c.id) as rank_ix
      from public.kb_chunks c
     where c.owner_id is not distinct from owner
       and c.fts @@ websearch_to_tsquery('english', query_text)
     order by rank_ix
     limit least(match_count, 30) * 2
  ),
  semantic as (
    select c.id,
           1 - (c.embedding <=> query_embedding) as similarity,
           row_number() over (order by c.embedding <=> query_embedding, c.id) as rank_ix
      from public.kb_chunks c
     where query_embedding is not null
       and c.embedding is not null
       and c.owner_id is not distinct from owner
     order by rank_ix
     limit least(match_count, 30) * 2
  )
  select c.id, c.document_id, d.title, c.heading, c.content,
         coalesce(full_text.rank, 0)::real,
         semantic.similarity,
         coalesce(1.0 / (rrf_k + full_text.rank_ix), 0.0) * full_text_weight
           + coalesce(1.0 / (rrf_k + semantic.rank_ix), 0.0) * semantic_weight
    from full_text
    full outer join semantic on full_text.id = semantic.id
    join public.kb_chunks c on c.id = coalesce(full_text.id, semantic.id)
    join public.kb_documents d on d.id = c.document_id
   order by 8 desc, c.id
   limit least(match_count, 30)
$body$;
    $sql$;
    execute 'grant execute on function public.hybrid_search(text, vector, integer, uuid, double precision, double precision, integer) to authenticated, service_role';
  else
    execute $sql$
create or replace function public.hybrid_search(
  query_text text,
  query_embedding text,
  match_count integer,
  owner uuid default null,
  full_text_weight double precision default 1,
  semantic_weight double precision default 1,
  rrf_k integer default 50
)
returns table (
  chunk_id bigint,
  document_id uuid,
  title text,
  heading text,
  content text,
  fts_rank real,
  similarity double precision,
  score double precision
)
language sql
stable
set search_path = public
as $body$
  with full_text as (
    select c.id,
           ts_rank_cd(c.fts, websearch_to_tsquery('english', query_text)) as rank,
           row_number() over (order by ts_rank_cd(c.fts, websearch_to_tsquery('english', query_text)) desc, c.id) as rank_ix
      from public.kb_chunks c
     where c.owner_id is not distinct from owner
       and c.fts @@ websearch_to_tsquery('english', query_text)
     order by rank_ix
     limit least(match_count, 30)
  )
  select c.id, c.document_id, d.title, c.heading, c.content,
         full_text.rank::real,
         null::double precision,
         (1.0 / (rrf_k + full_text.rank_ix)) * full_text_weight
    from full_text
    join public.kb_chunks c on c.id = full_text.id
    join public.kb_documents d on d.id = c.document_id
   order by 8 desc, c.id
$body$;
    $sql$;
    execute 'grant execute on function public.hybrid_search(text, text, integer, uuid, double precision, double precision, integer) to authenticated, service_role';
  end if;
end $do$;

-- Row level security: sellers read (and manage) their own documents and commands, and read the replies
-- and settings of their own sessions; the service writes with service_role (which bypasses RLS).
alter table public.kb_documents enable row level security;
alter table public.kb_chunks enable row level security;
alter table public.bot_commands enable row level security;
alter table public.bot_settings enable row level security;
alter table public.bot_replies enable row level security;

create policy "owners manage their documents" on public.kb_documents
  for all to authenticated
  using (owner_id = (select auth.uid()))
  with check (owner_id = (select auth.uid()));

create policy "owners manage chunks of their documents" on public.kb_chunks
  for all to authenticated
  using (owner_id = (select auth.uid()))
  with check (owner_id = (select auth.uid()));

create policy "owners manage their commands" on public.bot_commands
  for all to authenticated
  using (owner_id = (select auth.uid()))
  with check (owner_id = (select auth.uid()));

create policy "owners read settings of their sessions" on public.bot_settings
  for select to authenticated
  using (exists (
    select 1 from public.stream_sessions s
    where s.id = bot_settings.stream_session_id and s.owner_id = (select auth.uid())
  ));

create policy "owners read replies of their sessions" on public.bot_replies
  for select to authenticated
  using (exists (
    select 1 from public.stream_sessions s
    where s.id = bot_replies.stream_session_id and s.owner_id = (select auth.uid())
  ));

revoke all on public.kb_documents, public.kb_chunks, public.bot_commands, public.bot_settings, public.bot_replies from anon;
grant select, insert, update, delete on public.kb_documents, public.kb_chunks, public.bot_commands to authenticated;
grant select on public.bot_settings, public.bot_replies to authenticated;
grant all on public.kb_documents, public.kb_chunks, public.bot_commands, public.bot_settings, public.bot_replies to service_role;
grant usage, select on all sequences in schema public to service_role, authenticated;

-- Dashboards follow reply statuses live (RLS applies to what they receive).
alter publication supabase_realtime add table public.bot_replies;
