// Packages the desktop app with electron-builder (config: build/electron-builder.yml).
//   node build/scripts/dist.mjs            installers for this OS
//   node build/scripts/dist.mjs --dir      the unpacked app only
// Builds the web app (npm run build:web) and the Electron bundles first.
// Extra arguments go to electron-builder, e.g. -c.electronDist=DIR when
// Electron's zip cannot be downloaded, or --linux deb.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron } from './build-electron.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const scripts = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts ?? {};
if (!scripts['build:web']) {
  console.error('dist: package.json has no "build:web" script, so there is no web app to package yet.');
  process.exit(1);
}
run(npm, ['run', '-s', 'build:web']);
await buildElectron();

const builder = path.join(root, 'node_modules', 'electron-builder', 'cli.js');
run(process.execPath, [
  builder,
  '--config',
  'build/electron-builder.yml',
  '--publish',
  'never',
  ...process.argv.slice(2),
]);
