// First step of `npm test`: makes sure the system packages the tests use are installed, the way
// `playwright install --with-deps` does. On Debian or Ubuntu, as root or with passwordless sudo,
// it installs what is missing with apt-get; anywhere else it stops before any test runs, naming
// the missing packages and the command that installs them. No test is skipped for a missing
// dependency: a missing one stops the run here instead.
//
//   node build/scripts/test-setup.mjs           check, install what is missing (Debian/Ubuntu), or stop
//   node build/scripts/test-setup.mjs --check   check only: list what is missing, exit 1 if anything is
//
// What needs what:
//   chromium                the end-to-end tests drive the web build in headless Chromium
//   python3-torch           the PyTorch bridge runs exported scripts and graphs on real PyTorch 1.13
//   python3-pyflakes        exported scripts must pass pyflakes
//   clang lld clang-16 lld-16  the kernel check rebuilds the committed WebAssembly modules from C and
//                           compares the bytes (build/wasm/build.mjs --check)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHON = '/usr/bin/python3';
const ok = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

/** Each requirement: the Debian package and how to tell it is there. */
const REQUIREMENTS = [
  { pkg: 'chromium', present: () => existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') },
  { pkg: 'python3-torch', present: () => ok(PYTHON, ['-c', 'import torch']) },
  { pkg: 'python3-pyflakes', present: () => ok(PYTHON, ['-m', 'pyflakes', '--version']) },
  { pkg: 'clang', present: () => ok('clang-14', ['--version']) || /clang version 14\./.test(version('clang')) },
  { pkg: 'lld', present: () => ok('wasm-ld', ['--version']) || ok('wasm-ld-14', ['--version']) },
  { pkg: 'clang-16', present: () => ok('clang-16', ['--version']) },
  { pkg: 'lld-16', present: () => ok('wasm-ld-16', ['--version']) },
];

function version(cmd) {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
}

const missing = () => REQUIREMENTS.filter((r) => !r.present()).map((r) => r.pkg);

function canInstall() {
  if (process.platform !== 'linux' || !ok('apt-get', ['--version']))
    return { how: null, why: 'this is not a Debian/Ubuntu system with apt-get' };
  if (process.getuid?.() === 0) return { how: [] };
  if (ok('sudo', ['-n', 'true'])) return { how: ['sudo', '-n'] };
  return { how: null, why: 'not root and sudo asks for a password' };
}

function apt(prefix, args) {
  const [cmd, ...rest] = [...prefix, 'apt-get', ...args];
  const r = spawnSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

const need = missing();
if (need.length === 0) process.exit(0);
const command = `sudo apt-get install -y ${need.join(' ')}`;
const install = canInstall();
if (process.argv.includes('--check') || install.how === null) {
  console.error(`test-setup: missing system packages: ${need.join(', ')}.`);
  console.error(`test-setup: install them with:  ${command}`);
  if (install.why) console.error(`test-setup: (not installed automatically: ${install.why})`);
  process.exit(1);
}
console.error(`test-setup: installing ${need.join(' ')} with apt-get`);
if (!apt(install.how, ['update', '-qq']) || !apt(install.how, ['install', '-y', '-qq', ...need])) {
  console.error(`test-setup: apt-get failed; install by hand:  ${command}`);
  process.exit(1);
}
const still = missing();
if (still.length > 0) {
  console.error(`test-setup: still missing after apt-get: ${still.join(', ')}`);
  process.exit(1);
}
