/**
 * The one window: its options (a pure function, so tests assert them), the
 * guards every webContents gets, and the session's permission policy.
 */
import { BrowserWindow, shell } from 'electron';
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import { APP_ENTRY_URL, APP_HOST, APP_SCHEME } from './protocol';
import type { WindowState } from './documents';

export const APP_NAME = 'Autograd Studio';
export const DEFAULT_BOUNDS = { width: 1280, height: 820 } as const;
export const MIN_SIZE = { width: 800, height: 560 } as const;

export function windowOptions(preloadPath: string, state: WindowState | null = null): BrowserWindowConstructorOptions {
  const bounds = state ? { x: state.x, y: state.y, width: state.width, height: state.height } : { ...DEFAULT_BOUNDS };
  return {
    ...bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: APP_NAME,
    show: false,
    backgroundColor: '#1b1d23',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}

/** True for URLs of the app's own origin (`app://studio/...`). */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * Hosts whose pages a link may open in the system browser: PyTorch's
 * documentation, which op help links to. The app links nowhere else.
 */
export const EXTERNAL_HOSTS: ReadonlySet<string> = new Set(['pytorch.org', 'docs.pytorch.org']);

/**
 * Links the page asks to open that go to the system browser: https, on the
 * default port, without credentials, to a host of {@link EXTERNAL_HOSTS}.
 * Nothing else leaves the app.
 */
export function isExternalLink(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const plain = parsed.username === '' && parsed.password === '' && parsed.port === '';
  return parsed.protocol === 'https:' && plain && EXTERNAL_HOSTS.has(parsed.hostname);
}

/**
 * No navigation (the page is a single-page app: any navigation is a link, a
 * drop or an attack), no frame leaving app://, no new windows, no <webview>.
 */
export function guardWebContents(
  contents: WebContents,
  openExternal: (url: string) => void = (url) => void shell.openExternal(url),
): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (details) => {
    if (details.isMainFrame || !isAppUrl(details.url)) details.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) openExternal(url);
    return { action: 'deny' };
  });
}

/** Permissions the page may have: writing to the clipboard, from the app's origin only. */
export function isPermissionAllowed(permission: string, requestingUrl: string): boolean {
  return permission === 'clipboard-sanitized-write' && isAppUrl(requestingUrl);
}

export function lockDownSession(session: Session): void {
  session.setPermissionRequestHandler((contents, permission, callback, details) =>
    callback(isPermissionAllowed(permission, details.requestingUrl ?? contents.getURL())),
  );
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin),
  );
}

/** Creates the window and loads the app from the custom scheme (never file://). */
export function createMainWindow(preloadPath: string, state: WindowState | null): BrowserWindow {
  const win = new BrowserWindow(windowOptions(preloadPath, state));
  guardWebContents(win.webContents);
  if (state?.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY_URL);
  return win;
}
