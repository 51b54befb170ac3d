// `npm start`: opens the desktop app where Electron can run; otherwise serves
// the web build on http://127.0.0.1:5173 (or the next free port) and says why.
//
//   node build/scripts/start.mjs [--web] [--port N] [--no-build] [--root DIR]
//     --web       skip Electron, serve the web build
//     --port N    first port to try (default 5173)
//     --no-build  serve / launch what is already built
//     --root DIR  serve DIR instead of dist/web
//
// Electron's npm package downloads its binary on first use. Where that cannot
// happen (no network, an unsupported platform) or no display is available,
// this falls back to the web build, which runs the same app with the engine in
// a Web Worker. (STUDIO_ELECTRON_PACKAGE=DIR points at another electron
// package folder: the tests use it.)
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const INSTALL_TIMEOUT_MS = 120_000;
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
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) throw new Error('--port expects 1..65535');
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

/** The Electron binary, downloading it once if needed; or the reason there is none. */
function findElectron() {
  if (!existsSync(path.join(electronPackage, 'package.json'))) {
    return { reason: "the electron package is not installed (run 'npm install')" };
  }
  let binary = electronBinary();
  if (binary) return { binary };
  log('downloading the Electron binary (once)...');
  const result = spawnSync(process.execPath, [path.join(electronPackage, 'install.js')], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'pipe'],
    timeout: INSTALL_TIMEOUT_MS,
    encoding: 'utf8',
  });
  binary = electronBinary();
  if (binary) return { binary };
  const why = result.error?.code === 'ETIMEDOUT' ? `timed out after ${INSTALL_TIMEOUT_MS / 1000} s` : firstLine(result.stderr) || `exit code ${result.status}`;
  return { reason: `Electron's binary could not be downloaded (${why})` };
}

function firstLine(text) {
  return (text ?? '').split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('at ')) ?? '';
}

function displayProblem() {
  if (process.platform !== 'linux') return null;
  return process.env.DISPLAY || process.env.WAYLAND_DISPLAY ? null : 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
}

/** Runs Electron; resolves with null when it ran, or the reason it could not start. */
function runElectron(binary) {
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
        const hint = process.getuid?.() === 0 ? '; Chromium refuses to run as root without --no-sandbox' : '';
        resolve(`Electron ${how} right after starting${hint}`);
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
    console.error('start: there is no web build (dist/web/index.html) and package.json has no "build:web" script to make one.');
    return false;
  }
  log('building the web app (npm run build:web)...');
  const result = spawnSync(npm, ['run', '-s', 'build:web'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
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
    if (!inside || pathname.includes('\0') || pathname.includes('\\') || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream' });
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
    console.error(`start: ${path.relative(root, options.root) || options.root}/index.html does not exist; run 'npm run build:web'.`);
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
  const found = findElectron();
  const problem = found.reason ?? displayProblem();
  if (problem) return serveWeb(options, problem);
  if (options.build) {
    if (!buildWeb(options.root)) process.exit(1);
    await buildElectronBundles();
  }
  log('opening the desktop app');
  const failure = await runElectron(found.binary);
  if (failure) return serveWeb({ ...options, build: false }, failure);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
