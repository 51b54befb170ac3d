// Type-checks every target with its own tsconfig: each target sees only the
// globals of its runtime (the engine sees neither DOM nor Node).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const targets = [
  'engine/tsconfig.json',
  'engine/host/node/tsconfig.json',
  'engine/host/web/tsconfig.json',
  'engine/host/electron/tsconfig.json',
  'renderer/tsconfig.json',
  'electron/tsconfig.json',
  'test/tsconfig.json',
  'build/tsconfig.json',
];
let failed = false;
for (const t of targets) {
  if (!existsSync(t)) continue;
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', t], { stdio: 'inherit' });
  } catch {
    failed = true;
    console.error(`typecheck failed: ${t}`);
  }
}
process.exit(failed ? 1 : 0);
