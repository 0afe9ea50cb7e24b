-- One model of a sale (issue 25): a lot's assignments (lot, buyer) carry their own paid/packed/shipped
-- marks, a lot has a version (409 lot_changed for a stale correction), prices are integer cents, and
-- every change to a lot is written down (lot_history: when, by whom, before -> after).
-- Assignments and the auction are small JSON documents read and written whole with their lot, like
-- winner and waitlist (0003).

alter table public.lots
  add column if not exists price_cents bigint check (price_cents >= 0),
  add column if not exists version integer not null default 1,
  -- Every assignment the lot had, oldest first: [{id, username, messageId, at, priceCents, paid, packed,
  -- shipped, invoiced?, state}]; the one with state 'current' (or 'voided' on a void lot) is the winner's.
  add column if not exists assignments jsonb not null default '[]',
  add column if not exists auction jsonb;

-- Lots stored before cents: their price in cents, and the winner's marks as an assignment of their own.
update public.lots set price_cents = round(price * 100) where price is not null and price_cents is null;
update public.lots
   set assignments = jsonb_build_array(jsonb_build_object(
         'id', 'a1', 'username', winner->>'username', 'messageId', winner->'messageId', 'at', winner->>'at',
         'priceCents', price_cents, 'paid', paid, 'packed', packed, 'shipped', shipped,
         'state', case when status = 'void' then 'voided' else 'current' end))
 where winner is not null and assignments = '[]'::jsonb;

create table public.lot_history (
  id bigint generated always as identity primary key,
  stream_session_id text not null references public.stream_sessions (id) on delete cascade,
  code text not null check (char_length(code) between 1 and 40),
  at timestamptz not null,
  -- {kind:'message', messageId, username} or {kind:'seller', userId}
  actor jsonb not null,
  -- The message behind a chat change (joins chat_messages for the audit's platform and capture times).
  message_key text,
  action text not null check (char_length(action) <= 20),
  reason text check (char_length(reason) <= 300),
  before jsonb,
  after jsonb not null,
  created_at timestamptz not null default now()
);

create index lot_history_session_code_idx on public.lot_history (stream_session_id, code, id);

alter table public.lot_history enable row level security;

create policy "owners read lot history of their sessions" on public.lot_history
  for select to authenticated
  using (exists (
    select 1 from public.stream_sessions s
    where s.id = lot_history.stream_session_id and s.owner_id = (select auth.uid())
  ));

revoke all on public.lot_history from anon;
grant select on public.lot_history to authenticated;
grant all on public.lot_history to service_role;
grant usage, select on all sequences in schema public to service_role;
