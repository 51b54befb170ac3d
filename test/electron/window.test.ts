/** The window's security: options, navigation and new-window guards, permissions, and where it loads from. */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, FakeWebContents } from './electron-mock';
import {
  createMainWindow,
  guardWebContents,
  isAppUrl,
  isExternalLink,
  isPermissionAllowed,
  lockDownSession,
  windowOptions,
} from '../../electron/main/window';

vi.mock('electron', () => import('./electron-mock'));

beforeEach(() => {
  vi.clearAllMocks();
  BrowserWindow.instances.length = 0;
});

describe('windowOptions', () => {
  const prefs = windowOptions('/app/dist/electron/preload.cjs').webPreferences!;

  it('isolates and sandboxes the page, without Node', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and the risky features off', () => {
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.navigateOnDragDrop).toBe(false);
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
  });

  it('uses the given preload and saved bounds', () => {
    expect(prefs.preload).toBe('/app/dist/electron/preload.cjs');
    const options = windowOptions('/p.cjs', { x: 10, y: 20, width: 1000, height: 700, maximized: false });
    expect(options).toMatchObject({ x: 10, y: 20, width: 1000, height: 700, show: false });
    expect(windowOptions('/p.cjs')).toMatchObject({ width: 1280, height: 820 });
  });
});

describe('guardWebContents', () => {
  function guarded() {
    const contents = new FakeWebContents();
    const openExternal = vi.fn();
    guardWebContents(contents as never, openExternal);
    return { contents, openExternal };
  }

  it.each(['https://evil.example/', 'file:///etc/passwd', 'app://studio/other.html', 'javascript:alert(1)'])(
    'refuses navigation to %s',
    (url) => {
      const { contents } = guarded();
      const event = { preventDefault: vi.fn() };
      contents.emit('will-navigate', event, url);
      expect(event.preventDefault).toHaveBeenCalled();
    },
  );

  it('refuses redirects and <webview>', () => {
    const { contents } = guarded();
    for (const name of ['will-redirect', 'will-attach-webview']) {
      const event = { preventDefault: vi.fn() };
      contents.emit(name, event, 'https://x.example/');
      expect(event.preventDefault).toHaveBeenCalled();
    }
  });

  it('denies every new window; https links to the PyTorch docs go to the system browser', () => {
    const { contents, openExternal } = guarded();
    const handler = contents.windowOpenHandler!;
    expect(handler({ url: 'https://pytorch.org/docs/' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'https://docs.pytorch.org/docs/1.13/generated/torch.nn.Conv2d.html' })).toEqual({
      action: 'deny',
    });
    expect(openExternal.mock.calls).toEqual([
      ['https://pytorch.org/docs/'],
      ['https://docs.pytorch.org/docs/1.13/generated/torch.nn.Conv2d.html'],
    ]);
    for (const url of [
      'file:///etc/passwd',
      'http://insecure.example/',
      'app://studio/index.html',
      'javascript:alert(1)',
    ]) {
      expect(handler({ url })).toEqual({ action: 'deny' });
    }
    expect(openExternal).toHaveBeenCalledTimes(2);
  });

  it.each([
    'https://evil.example/',
    'https://pytorch.org.evil.example/docs/',
    'https://evilpytorch.org/',
    'https://pytorch.org@evil.example/',
    'https://user:pass@pytorch.org/',
    'https://pytorch.org:8443/docs/',
    'http://pytorch.org/docs/',
    'ftp://pytorch.org/',
    'not a url',
  ])('opens no other link in the system browser: %s', (url) => {
    const { contents, openExternal } = guarded();
    expect(contents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    expect(isExternalLink(url)).toBe(false);
    expect(openExternal).not.toHaveBeenCalled();
  });

  it.each([
    ['a subframe to the web', 'https://evil.example/', false],
    ['a subframe to a file', 'file:///etc/passwd', false],
    ['a subframe to another app host', 'app://other/index.html', false],
    ['the main frame, even inside the app', 'app://studio/other.html', true],
    ['the main frame to the web', 'https://evil.example/', true],
  ])('refuses navigation of %s (will-frame-navigate)', (_what, url, isMainFrame) => {
    const { contents } = guarded();
    const details = { url, isMainFrame, preventDefault: vi.fn() };
    contents.emit('will-frame-navigate', details);
    expect(details.preventDefault).toHaveBeenCalled();
  });

  it('lets a subframe navigate inside the app (the CSP has no frames to load anyway)', () => {
    const { contents } = guarded();
    const details = { url: 'app://studio/index.html', isMainFrame: false, preventDefault: vi.fn() };
    contents.emit('will-frame-navigate', details);
    expect(details.preventDefault).not.toHaveBeenCalled();
  });
});

describe('permissions', () => {
  it('grant only clipboard writes, only to the app origin', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://studio/index.html')).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'hid', 'serial']) {
      expect(isPermissionAllowed(p, 'app://studio/index.html')).toBe(false);
    }
  });

  it('are enforced on the session', () => {
    const session = { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() };
    lockDownSession(session as never);
    const request = session.setPermissionRequestHandler.mock.calls[0]![0];
    const callback = vi.fn();
    request({ getURL: () => 'app://studio/index.html' }, 'media', callback, {
      requestingUrl: 'app://studio/index.html',
    });
    expect(callback).toHaveBeenCalledWith(false);
    const check = session.setPermissionCheckHandler.mock.calls[0]![0];
    expect(check(null, 'geolocation', 'app://studio')).toBe(false);
  });
});

describe('createMainWindow', () => {
  it('loads the app from app://, never from file://', () => {
    createMainWindow('/app/dist/electron/preload.cjs', null);
    const win = BrowserWindow.instances[0]!;
    expect(win.loadURL).toHaveBeenCalledWith('app://studio/index.html');
    expect(win.loadFile).not.toHaveBeenCalled();
    expect(win.loadURL.mock.calls.every(([url]) => !url.startsWith('file:'))).toBe(true);
    expect(win.options).toEqual(windowOptions('/app/dist/electron/preload.cjs', null));
    expect(win.webContents.windowOpenHandler).not.toBeNull();
    expect(win.webContents.listenerCount('will-navigate')).toBe(1);
    expect(win.webContents.listenerCount('will-frame-navigate')).toBe(1);
  });

  it('restores a maximized window', () => {
    createMainWindow('/p.cjs', { width: 900, height: 600, maximized: true });
    expect(BrowserWindow.instances[0]!.maximize).toHaveBeenCalled();
  });
});

describe('isAppUrl', () => {
  it('accepts only the app origin', () => {
    expect(isAppUrl('app://studio/index.html')).toBe(true);
    expect(isAppUrl('app://studio')).toBe(true);
    expect(isAppUrl('app://other/index.html')).toBe(false);
    expect(isAppUrl('file:///app/dist/web/index.html')).toBe(false);
    expect(isAppUrl('https://studio/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});
