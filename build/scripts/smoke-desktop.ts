/**
 * The desktop app on a real machine: `npm run smoke:desktop` (not part of
 * `npm test`: it needs Electron's binary and a display, which CI does not
 * have). With playwright-core's `_electron.launch` it opens the app and checks,
 * step by step:
 *
 *  1. the window loads app://studio/ without Content-Security-Policy errors;
 *  2. the engine reports the WebAssembly kernels;
 *  3. an example opens, runs, steps forward and backward;
 *  4. the document is saved and opened again (the native dialogs are answered
 *     in main, with a file in a temporary folder);
 *  5. the engine process is killed and restarted, and runs again;
 *  6. the window reloads (no CSP errors, one engine process, runs again);
 *  7. (macOS) Cmd+A, Cmd+C and Cmd+V in a text field edit the field, not the graph.
 *
 *   npm run smoke:desktop                     the development app (builds it first)
 *   npm run smoke:desktop -- --no-build       the development app as it is built
 *   npm run smoke:desktop -- --app EXE        a packaged app's executable, e.g.
 *       dist/release/linux-unpacked/autograd-studio,
 *       "dist/release/mac-arm64/Autograd Studio.app/Contents/MacOS/Autograd Studio",
 *       "dist/release/win-unpacked/Autograd Studio.exe"
 *     (playwright drives Electron through --inspect, which release builds refuse
 *     by a fuse: package the app to test with
 *     `npm run dist:dir -- -c.electronFuses.enableNodeCliInspectArguments=true`)
 *
 * Exit status 0 when every step passed, 1 otherwise (and at once, with one
 * line, when there is no Electron binary to run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLE = 'small_cnn_training';
const ENGINE_SERVICE = 'Autograd Studio engine';
const STEP_TIMEOUT_MS = 60_000;

interface Options {
  readonly app: string | null;
  readonly build: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  let app: string | null = null;
  let build = true;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--app') app = path.resolve(argv[++i] ?? '');
    else if (argv[i] === '--no-build') build = false;
    else stop(`unknown option ${argv[i]} (options: --app EXECUTABLE, --no-build)`);
  }
  return { app, build };
}

/** One line on stderr, exit status 1. */
function stop(line: string): never {
  console.error(`smoke:desktop: ${line}`);
  process.exit(1);
}

/** The development Electron binary (node_modules/electron, once it has downloaded it), or null. */
function devElectron(): string | null {
  const pkg = path.join(ROOT, 'node_modules', 'electron');
  try {
    const relative = readFileSync(path.join(pkg, 'path.txt'), 'utf8').trim();
    const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkg, 'dist');
    const binary = path.join(dist, relative);
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) stop(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

// --- the steps ----------------------------------------------------------------

interface Context {
  readonly app: ElectronApplication;
  page: Page;
  readonly work: string;
  readonly file: string;
  /** Console messages of the window that report a CSP violation. */
  readonly csp: string[];
}

const results: { name: string; ok: boolean; detail: string }[] = [];

async function step(name: string, body: () => Promise<string | void>): Promise<boolean> {
  const t0 = Date.now();
  try {
    const detail = (await body()) ?? '';
    results.push({ name, ok: true, detail });
    console.log(`  ok    ${name}${detail ? ` (${detail})` : ''} [${Date.now() - t0} ms]`);
    return true;
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    results.push({ name, ok: false, detail });
    console.log(`  FAIL  ${name}: ${detail}`);
    return false;
  }
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/** Records CSP violations the window logs. */
function watchConsole(page: Page, csp: string[]): void {
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame|create)/i.test(text)) csp.push(text);
  });
}

interface StudioWindow {
  __studio: { state: { epoch: number; doc: { nodes: { id: string }[] } } };
}

const epoch = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as StudioWindow).__studio.state.epoch);

/** Waits until a document newer than `before` is open and the canvas shows all its nodes; resolves with its node ids. */
async function opened(page: Page, before: number): Promise<string[]> {
  await page.waitForFunction((b) => (window as unknown as StudioWindow).__studio.state.epoch > b, before, {
    timeout: STEP_TIMEOUT_MS,
  });
  await page.waitForFunction(() => {
    const s = (window as unknown as StudioWindow).__studio.state;
    const shown = new Set(Array.from(document.querySelectorAll('.react-flow__node'), (e) => e.getAttribute('data-id')));
    return s.doc.nodes.length === shown.size && s.doc.nodes.every((n) => shown.has(n.id));
  });
  return page.evaluate(() => (window as unknown as StudioWindow).__studio.state.doc.nodes.map((n) => n.id));
}

/** Clicks a toolbar button and waits until the engine has settled; resolves with its state. */
async function clickAndSettle(page: Page, testid: string): Promise<string> {
  await page.waitForSelector(`[data-testid=${testid}]:not([disabled])`, { timeout: STEP_TIMEOUT_MS });
  await page.click(`[data-testid=${testid}]`);
  await page.waitForFunction(
    () =>
      ['idle', 'done', 'error'].includes(
        document.querySelector('[data-testid=engine-status]')?.getAttribute('data-state') ?? '',
      ),
    undefined,
    { timeout: STEP_TIMEOUT_MS },
  );
  return (await page.getAttribute('[data-testid=engine-status]', 'data-state')) ?? '';
}

/** The kernels the engine named in its ready event, once it has. */
async function kernels(page: Page): Promise<string> {
  await page.waitForSelector('[data-testid=engine-status]:not([data-kernels=""])', { timeout: STEP_TIMEOUT_MS });
  return (await page.getAttribute('[data-testid=engine-status]', 'data-kernels')) ?? '';
}

/** Process ids of the engine utility processes, from Electron's app metrics. */
function enginePids(app: ElectronApplication): Promise<number[]> {
  return app.evaluate(
    ({ app: electronApp }, service) =>
      electronApp
        .getAppMetrics()
        .filter((m) => m.type === 'Utility' && (m.serviceName === service || m.name === service))
        .map((m) => m.pid),
    ENGINE_SERVICE,
  );
}

async function waitFor<T>(what: string, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function steps(c: Context): Promise<void> {
  const { app } = c;
  await step('the window loads app://studio/ without CSP errors', async () => {
    await c.page.waitForSelector('[data-testid=palette]', { timeout: STEP_TIMEOUT_MS });
    check(c.page.url().startsWith('app://studio/'), `the window shows ${c.page.url()}`);
    if (await c.page.isVisible('[data-testid=welcome-start]')) await c.page.click('[data-testid=welcome-start]');
    check(c.csp.length === 0, `CSP: ${c.csp[0]}`);
    return c.page.url();
  });

  await step('the engine reports the WebAssembly kernels', async () => {
    const k = await kernels(c.page);
    check(/^wasm-simd/.test(k), `the engine runs the ${k} kernels`);
    return k;
  });

  let ids: string[] = [];
  await step(`the example ${EXAMPLE} opens, runs, steps forward and backward`, async () => {
    const before = await epoch(c.page);
    await c.page.click('[data-testid=open-examples]');
    await c.page.click(`[data-testid=example-${EXAMPLE}]`);
    ids = await opened(c.page, before);
    check((await clickAndSettle(c.page, 'run')) === 'done', 'the run did not finish');
    await clickAndSettle(c.page, 'reset');
    check((await clickAndSettle(c.page, 'step-forward')) !== 'error', 'step forward failed');
    check((await clickAndSettle(c.page, 'step-backward')) !== 'error', 'step backward failed');
    return `${ids.length} nodes`;
  });

  await step('the document is saved and opened again', async () => {
    // Main's dialogs answer with the temporary file (the page cannot tell).
    await app.evaluate(({ dialog }, file) => {
      dialog.showSaveDialog = (async () => ({ canceled: false, filePath: file })) as typeof dialog.showSaveDialog;
      dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [file] })) as typeof dialog.showOpenDialog;
    }, c.file);
    await c.page.click('.react-flow__pane');
    await c.page.keyboard.press('ControlOrMeta+Shift+S');
    await waitFor('the saved file', async () => (existsSync(c.file) ? true : null));
    const saved = JSON.parse(readFileSync(c.file, 'utf8')) as { nodes: { id: string }[] };
    check(
      JSON.stringify(saved.nodes.map((n) => n.id).sort()) === JSON.stringify([...ids].sort()),
      'the saved file has other nodes',
    );
    const before = await epoch(c.page);
    await c.page.keyboard.press('ControlOrMeta+O');
    const reopened = await opened(c.page, before);
    check(
      JSON.stringify([...reopened].sort()) === JSON.stringify([...ids].sort()),
      'the reopened document has other nodes',
    );
    check((await clickAndSettle(c.page, 'run')) === 'done', 'the reopened document does not run');
    return path.basename(c.file);
  });

  await step('a killed engine process is restarted and runs again', async () => {
    const [pid] = await enginePids(app);
    check(pid !== undefined, 'no engine process in app.getAppMetrics()');
    process.kill(pid!, 'SIGKILL');
    const next = await waitFor('a new engine process', async () => {
      const pids = await enginePids(app);
      return pids.length === 1 && pids[0] !== pid ? pids[0]! : null;
    });
    // The page takes the new engine's port when main hands it over; a run clicked before that fails once.
    let state = '';
    for (let attempt = 0; attempt < 3 && state !== 'done'; attempt++) state = await clickAndSettle(c.page, 'run');
    check(state === 'done', 'the run after the restart did not finish');
    return `pid ${pid} -> ${next}`;
  });

  await step('the window reloads: no CSP errors, one engine process, runs again', async () => {
    c.csp.length = 0;
    await c.page.reload();
    await c.page.waitForSelector('[data-testid=palette]', { timeout: STEP_TIMEOUT_MS });
    check(/^wasm-simd/.test(await kernels(c.page)), 'no WebAssembly kernels after the reload');
    if (await c.page.isVisible('[data-testid=restore-autosave]')) await c.page.click('[data-testid=restore-autosave]');
    const before = await epoch(c.page);
    await c.page.click('[data-testid=open-examples]');
    await c.page.click(`[data-testid=example-${EXAMPLE}]`);
    await opened(c.page, before);
    check((await clickAndSettle(c.page, 'run')) === 'done', 'the run after the reload did not finish');
    check(c.csp.length === 0, `CSP: ${c.csp[0]}`);
    const pids = await enginePids(app);
    check(pids.length === 1, `${pids.length} engine processes`);
  });

  if (process.platform === 'darwin') {
    await step('Cmd+A, Cmd+C, Cmd+V and the Edit menu in a text field edit the field, not the graph', async () => {
      const nodes = await c.page.locator('.react-flow__node').count();
      await c.page.locator('.react-flow__node').first().click();
      const field = c.page.locator('[data-testid=inspector] input[type=text]').nth(1); // the node's label
      await field.click();
      await field.fill('abc');
      // The keys, as playwright sends them (editing commands of the focused element).
      await c.page.keyboard.press('Meta+A');
      await c.page.keyboard.press('Meta+C');
      await c.page.keyboard.press('ArrowRight');
      await c.page.keyboard.press('Meta+V');
      check(
        (await field.inputValue()) === 'abcabc',
        `after the keys the field holds ${JSON.stringify(await field.inputValue())}`,
      );
      // The Edit menu's role items, as a click on them (or an unhandled key) runs them.
      for (const role of ['selectall', 'copy']) await menuRole(app, role);
      await c.page.keyboard.press('ArrowRight');
      await menuRole(app, 'paste');
      check(
        (await field.inputValue()) === 'abcabcabcabc',
        `after the menu the field holds ${JSON.stringify(await field.inputValue())}`,
      );
      check((await c.page.locator('.react-flow__node').count()) === nodes, 'the graph changed (its paste ran)');
    });
  }
}

/** Runs the application menu's item with `role` (lower case) on the window, as a click on it does. */
function menuRole(app: ElectronApplication, role: string): Promise<void> {
  return app.evaluate(({ Menu, BrowserWindow }, r) => {
    const item = Menu.getApplicationMenu()
      ?.items.flatMap((i) => i.submenu?.items ?? [])
      .find((i) => i.role?.toLowerCase() === r);
    const win = BrowserWindow.getAllWindows()[0];
    if (!item || !win) throw new Error(`no menu item with the role ${r}`);
    (item.click as (event: unknown, window: unknown, contents: unknown) => void)(undefined, win, win.webContents);
  }, role);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const binary = options.app ?? devElectron();
  if (!binary || !existsSync(binary)) {
    stop(
      options.app
        ? `no Electron binary is available: ${options.app} does not exist`
        : "no Electron binary is available (node_modules/electron has not downloaded it: run 'npx install-electron', or pass --app EXECUTABLE of a packaged app)",
    );
  }
  if (!options.app && options.build) {
    run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '-s', 'build:web']);
    run(process.execPath, [path.join(ROOT, 'build', 'scripts', 'build-electron.mjs'), '--dev']);
  }
  const work = mkdtempSync(path.join(tmpdir(), 'studio-smoke-'));
  const args = [...(options.app ? [] : [ROOT]), `--user-data-dir=${path.join(work, 'profile')}`];
  console.log(`smoke:desktop: ${binary}${options.app ? '' : ` ${ROOT}`}`);
  let app: ElectronApplication | null = null;
  try {
    app = await electron.launch({ executablePath: binary, args, cwd: ROOT, timeout: STEP_TIMEOUT_MS });
    const csp: string[] = [];
    app.on('window', (page) => watchConsole(page, csp));
    const page = await app.firstWindow({ timeout: STEP_TIMEOUT_MS });
    watchConsole(page, csp);
    await steps({ app, page, work, file: path.join(work, 'smoke.graph.json'), csp });
  } catch (error) {
    results.push({
      name: 'launch',
      ok: false,
      detail: error instanceof Error ? error.message.split('\n')[0]! : String(error),
    });
    console.log(`  FAIL  launch: ${results.at(-1)!.detail}`);
  } finally {
    await app?.close().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
  const failed = results.filter((r) => !r.ok);
  console.log(
    `smoke:desktop: ${results.length - failed.length} of ${results.length} steps passed on ${process.platform}`,
  );
  process.exit(failed.length === 0 ? 0 : 1);
}

await main();
