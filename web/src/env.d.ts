/// <reference types="vite/client" />

/** Build-time settings (only VITE_-prefixed variables reach the bundle). */
interface ImportMetaEnv {
  readonly VITE_SUPABASE_URL?: string;
  readonly VITE_SUPABASE_ANON_KEY?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
