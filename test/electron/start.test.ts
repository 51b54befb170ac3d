/**
 * `npm start` where Electron cannot run: it serves the web build on
 * localhost (the next free port if 5173's is taken) and says why.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as StartModule from '../../build/scripts/start.mjs';

const ROOT = path.resolve(__dirname, '..', '..');
const work = mkdtempSync(path.join(tmpdir(), 'studio-start-'));
const web = path.join(work, 'web');
mkdirSync(path.join(web, 'assets'), { recursive: true });
writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>Autograd Studio</title>');
writeFileSync(path.join(web, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(path.join(work, 'secret.txt'), 'outside the web root');
// An electron package whose binary was never downloaded, and whose download fails at once.
const electronPackage = path.join(work, 'electron');
mkdirSync(electronPackage);
writeFileSync(path.join(electronPackage, 'package.json'), '{"name":"electron","version":"0.0.0"}');
writeFileSync(
  path.join(electronPackage, 'install.js'),
  'console.error("RequestError: getaddrinfo ENOTFOUND github.com"); process.exit(1);',
);

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGTERM');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

// An electron package with a binary that cannot run here (it records its arguments, then fails).
const brokenElectron = path.join(work, 'broken-electron');
const argsFile = path.join(work, 'electron-args.txt');
mkdirSync(path.join(brokenElectron, 'dist'), { recursive: true });
writeFileSync(path.join(brokenElectron, 'package.json'), '{"name":"electron","version":"0.0.0"}');
writeFileSync(path.join(brokenElectron, 'path.txt'), 'electron');
writeFileSync(path.join(brokenElectron, 'dist', 'electron'), `#!/bin/sh\necho "$@" > '${argsFile}'\nexit 3\n`);
chmodSync(path.join(brokenElectron, 'dist', 'electron'), 0o755);

/** An electron package folder: package.json, and `files` (relative path -> contents; executable when the name says so). */
function electronPackageWith(name: string, pkg: Record<string, unknown>, files: Record<string, string>): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'electron', version: '0.0.0', ...pkg }));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
    if (file === 'dist/electron') chmodSync(path.join(dir, file), 0o755);
  }
  return dir;
}

// A package whose installer needs a Node newer than any (as electron 45's needs 22.12 where the CI runs Node 20).
const futureElectron = electronPackageWith(
  'future-electron',
  { version: '45.5.0', engines: { node: '>= 99.0.0' } },
  {
    'install.js': 'require("node:fs").writeFileSync(__dirname + "/installer-ran", ""); process.exit(1);',
  },
);

// A package that downloads through its own @electron/get (a stand-in reporting progress), then
// installs a binary that exits at once, as install.js does once the zip is in the cache.
const downloadingElectron = electronPackageWith(
  'downloading-electron',
  { version: '45.5.0' },
  {
    'checksums.json': '{}',
    'node_modules/@electron/get/package.json':
      '{"name":"@electron/get","version":"5.1.0","type":"module","exports":"./index.js"}',
    'node_modules/@electron/get/index.js': `import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
export async function downloadArtifact(details) {
  if (details.version !== '45.5.0' || details.artifactName !== 'electron') throw new Error('unexpected details');
  const zip = Buffer.alloc(4 * 1024 * 1024, 7);
  const server = http.createServer((req, res) => res.writeHead(200, { 'Content-Length': String(zip.length) }).end(zip));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const target = path.join(os.tmpdir(), 'studio-start-' + process.pid + '.zip');
  try {
    await details.downloader.download('http://127.0.0.1:' + server.address().port + '/electron-v45.5.0.zip', target);
  } finally {
    server.close();
  }
  return target;
}`,
    'install.js': `const fs = require('node:fs');
fs.mkdirSync(__dirname + '/dist', { recursive: true });
fs.writeFileSync(__dirname + '/dist/electron', '#!/bin/sh\\nexit 3\\n', { mode: 0o755 });
fs.writeFileSync(__dirname + '/path.txt', 'electron');`,
  },
);

// The same download failing as it does without network.
const offlineElectron = electronPackageWith(
  'offline-electron',
  { version: '45.5.0' },
  {
    'checksums.json': '{}',
    'node_modules/@electron/get/package.json':
      '{"name":"@electron/get","version":"5.1.0","type":"module","exports":"./index.js"}',
    'node_modules/@electron/get/index.js': `export async function downloadArtifact() { throw new Error('RequestError: connect ETIMEDOUT 140.82.121.3:443'); }`,
    'install.js': 'require("node:fs").writeFileSync(__dirname + "/installer-ran", ""); process.exit(1);',
  },
);

// Electron as it dies on Ubuntu 24.04 when the sandbox cannot start (SIGTRAP).
const trappedElectron = electronPackageWith(
  'trapped-electron',
  {},
  { 'path.txt': 'electron', 'dist/electron': '#!/bin/sh\nkill -TRAP $$\n' },
);

/** Starts start.mjs and resolves with its output once it prints the URL. */
function start(
  args: string[],
  env: Record<string, string> = { STUDIO_ELECTRON_PACKAGE: electronPackage },
): Promise<{ url: string; output: string }> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'build', 'scripts', 'start.mjs'), '--no-build', '--root', web, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
    },
  );
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${output}`)), 20_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(output)?.[0];
      if (url) {
        clearTimeout(timer);
        resolve({ url, output });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`start.mjs exited (${code}):\n${output}`)));
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('npm start without Electron', () => {
  it('serves the web build and says why the desktop app did not start', async () => {
    const port = await freePort();
    const { url, output } = await start(['--port', String(port)]);
    expect(url).toBe(`http://127.0.0.1:${port}/`);
    expect(output).toMatch(
      /desktop app could not start: Electron's binary could not be downloaded \(RequestError: getaddrinfo ENOTFOUND github\.com\)/,
    );
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('Autograd Studio');
    expect((await fetch(`${url}assets/app.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('after a failed download, names the mirror and proxy settings and the install command', async () => {
    const { output } = await start(['--port', String(await freePort())]);
    expect(output).toContain('ELECTRON_MIRROR');
    expect(output).toContain('ELECTRON_GET_USE_PROXY=1 and HTTPS_PROXY');
    expect(output).toContain("'npx install-electron'");
  });

  it('shows the download progress and sets no time limit of its own', async () => {
    const { output } = await start(['--port', String(await freePort())], {
      STUDIO_ELECTRON_PACKAGE: downloadingElectron,
      DISPLAY: ':99',
    });
    expect(output).toContain('no time limit');
    expect(output).toMatch(/downloading Electron 45\.5\.0: 0% of 4\.0 MB[\s\S]*50% of 4\.0 MB[\s\S]*100% of 4\.0 MB/);
    // install.js then put the binary in place, and it was run
    expect(output).toContain('opening the desktop app');
    expect(output).toMatch(/Electron exited with code 3 right after starting/);
  });

  it('reports a failed download with its reason and does not run the installer again', async () => {
    const { output } = await start(['--port', String(await freePort())], { STUDIO_ELECTRON_PACKAGE: offlineElectron });
    expect(output).toMatch(/Electron's binary could not be downloaded \(Error: RequestError: connect ETIMEDOUT/);
    expect(output).toContain('ELECTRON_MIRROR');
    expect(existsSync(path.join(offlineElectron, 'installer-ran'))).toBe(false);
  });

  it("says when this Node is older than Electron's installer needs, and serves the web build", async () => {
    const { output } = await start(['--port', String(await freePort())], { STUDIO_ELECTRON_PACKAGE: futureElectron });
    expect(output).toContain(
      `desktop app could not start: Electron 45.5.0's installer needs Node 99.0.0 or newer and this is Node ${process.version.slice(1)}`,
    );
    expect(existsSync(path.join(futureElectron, 'installer-ran'))).toBe(false);
  });

  it.skipIf(process.platform === 'win32')(
    'falls back when Electron is killed right after starting, and says why',
    async () => {
      const { output } = await start(['--port', String(await freePort())], {
        STUDIO_ELECTRON_PACKAGE: trappedElectron,
        DISPLAY: ':99',
      });
      expect(output).toMatch(/desktop app could not start: Electron was killed by SIGTRAP right after starting/);
    },
  );

  it.skipIf(process.platform === 'win32')('falls back when Electron exits right after starting', async () => {
    const { output } = await start(['--port', String(await freePort())], {
      STUDIO_ELECTRON_PACKAGE: brokenElectron,
      DISPLAY: ':99',
    });
    expect(output).toContain('opening the desktop app');
    expect(output).toMatch(/desktop app could not start: Electron exited with code 3 right after starting/);
    expect(readFileSync(argsFile, 'utf8').trim()).toBe(ROOT);
  });

  it('falls back when there is no display', async () => {
    const { output } = await start(['--port', String(await freePort())], {
      STUDIO_ELECTRON_PACKAGE: brokenElectron,
      DISPLAY: '',
      WAYLAND_DISPLAY: '',
    });
    expect(output).toMatch(process.platform === 'linux' ? /there is no display/ : /Electron exited/);
  });

  it('takes the next port when the first is busy', async () => {
    const busy = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => busy.listen(port, '127.0.0.1', r));
    try {
      const { url } = await start(['--web', '--port', String(port)]);
      expect(url).not.toBe(`http://127.0.0.1:${port}/`);
      expect(Number(new URL(url).port)).toBeGreaterThan(port);
    } finally {
      busy.close();
    }
  });

  it('never serves files outside the web build', async () => {
    const { url } = await start(['--web', '--port', String(await freePort())]);
    for (const attack of [
      '../secret.txt',
      '%2e%2e/secret.txt',
      '..%2fsecret.txt',
      'assets/..%2f..%2fsecret.txt',
      '..%5csecret.txt',
    ]) {
      const response = await fetch(`${url}${attack}`);
      expect(response.status, attack).toBe(404);
      expect(await response.text()).not.toContain('outside the web root');
    }
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
  });
});

describe('the Linux sandbox (Ubuntu 23.10 and later)', () => {
  const sysctl = path.join(work, 'sys');
  mkdirSync(path.join(sysctl, 'kernel'), { recursive: true });
  const restrict = path.join(sysctl, 'kernel', 'apparmor_restrict_unprivileged_userns');
  const binary = path.join(trappedElectron, 'dist', 'electron');
  const helper = path.join(trappedElectron, 'dist', 'chrome-sandbox');
  writeFileSync(helper, '');
  const noProfiles = path.join(work, 'apparmor-empty');
  mkdirSync(noProfiles, { recursive: true });
  let start: typeof StartModule;
  beforeAll(async () => {
    start = await import('../../build/scripts/start.mjs');
  });

  it('finds that AppArmor forbids user namespaces and chrome-sandbox is not set-uid root, and gives both remedies', () => {
    writeFileSync(restrict, '1\n');
    const problem = start.linuxSandboxProblem(binary, sysctl, noProfiles)!;
    expect(problem).toContain("Chromium's sandbox cannot start: AppArmor restricts unprivileged user namespaces");
    expect(problem).toContain(`sudo chown root:root '${helper}' && sudo chmod 4755 '${helper}'`);
    expect(problem).toContain(`profile autograd-studio-dev "${binary}" flags=(unconfined) {\\n  userns,`);
    expect(problem).toContain('sudo apparmor_parser -r /etc/apparmor.d/autograd-studio-dev');
  });

  it('finds nothing when user namespaces are allowed, or an AppArmor profile names this Electron', () => {
    writeFileSync(restrict, '0\n');
    expect(start.linuxSandboxProblem(binary, sysctl, noProfiles)).toBeNull();
    writeFileSync(restrict, '1\n');
    const profiles = path.join(work, 'apparmor-allowing');
    mkdirSync(profiles, { recursive: true });
    writeFileSync(path.join(profiles, 'electron-dev'), `profile x "${binary}" flags=(unconfined) { userns, }\n`);
    expect(start.linuxSandboxProblem(binary, sysctl, profiles)).toBeNull();
  });

  it('names the sandbox when Electron then stops, and the root rule when run as root', () => {
    const sandbox = 'the remedy';
    expect(start.earlyExit('was killed by SIGTRAP', { root: false, sandbox })).toEqual({
      reason:
        "Electron was killed by SIGTRAP right after starting; Linux did not let Chromium's sandbox start (the remedy is printed above)",
      remedy: sandbox,
    });
    expect(start.earlyExit('exited with code 1', { root: true, sandbox }).reason).toContain(
      'refuses to run as root without --no-sandbox',
    );
    expect(start.earlyExit('exited with code 3', { root: false, sandbox: null })).toEqual({
      reason: 'Electron exited with code 3 right after starting',
      remedy: null,
    });
  });
});

describe('Node versions', () => {
  it("reads the installer's minimum from electron's engines", async () => {
    const start = await import('../../build/scripts/start.mjs');
    expect(start.minimumNode('>= 22.12.0')).toEqual([22, 12, 0]);
    expect(start.nodeAtLeast('v20.20.2', [22, 12, 0])).toBe(false);
    expect(start.nodeAtLeast('v22.12.0', [22, 12, 0])).toBe(true);
    expect(start.nodeAtLeast('v24.1.0', [22, 12, 0])).toBe(true);
  });
});
