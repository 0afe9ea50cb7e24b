-- Stand-in for what a Supabase project already has, applied before supabase/migrations to the embedded
-- PGlite, to test databases and to a DATABASE_URL server (which may be a plain PostgreSQL or a Supabase
-- project's own database). The Supabase CLI never runs this file. Every statement first looks for what it
-- would create and leaves an existing one alone: Supabase's real auth schema, auth.uid(), roles and
-- realtime publication are never replaced, and a database user without CREATEROLE works once the roles
-- exist.

do $$
begin
  if not exists (select from pg_namespace where nspname = 'auth') then
    create schema auth;
  end if;
end $$;

-- Supabase's auth.users, reduced to what foreign keys need.
do $$
begin
  if to_regclass('auth.users') is null then
    create table auth.users (
      id uuid primary key,
      email text
    );
  end if;
end $$;

-- Supabase's auth.uid(): the `sub` claim of the caller's JWT, as PostgREST sets it per request.
-- Tests and the embedded backend set `request.jwt.claim.sub` (or `request.jwt.claims`) themselves.
do $$
begin
  if to_regprocedure('auth.uid()') is null then
    create function auth.uid() returns uuid
    language sql stable
    as $body$
      select coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
      )::uuid
    $body$;
  end if;
end $$;

do $$
begin
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  -- Supabase's service role bypasses row level security; the service writes with it.
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
end $$;

-- Where the objects are someone else's (Supabase's own database), they already carry these grants.
do $$
begin
  grant usage on schema public to anon, authenticated, service_role;
  grant usage on schema auth to anon, authenticated, service_role;
  grant execute on function auth.uid() to anon, authenticated, service_role;
exception when insufficient_privilege then null;
end $$;

do $$
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end $$;
