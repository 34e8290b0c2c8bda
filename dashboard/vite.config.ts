import vue from '@vitejs/plugin-vue'
import { defaultClientConditions, defineConfig } from 'vite'

/** The hub serves `dist/`; in development Vite proxies the API and the live stream to a local hub. */
const hub = 'http://localhost:8080'

export default defineConfig({
  plugins: [vue()],
  resolve: { conditions: ['source', ...defaultClientConditions] },
  server: {
    proxy: {
      '/api': { target: hub, changeOrigin: false },
      '/socket.io': { target: hub, ws: true, changeOrigin: false },
    },
  },
  // No source maps in the production build: the hub serves dist/ to anyone who can reach it.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
})
