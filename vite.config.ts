import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The client lives in client/; the server (server/dev.ts) proxies nothing itself: in `npm run dev`
// Vite serves the client and forwards the API and Socket.IO to the Fastify server.
const API_TARGET = process.env.OPSMAP_DEV_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: 'client',
  plugins: [react()],
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
    // The large libraries in chunks of their own: each is cached by the browser across releases of the app's
    // code (a wall reloads only what changed), and no chunk passes the warning limit. The screens load them
    // when they are shown (client/Root.tsx, React.lazy): MapLibre and deck.gl with the dashboard and the wall,
    // ECharts with the first chart.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            // Vite's helper for dynamic imports, which the start bundle needs to load any screen: left to itself
            // it lands in the deck.gl chunk (deck.gl imports dynamically too), which then loads at start.
            { name: 'preload', test: /preload-helper/, priority: 10 },
            { name: 'maplibre', test: /node_modules[\\/]maplibre-gl/ },
            { name: 'deckgl', test: /node_modules[\\/]@(deck\.gl|luma\.gl|loaders\.gl|math\.gl|probe\.gl)/ },
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)/ },
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|i18next|react-i18next)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/api': API_TARGET,
      '/geo': API_TARGET,
      '/healthz': API_TARGET,
      '/socket.io': { target: API_TARGET, ws: true },
    },
  },
  test: {
    root: '.',
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
