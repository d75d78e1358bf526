import { defineConfig } from 'vitest/config'

// The console is served by the Go binary from the embedded dist/ folder:
// the page at "/", hashed files under /assets/ (cached for a year). The page
// is built as dist/app.html, next to the committed placeholder
// dist/index.html, so a build never changes a tracked file; console.go
// serves app.html as index.html when it exists. The
// server's CSP allows only same-origin scripts and styles, so nothing may be
// inlined: no inline scripts, no inline <style>, no data: fonts.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    // Keep the placeholder: `npm run build` removes the old assets itself.
    emptyOutDir: false,
    rollupOptions: { input: 'app.html' },
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    target: 'es2020',
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev` against a local `livedeck demo`.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
