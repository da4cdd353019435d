import { defineConfig } from 'vite';

// Built by `npm run build:console` into console/dist; the router serves it at /console/.
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact', development: false } },
  // Everything ships inside the bundle: no CDN, nothing inline (the server's Content-Security-Policy allows only 'self').
  server: { proxy: { '/v1': 'http://127.0.0.1:8787' } },
});
