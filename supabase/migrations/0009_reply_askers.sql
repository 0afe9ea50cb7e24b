-- Answers in a busy show (issue 28).
--
-- A show without bot settings of its own takes the ones its seller saved most recently on another show
-- (supabase/functions/_shared/kb/settings.ts). A seller's shows are found by stream_sessions_owner_idx;
-- owner-less shows (no accounts) by the newest settings first.
create index if not exists bot_settings_updated_idx on public.bot_settings (updated_at desc);

-- The same question from many viewers is one suggestion: later askers of a suggested answer (same words,
-- or the same question, within 10 minutes) are added to it instead of a new row each. The platform's
-- names of everyone who asked, first asker first, at most 50 (the dashboard says "and N more"; Reply to
-- all mentions as many as fit in one chat message). Read with the reply (RLS and grants of bot_replies).
alter table public.bot_replies add column if not exists askers jsonb not null default '[]'
  check (jsonb_typeof(askers) = 'array' and jsonb_array_length(askers) <= 50);
-- The merge looks for the session's recent suggestions.
create index if not exists bot_replies_suggested_idx on public.bot_replies (stream_session_id, created_at desc)
  where status = 'suggested' and kind = 'answer';
