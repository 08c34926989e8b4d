import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Conformance tests build real network namespaces and e2e tests share one Chromium;
    // both are heavy, so files run in parallel only up to the machine's two cores.
    maxWorkers: 2,
    fileParallelism: true
  }
})
