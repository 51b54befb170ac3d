// `npm start`: opens the desktop app where Electron can run; otherwise serves
// the web build on http://127.0.0.1:5173 (or the next free port) and says why.
//
//   node build/scripts/start.mjs [--web] [--port N] [--no-build] [--root DIR]
//     --web       skip Electron, serve the web build
//     --port N    first port to try (default 5173)
//     --no-build  serve / launch what is already built
//     --root DIR  serve DIR instead of dist/web
//
// Electron's npm package downloads its binary on first use: here, with its
// progress shown, no time limit, resuming a broken download on the next run
// (a failure names the mirror and proxy settings). Where that cannot happen (no network, a Node older than
// Electron's installer needs, an unsupported platform), no display is
// available, or Electron stops right after starting (on Linux, a sandbox the
// system does not allow: the remedy is printed), this falls back to the web
// build, which runs the same app with the engine in a Web Worker.
// (STUDIO_ELECTRON_PACKAGE=DIR points at another electron package folder,
// STUDIO_SYSCTL_DIR and STUDIO_APPARMOR_DIR at other /proc/sys and
// /etc/apparmor.d folders: the tests use them.)
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resumingDownloader } from './electron-download.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** An Electron that exits with an error this soon after starting is taken as unable to run here. */
const EARLY_EXIT_MS = 15_000;

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

function parseArgs(argv) {
  const options = { web: false, port: 5173, build: true, root: path.join(root, 'dist', 'web') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--web') options.web = true;
    else if (a === '--no-build') options.build = false;
    else if (a === '--port') options.port = Number(argv[++i]);
    else if (a === '--root') options.root = path.resolve(argv[++i]);
    else throw new Error(`unknown option ${a}`);
  }
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535)
    throw new Error('--port expects 1..65535');
  return options;
}

function log(message) {
  console.log(`start: ${message}`);
}

// --- Electron -----------------------------------------------------------------

const electronPackage = process.env.STUDIO_ELECTRON_PACKAGE
  ? path.resolve(process.env.STUDIO_ELECTRON_PACKAGE)
  : path.join(root, 'node_modules', 'electron');

/** The Electron binary, if its npm package is installed and has downloaded it. */
function electronBinary() {
  const pkg = electronPackage;
  try {
    const relative = readFileSync(path.join(pkg, 'path.txt'), 'utf8').trim();
    const binary = path.join(pkg, 'dist', relative);
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** The `version` and the Node range (`engines.node`) of the electron package. */
function electronPackageInfo() {
  const pkg = JSON.parse(readFileSync(path.join(electronPackage, 'package.json'), 'utf8'));
  return { version: pkg.version, node: pkg.engines?.node ?? null };
}

/** The lowest Node version a range like `>= 22.12.0` allows, as [major, minor, patch]; null if none is stated. */
export function minimumNode(range) {
  const m = /^\s*>=?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(range ?? '');
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : null;
}

/** True when `version` (like `v20.20.2`) is at least `minimum`. */
export function nodeAtLeast(version, minimum) {
  const have = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) !== minimum[i]) return (have[i] ?? 0) > minimum[i];
  }
  return true;
}

/** Why Electron's download cannot work here, when the installer needs a newer Node; else null. */
function nodeTooOld(info, version = process.version) {
  const minimum = minimumNode(info.node);
  if (!minimum || nodeAtLeast(version, minimum)) return null;
  return `Electron ${info.version}'s installer needs Node ${minimum.join('.')} or newer and this is Node ${version.replace(/^v/, '')} (the web build runs on it; for the desktop app install a newer Node, e.g. 'nvm install 22', then 'npm start' again)`;
}

/** What to try when Electron's download fails. */
export const DOWNLOAD_HELP = [
  'To download Electron through a mirror, set ELECTRON_MIRROR (e.g. ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/);',
  'through a proxy, set ELECTRON_GET_USE_PROXY=1 and HTTPS_PROXY=http://host:port;',
  "then 'npm start' again (it resumes the download), or 'npx install-electron' (Electron's own installer, from the start).",
].join('\n  ');

/**
 * Downloads Electron's zip into @electron/get's cache (where Electron's
 * install.js then finds it), printing the progress; no time limit, and a
 * broken download resumes on the next run (electron-download.mjs keeps the
 * part in node_modules/.cache). Resolves with null when done, or the reason it
 * failed; undefined when this electron package has no @electron/get to drive
 * (install.js then downloads it).
 */
async function prefetchElectron(info) {
  const require = createRequire(path.join(electronPackage, 'install.js'));
  let get;
  try {
    get = await import(pathToFileURL(require.resolve('@electron/get')).href);
  } catch {
    return undefined;
  }
  const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  let shown = -1;
  const report = ({ transferred, total, resumedFrom }) => {
    if (shown === -1 && resumedFrom > 0) log(`resuming the download at ${megabytes(resumedFrom)}`);
    const step = total ? Math.floor((transferred / total) * 10) : Math.floor(transferred / (10 * 1024 * 1024));
    if (step === shown) return;
    shown = step;
    log(
      `downloading Electron ${info.version}: ${total ? `${step * 10}% of ${megabytes(total)}` : megabytes(transferred)}`,
    );
  };
  try {
    await get.downloadArtifact({
      version: info.version,
      artifactName: 'electron',
      platform: process.env.ELECTRON_INSTALL_PLATFORM || process.env.npm_config_platform || process.platform,
      arch: process.env.ELECTRON_INSTALL_ARCH || process.env.npm_config_arch || process.arch,
      cacheRoot: process.env.electron_config_cache,
      checksums: process.env.electron_use_remote_checksums ? undefined : require('./checksums.json'),
      // node_modules/.cache/autograd-studio-electron: beside the electron package, gone with node_modules
      downloader: resumingDownloader(path.join(electronPackage, '..', '.cache', 'autograd-studio-electron'), report),
    });
    return null;
  } catch (error) {
    return firstLine(String(error?.stack ?? error)) || 'unknown error';
  }
}

/** Runs Electron's install.js (no time limit): its output is shown and its first error line kept. */
function runInstaller() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(electronPackage, 'install.js')], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.on('error', (error) => resolve(error.message));
    child.on('exit', (code) => resolve(code === 0 ? null : firstLine(stderr) || `exit code ${code}`));
  });
}

/** The Electron binary, downloading it once if needed; or the reason there is none. */
async function findElectron() {
  if (!existsSync(path.join(electronPackage, 'package.json'))) {
    return { reason: "the electron package is not installed (run 'npm install')" };
  }
  let binary = electronBinary();
  if (binary) return { binary };
  const info = electronPackageInfo();
  const tooOld = nodeTooOld(info);
  if (tooOld) return { reason: tooOld };
  log(`downloading the Electron ${info.version} binary (once; progress below, no time limit)...`);
  const failed = (await prefetchElectron(info)) ?? (await runInstaller());
  binary = electronBinary();
  if (binary) return { binary };
  console.error(`start: Electron's download failed: ${failed ?? 'no binary after installing'}.\n  ${DOWNLOAD_HELP}`);
  return { reason: `Electron's binary could not be downloaded (${failed ?? 'no binary after installing'})` };
}

function firstLine(text) {
  return (
    (text ?? '')
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l && !l.startsWith('at ')) ?? ''
  );
}

/** A text file's trimmed contents, or null. */
function readText(file) {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * Linux: why Chromium's sandbox cannot start for `binary`, with the remedy;
 * null when it can (as far as can be told without running it). Chromium
 * needs unprivileged user namespaces, or else a set-uid root `chrome-sandbox`
 * beside the binary. Ubuntu 23.10+ (AppArmor's
 * apparmor_restrict_unprivileged_userns) and some kernels forbid the former
 * unless an AppArmor profile allows it for this binary; npm installs the
 * latter without set-uid. Then Electron aborts (SIGTRAP, "The SUID sandbox
 * helper binary was found, but is not configured correctly").
 */
export function linuxSandboxProblem(
  binary,
  sysctl = process.env.STUDIO_SYSCTL_DIR || '/proc/sys',
  apparmor = process.env.STUDIO_APPARMOR_DIR || '/etc/apparmor.d',
) {
  const restricted =
    readText(path.join(sysctl, 'kernel', 'apparmor_restrict_unprivileged_userns')) === '1'
      ? 'AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1, as on Ubuntu 23.10 and later)'
      : readText(path.join(sysctl, 'kernel', 'unprivileged_userns_clone')) === '0'
        ? 'the kernel forbids unprivileged user namespaces (kernel.unprivileged_userns_clone = 0)'
        : readText(path.join(sysctl, 'user', 'max_user_namespaces')) === '0'
          ? 'user namespaces are turned off (user.max_user_namespaces = 0)'
          : null;
  if (!restricted) return null;
  const helper = path.join(path.dirname(binary), 'chrome-sandbox');
  let helperOk = false;
  try {
    const st = statSync(helper);
    helperOk = st.uid === 0 && (st.mode & 0o4000) !== 0;
  } catch {
    helperOk = false;
  }
  if (helperOk || hasAppArmorProfile(apparmor, binary)) return null;
  return [
    `Chromium's sandbox cannot start: ${restricted}, and ${helper} is not set-uid root.`,
    'Do one of these once, then npm start again:',
    `  sudo chown root:root '${helper}' && sudo chmod 4755 '${helper}'`,
    `  or allow user namespaces for this Electron with an AppArmor profile:`,
    `  printf 'abi <abi/4.0>,\\ninclude <tunables/global>\\nprofile autograd-studio-dev "${binary}" flags=(unconfined) {\\n  userns,\\n}\\n' | sudo tee /etc/apparmor.d/autograd-studio-dev && sudo apparmor_parser -r /etc/apparmor.d/autograd-studio-dev`,
    '(npm install replaces chrome-sandbox, so the first fix lasts until the next reinstall of electron.)',
  ].join('\n  ');
}

/** True when some profile in `dir` names `binary` (someone already allowed it). */
function hasAppArmorProfile(dir, binary) {
  try {
    return readdirSync(dir).some((name) => (readText(path.join(dir, name)) ?? '').includes(binary));
  } catch {
    return false;
  }
}

function displayProblem() {
  if (process.platform !== 'linux') return null;
  return process.env.DISPLAY || process.env.WAYLAND_DISPLAY
    ? null
    : 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
}

/**
 * Why Electron stopped right after starting (`how`: "exited with code 1"),
 * and the remedy to print: as root Chromium refuses to run without
 * --no-sandbox; otherwise a sandbox problem found by {@link linuxSandboxProblem}.
 */
export function earlyExit(how, { root, sandbox }) {
  if (root)
    return {
      reason: `Electron ${how} right after starting; Chromium refuses to run as root without --no-sandbox`,
      remedy: null,
    };
  if (sandbox)
    return {
      reason: `Electron ${how} right after starting; Linux did not let Chromium's sandbox start (the remedy is printed above)`,
      remedy: sandbox,
    };
  return { reason: `Electron ${how} right after starting`, remedy: null };
}

/** Runs Electron; resolves with null when it ran, or the reason it could not start. */
function runElectron(binary, sandbox = null) {
  return new Promise((resolve) => {
    const started = Date.now();
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE;
    const child = spawn(binary, [root], { cwd: root, stdio: 'inherit', env });
    let stopping = false;
    child.on('error', (error) => resolve(`Electron could not start (${error.message})`));
    child.on('exit', (code, signal) => {
      if (!stopping && code !== 0 && Date.now() - started < EARLY_EXIT_MS) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const early = earlyExit(how, { root: process.getuid?.() === 0, sandbox });
        if (early.remedy) console.error(`start: ${early.remedy}`);
        resolve(early.reason);
      } else {
        process.exitCode = code ?? 0;
        resolve(null);
      }
    });
    for (const sig of ['SIGINT', 'SIGTERM']) {
      process.on(sig, () => {
        stopping = true;
        child.kill(sig);
      });
    }
  });
}

// --- building -----------------------------------------------------------------

function hasScript(name) {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return Boolean(pkg.scripts?.[name]);
}

/** Builds the web app into dist/web; true when there is one to serve afterwards. */
function buildWeb(webRoot) {
  const index = path.join(webRoot, 'index.html');
  if (!hasScript('build:web')) {
    if (existsSync(index)) return true;
    console.error(
      'start: there is no web build (dist/web/index.html) and package.json has no "build:web" script to make one.',
    );
    return false;
  }
  log('building the web app (npm run build:web)...');
  const result = spawnSync(npm, ['run', '-s', 'build:web'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status === 0) return true;
  if (existsSync(index)) {
    log('the web build failed; serving the previous one');
    return true;
  }
  console.error('start: the web build failed and there is no previous build to serve.');
  return false;
}

async function buildElectronBundles() {
  const { buildElectron } = await import('./build-electron.mjs');
  await buildElectron({ dev: true });
}

// --- serving ------------------------------------------------------------------

/** A file server for `dir` that never leaves it. */
export function createStaticServer(dir) {
  const base = path.resolve(dir);
  return http.createServer((req, res) => {
    const headers = {
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      // Cross-origin isolation: shared memory for the engine's WebAssembly kernels.
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400, headers).end('Bad request');
      return;
    }
    if (pathname.endsWith('/')) pathname += 'index.html';
    const file = path.resolve(base, `.${pathname}`);
    const relative = path.relative(base, file);
    const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
    if (
      !inside ||
      pathname.includes('\0') ||
      pathname.includes('\\') ||
      !existsSync(file) ||
      !statSync(file).isFile()
    ) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
}

/** Listens on 127.0.0.1 at `port` or the next free one; resolves with the port. */
export function listenFromPort(server, port, tries = 20) {
  return new Promise((resolve, reject) => {
    const attempt = (p, left) => {
      const onError = (error) => {
        server.off('listening', onListening);
        if (error.code === 'EADDRINUSE' && left > 1 && p < 65535) attempt(p + 1, left - 1);
        else reject(error);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve(server.address().port);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(p, '127.0.0.1');
    };
    attempt(port, tries);
  });
}

async function serveWeb(options, reason) {
  log(`the desktop app cannot start here: ${reason}; serving the web build instead`);
  if (options.build && !buildWeb(options.root)) process.exit(1);
  if (!existsSync(path.join(options.root, 'index.html'))) {
    console.error(
      `start: ${path.relative(root, options.root) || options.root}/index.html does not exist; run 'npm run build:web'.`,
    );
    process.exit(1);
  }
  const server = createStaticServer(options.root);
  const port = await listenFromPort(server, options.port);
  const url = `http://127.0.0.1:${port}/`;
  console.log('');
  console.log(`  The desktop app could not start: ${reason}.`);
  console.log('  Autograd Studio (web build) is running. Open it in a browser:');
  console.log('');
  console.log(`    ${url}`);
  console.log('');
  console.log('  Press Ctrl+C to stop.');
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// --- main ---------------------------------------------------------------------

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`start: ${error.message}`);
    process.exit(2);
  }
  if (options.web) return serveWeb(options, '--web was given');
  const found = await findElectron();
  const problem = found.reason ?? displayProblem();
  if (problem) return serveWeb(options, problem);
  if (options.build) {
    if (!buildWeb(options.root)) process.exit(1);
    await buildElectronBundles();
  }
  // Said only if Electron then stops: the check cannot see every way the sandbox may be allowed.
  const sandbox = process.platform === 'linux' ? linuxSandboxProblem(found.binary) : null;
  log('opening the desktop app');
  const failure = await runElectron(found.binary, sandbox);
  if (failure) return serveWeb({ ...options, build: false }, failure);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
