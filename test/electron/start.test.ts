/**
 * `npm start` where Electron cannot run: it serves the web build on
 * localhost (the next free port if 5173's is taken) and says why.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

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
writeFileSync(path.join(electronPackage, 'install.js'), 'console.error("RequestError: getaddrinfo ENOTFOUND github.com"); process.exit(1);');

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

/** Starts start.mjs and resolves with its output once it prints the URL. */
function start(args: string[], env: Record<string, string> = { STUDIO_ELECTRON_PACKAGE: electronPackage }): Promise<{ url: string; output: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'build', 'scripts', 'start.mjs'), '--no-build', '--root', web, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
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
    expect(output).toMatch(/desktop app could not start: Electron's binary could not be downloaded \(RequestError: getaddrinfo ENOTFOUND github\.com\)/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('Autograd Studio');
    expect((await fetch(`${url}assets/app.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it.skipIf(process.platform === 'win32')('falls back when Electron exits right after starting', async () => {
    const { output } = await start(['--port', String(await freePort())], { STUDIO_ELECTRON_PACKAGE: brokenElectron, DISPLAY: ':99' });
    expect(output).toContain('opening the desktop app');
    expect(output).toMatch(/desktop app could not start: Electron exited with code 3 right after starting/);
    expect(readFileSync(argsFile, 'utf8').trim()).toBe(ROOT);
  });

  it('falls back when there is no display', async () => {
    const { output } = await start(['--port', String(await freePort())], { STUDIO_ELECTRON_PACKAGE: brokenElectron, DISPLAY: '', WAYLAND_DISPLAY: '' });
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
    for (const attack of ['../secret.txt', '%2e%2e/secret.txt', '..%2fsecret.txt', 'assets/..%2f..%2fsecret.txt', '..%5csecret.txt']) {
      const response = await fetch(`${url}${attack}`);
      expect(response.status, attack).toBe(404);
      expect(await response.text()).not.toContain('outside the web root');
    }
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
  });
});
