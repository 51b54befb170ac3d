/**
 * Builds the web app once (`npm run build:web`, skipped when E2E_SKIP_BUILD=1)
 * and serves dist/web on 127.0.0.1 for every e2e test file. E2E_DIST=<dir> builds into and
 * serves another folder, so that two checkouts' or two people's runs never share one build.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { serveStatic } from './server';

const repo = resolve(import.meta.dirname, '../..');
let server: Server | null = null;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dist = process.env.E2E_DIST ? resolve(process.env.E2E_DIST) : resolve(repo, 'dist/web');
  if (process.env.E2E_SKIP_BUILD !== '1' || !existsSync(resolve(dist, 'index.html'))) {
    // NODE_ENV: vitest sets it to "test", with which Vite bundles React's development build
    // (2-3x slower rendering); the tests and the canvas frame times are for the build that ships.
    const outDir = process.env.E2E_DIST ? ['--', '--outDir', dist, '--emptyOutDir'] : [];
    execFileSync('npm', ['run', '-s', 'build:web', ...outDir], {
      cwd: repo,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
  }
  const s = await serveStatic(dist);
  server = s.server;
  project.provide('baseUrl', s.url);
  return async () => {
    await new Promise<void>((ok) => server?.close(() => ok()) ?? ok());
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
