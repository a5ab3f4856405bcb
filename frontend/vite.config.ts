import { writeFileSync } from 'node:fs';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

// Go embeds frontend/dist (all:dist); a fresh clone carries dist/.gitkeep so
// the embed compiles before any build. Vite empties dist, so put it back.
const keepPlaceholder: Plugin = {
  name: 'sluice-keep-dist-placeholder',
  closeBundle() {
    writeFileSync(new URL('./dist/.gitkeep', import.meta.url), '');
  },
};

export default defineConfig({
  // JSX without @vitejs/plugin-react: esbuild's automatic runtime.
  esbuild: { jsx: 'automatic' },
  plugins: [keepPlaceholder],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': 'http://127.0.0.1:7878' } },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
