import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Backend started by `build/fazhi serve` (default port 8080) for `npm run dev`.
const backend = process.env.FAZHI_BACKEND || 'http://127.0.0.1:8080'

export default defineConfig({
  base: '/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Keep the output CSP-friendly and self-contained: no inlined assets as
    // data: scripts, no source maps shipped inside the binary.
    sourcemap: false,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
    modulePreload: { polyfill: true },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/healthz': { target: backend, changeOrigin: false },
      '/readyz': { target: backend, changeOrigin: false },
    },
  },
})
