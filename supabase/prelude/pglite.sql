-- Stand-in for what a Supabase project already has, applied ONLY to the embedded PGlite and to test
-- databases, before supabase/migrations. Production Supabase never runs this file: its auth schema,
-- roles and realtime publication are real. Everything here is idempotent.

create schema if not exists auth;

-- Supabase's auth.users, reduced to what foreign keys need.
create table if not exists auth.users (
  id uuid primary key,
  email text
);

-- Supabase's auth.uid(): the `sub` claim of the caller's JWT, as PostgREST sets it per request.
-- Tests and the embedded backend set `request.jwt.claim.sub` (or `request.jwt.claims`) themselves.
create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
  )::uuid
$$;

do $$
begin
  create role anon nologin noinherit;
exception when duplicate_object then null;
end $$;

do $$
begin
  create role authenticated nologin noinherit;
exception when duplicate_object then null;
end $$;

-- Supabase's service role bypasses row level security; the service writes with it.
do $$
begin
  create role service_role nologin noinherit bypassrls;
exception when duplicate_object then null;
end $$;

grant usage on schema public to anon, authenticated, service_role;
grant usage on schema auth to anon, authenticated, service_role;
grant execute on function auth.uid() to anon, authenticated, service_role;

do $$
begin
  create publication supabase_realtime;
exception when duplicate_object then null;
end $$;
