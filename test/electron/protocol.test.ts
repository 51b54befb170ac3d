/** The app:// scheme: privileged registration, files only from the web root, security headers. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { protocol } from './electron-mock';
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  handleAppProtocol,
  registerAppScheme,
  resolveAppPath,
  serveAppRequest,
} from '../../electron/main/protocol';

vi.mock('electron', () => import('./electron-mock'));

const base = mkdtempSync(path.join(tmpdir(), 'app-protocol-'));
const root = path.join(base, 'web');
mkdirSync(path.join(root, 'assets'), { recursive: true });
writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Autograd Studio</title>');
writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(path.join(base, 'secret.txt'), 'outside the web root');
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('registration', () => {
  it('registers app:// as a standard, secure scheme before ready', () => {
    registerAppScheme();
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ]);
    const privileges = protocol.registerSchemesAsPrivileged.mock.calls[0]![0][0].privileges;
    expect(privileges.bypassCSP).toBeUndefined();
    expect(privileges.allowServiceWorkers).toBeUndefined();
  });

  it('serves the scheme from the web root', async () => {
    handleAppProtocol(root);
    const [scheme, handler] = protocol.handle.mock.calls[0]!;
    expect(scheme).toBe('app');
    const response = (await handler(new Request(APP_ENTRY_URL))) as Response;
    expect(response.status).toBe(200);
  });
});

describe('resolveAppPath', () => {
  it('maps app URLs into the root', () => {
    expect(resolveAppPath(root, 'app://studio/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://studio/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://studio/assets/app.js?v=1#x')).toBe(path.join(root, 'assets', 'app.js'));
  });

  it.each([
    'app://studio/../secret.txt',
    'app://studio/%2e%2e/secret.txt',
    'app://studio/assets/%2e%2e/%2e%2e/secret.txt',
    'app://studio/..%2fsecret.txt',
    'app://studio/..%5csecret.txt',
    'app://studio/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd',
    'app://studio/index.html%00.js',
    'app://studio/%E0%A4%A',
    'app://other/index.html',
    'file:///etc/passwd',
    'https://studio/index.html',
    'not a url',
  ])('refuses %s', (url) => {
    const file = resolveAppPath(root, url);
    if (file !== null) {
      // the URL parser may already have removed the dot segments: then it must still be inside
      expect(path.relative(root, file).startsWith('..')).toBe(false);
    }
    expect(file === null || file.startsWith(root + path.sep)).toBe(true);
  });

  it('refuses encoded traversal outright', () => {
    expect(resolveAppPath(root, 'app://studio/..%2fsecret.txt')).toBeNull();
    expect(resolveAppPath(root, 'app://studio/..%5csecret.txt')).toBeNull();
    expect(resolveAppPath(root, 'app://studio/index.html%00.js')).toBeNull();
    expect(resolveAppPath(root, 'app://other/index.html')).toBeNull();
  });
});

describe('serveAppRequest', () => {
  it('serves files with their type and the security headers', async () => {
    const page = await serveAppRequest(root, { url: 'app://studio/index.html', method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('Autograd Studio');
    const script = await serveAppRequest(root, { url: 'app://studio/assets/app.js', method: 'GET' });
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers 404 outside the root, for directories and missing files', async () => {
    for (const url of [
      'app://studio/../secret.txt',
      'app://studio/..%2fsecret.txt',
      'app://studio/assets',
      'app://studio/nope.js',
    ]) {
      const response = await serveAppRequest(root, { url, method: 'GET' });
      expect(response.status, url).toBe(404);
      expect(await response.text()).not.toContain('outside the web root');
    }
  });

  it('answers 405 to anything but GET and HEAD', async () => {
    expect((await serveAppRequest(root, { url: APP_ENTRY_URL, method: 'POST' })).status).toBe(405);
    expect((await serveAppRequest(root, { url: APP_ENTRY_URL, method: 'HEAD' })).status).toBe(200);
  });
});

describe('the content security policy of app:// responses', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );

  it('allows scripts only from the app, without eval or inline code', () => {
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(directives.get('default-src')).toEqual(["'self'"]);
  });

  it('allows styles only from the app: no inline <style> or style="..." (CSSOM styles are not inline)', () => {
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
  });

  it('forbids plugins, base rewriting, framing and form posts', () => {
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
  });
});
