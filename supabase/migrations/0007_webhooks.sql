-- Outgoing webhooks (issue 31): a seller's endpoints (an https URL, the events it wants, its signing
-- secret) and the durable outbox of deliveries. A delivery row is written before anything is sent, so an
-- event is delivered at least once whatever restarts in between; (endpoint, event id) is unique, so an
-- event enqueued twice (a retried batch, two instances) is one delivery. The event id is the
-- webhook-id header: receivers deduplicate on it.

create table public.webhook_endpoints (
  id uuid primary key default gen_random_uuid(),
  -- The seller (accounts); null: the service's own endpoints (no accounts).
  owner_id uuid references auth.users (id) on delete cascade,
  url text not null check (char_length(url) <= 2000),
  events text[] not null,
  -- whsec_<base64 of 32 random bytes>: shown once, when created or rotated.
  secret text not null,
  enabled boolean not null default true,
  description text check (char_length(description) <= 200),
  -- Why the service turned it off (a receiver answered 410 Gone).
  disabled_reason text check (char_length(disabled_reason) <= 200),
  created_at timestamptz not null default now()
);

create index webhook_endpoints_owner_idx on public.webhook_endpoints (owner_id);

create table public.webhook_deliveries (
  id bigint generated always as identity primary key,
  endpoint_id uuid not null references public.webhook_endpoints (id) on delete cascade,
  event_id text not null check (char_length(event_id) <= 300),
  event_type text not null check (char_length(event_type) <= 40),
  -- Deliveries of one (endpoint, show) go out in id order: the next waits for the one before it.
  session_id text not null default '',
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'dead')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  -- A worker's claim on the row while it sends (several instances share the table).
  lease_until timestamptz,
  last_status integer,
  last_error text check (char_length(last_error) <= 500),
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  constraint webhook_deliveries_event unique (endpoint_id, event_id)
);

create index webhook_deliveries_queue_idx on public.webhook_deliveries (endpoint_id, session_id, id) where status = 'pending';
create index webhook_deliveries_endpoint_idx on public.webhook_deliveries (endpoint_id, id desc);

alter table public.webhook_endpoints enable row level security;
alter table public.webhook_deliveries enable row level security;

create policy "owners read their webhook endpoints" on public.webhook_endpoints
  for select to authenticated
  using (owner_id = (select auth.uid()));

create policy "owners read deliveries of their endpoints" on public.webhook_deliveries
  for select to authenticated
  using (exists (
    select 1 from public.webhook_endpoints e
    where e.id = webhook_deliveries.endpoint_id and e.owner_id = (select auth.uid())
  ));

revoke all on public.webhook_endpoints from anon;
revoke all on public.webhook_deliveries from anon;
-- Secrets are never read by a browser: the dashboard goes through the service's API.
grant select (id, owner_id, url, events, enabled, description, disabled_reason, created_at) on public.webhook_endpoints to authenticated;
grant select on public.webhook_deliveries to authenticated;
grant all on public.webhook_endpoints to service_role;
grant all on public.webhook_deliveries to service_role;
grant usage, select on all sequences in schema public to service_role;
