/**
 * Builds the dashboard (web/) to static files in web/dist, which the service serves at /.
 * `npm run build:web` or scripts/build.js run it; VITE_SUPABASE_URL / VITE_SUPABASE_ANON_KEY are read at build time.
 */
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv, type Plugin } from 'vite';

const webDir = __dirname;
const repoRoot = path.resolve(webDir, '..');

/**
 * A Content-Security-Policy meta tag: chat text is hostile, so even if some future change rendered it as
 * markup, the page would run no inline script and load nothing from other origins (except the
 * configured Supabase project for realtime).
 */
function contentSecurityPolicy(supabaseUrl: string | undefined): Plugin {
  let supabase = '';
  if (supabaseUrl) {
    const origin = new URL(supabaseUrl).origin;
    supabase = ` ${origin} ${origin.replace(/^http/, 'ws')}`;
  }
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self'${supabase}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
  return {
    name: 'earshot-csp',
    transformIndexHtml: {
      order: 'post',
      handler: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: policy }, injectTo: 'head-prepend' }],
    },
  };
}

export default defineConfig(({ mode }) => {
  // Only VITE_-prefixed variables reach the bundle (process.env wins over .env files); server secrets
  // in the same .env stay out.
  const env = loadEnv(mode, repoRoot, 'VITE_');
  return {
    root: webDir,
    base: '/',
    envDir: repoRoot,
    plugins: [react(), contentSecurityPolicy(env.VITE_SUPABASE_URL || undefined)],
    build: {
      outDir: path.join(webDir, 'dist'),
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      chunkSizeWarningLimit: 400,
      // Two pages: the dashboard, and the on-stream overlay an OBS browser source opens (/overlay/:id).
      rollupOptions: { input: { main: path.join(webDir, 'index.html'), overlay: path.join(webDir, 'overlay.html') } },
    },
    server: {
      // `vite --config web/vite.config.ts` for dashboard development against a running service.
      proxy: {
        '/api': 'http://127.0.0.1:3001',
        '/health': 'http://127.0.0.1:3001',
        '/demo': 'http://127.0.0.1:3001',
        '/ws': { target: 'ws://127.0.0.1:3001', ws: true },
      },
    },
  };
});
