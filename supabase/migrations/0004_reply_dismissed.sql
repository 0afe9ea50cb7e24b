-- A suggested answer the seller decided not to send is `dismissed`: kept in the outbox (it is history),
-- never delivered, and hidden on every dashboard of that seller, not just the one that dismissed it.
alter table public.bot_replies drop constraint if exists bot_replies_status_check;
alter table public.bot_replies add constraint bot_replies_status_check
  check (status in ('suggested', 'pending', 'sent', 'failed', 'dismissed'));
