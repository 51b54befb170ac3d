import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// End-to-end tests of the web build in real Chromium (playwright-core).
// The global setup builds dist/web once and serves it on 127.0.0.1.
export default defineConfig({
  root: repo,
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default'],
  },
});
