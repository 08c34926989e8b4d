import { resolve } from 'node:path'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'electron-vite'

// Our layout is not electron-vite's default (src/{main,preload,renderer}), so every entry is named.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      // The lab worker is its own entry: labs run in worker threads beside the main process.
      lib: {
        entry: {
          main: resolve('src-main/platform/electron/main.ts'),
          'lab-worker': resolve('src-main/labs/lab-worker.ts')
        },
        formats: ['es']
      }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require anything but electron: bundle it into one CommonJS file.
      externalizeDeps: false,
      lib: { entry: resolve('src-main/platform/electron/preload.ts'), formats: ['cjs'] },
      rolldownOptions: { external: ['electron'] }
    }
  },
  renderer: {
    root: resolve('src-renderer'),
    // Relative asset URLs: the same build is served from app://podnet/ in the desktop window and
    // from a web host's root (and could be from any path behind a proxy).
    base: './',
    plugins: [svelte()],
    build: {
      outDir: resolve('out/renderer'),
      emptyOutDir: true,
      minify: true,
      // No inline module preload polyfill: the CSP forbids inline scripts.
      modulePreload: { polyfill: false },
      rolldownOptions: { input: resolve('src-renderer/index.html') }
    }
  }
})
