/**
 * The engine runs in a utilityProcess. Main creates a MessageChannelMain, hands
 * one port to the engine and the other straight to the window, and then stays
 * out of the way: tensors never pass through main. When the engine dies main
 * starts another and sends the window a new port whose first message is the
 * protocol's `restarted` event. An engine that hangs inside a computation is
 * restarted inside that process (engine/host/electron/relay.ts: the
 * supervisor's cancel rule), so main only sees processes that end.
 */
import { existsSync } from 'node:fs';
import { MessageChannelMain, utilityProcess } from 'electron';
import type { MessagePortMain, UtilityProcess } from 'electron';
import type { EngineEvent } from '../../engine/protocol/messages';
import { Channel } from '../preload/api';

/** Where the port goes: the window's webContents. */
/** The utility process's name (in Electron's app metrics and the OS's task manager). */
export const ENGINE_SERVICE_NAME = 'Autograd Studio engine';

export interface PortTarget {
  postMessage(channel: string, message: unknown, transfer: MessagePortMain[]): void;
  isDestroyed(): boolean;
}

export interface EngineHostOptions {
  /** The built engine entry (engine/host/electron/entry.ts bundled). */
  readonly entry: string;
  readonly target: () => PortTarget | null;
  /** At most this many restarts within `restartWindowMs`; then main gives up and calls onGiveUp. */
  readonly maxRestarts?: number;
  readonly restartWindowMs?: number;
  readonly onGiveUp?: (reason: string) => void;
  readonly log?: (message: string) => void;
}

export class EngineHost {
  private child: UtilityProcess | null = null;
  private restarts: number[] = [];
  private stopped = false;

  constructor(private readonly options: EngineHostOptions) {}

  get running(): boolean {
    return this.child !== null;
  }

  /**
   * The page asks for an engine (on load, after a reload). A port can be
   * handed over once, so every request gets a new channel: the running
   * engine process opens a fresh session on it (one per port); if none is
   * running, one is started.
   */
  connect(): void {
    this.stopped = false;
    this.restarts = [];
    if (this.child) this.handOver(this.child, null);
    else this.start(null);
  }

  stop(): void {
    this.stopped = true;
    this.kill();
  }

  private kill(): void {
    const child = this.child;
    this.child = null;
    child?.kill();
  }

  private start(restartReason: string | null): void {
    const { entry, target, log = console.error } = this.options;
    const win = target();
    if (!win || win.isDestroyed()) return;
    if (!existsSync(entry)) {
      log(`engine: ${entry} does not exist (run npm run build:electron)`);
      this.options.onGiveUp?.(`The engine was not built: ${entry} is missing.`);
      return;
    }
    const child = utilityProcess.fork(entry, [], { serviceName: ENGINE_SERVICE_NAME, stdio: 'inherit' });
    this.child = child;
    // A fatal V8 error (out of memory, ...): 'exit' follows, whose restart names it. Without a
    // listener the event would throw ERR_UNHANDLED_ERROR in main.
    let fatal: string | null = null;
    child.on('error', (type: string, location: string) => {
      fatal = `${type}${location ? ` at ${location}` : ''}`;
      log(`engine: fatal error in the engine process: ${fatal}`);
    });
    child.once('exit', (code) => this.exited(child, code, fatal));
    this.handOver(child, restartReason);
  }

  /** One end of a new channel to the engine, the other to the window. */
  private handOver(child: UtilityProcess, restartReason: string | null): void {
    const win = this.options.target();
    if (!win || win.isDestroyed()) return;
    const { port1, port2 } = new MessageChannelMain();
    if (restartReason !== null) {
      const event: EngineEvent = { type: 'event', event: 'restarted', reason: restartReason };
      port1.postMessage(event);
    }
    child.postMessage({ type: 'connect' }, [port1]);
    win.postMessage(Channel.enginePort, null, [port2]);
  }

  private exited(child: UtilityProcess, code: number, fatal: string | null): void {
    if (child !== this.child || this.stopped) return;
    this.child = null;
    const reason = fatal
      ? `the engine process failed (${fatal}; code ${code})`
      : `the engine process exited (code ${code})`;
    const { maxRestarts = 3, restartWindowMs = 60_000, log = console.error } = this.options;
    const now = Date.now();
    this.restarts = [...this.restarts.filter((t) => now - t < restartWindowMs), now];
    if (this.restarts.length > maxRestarts) {
      log(`engine: ${reason}; not restarting after ${maxRestarts} restarts`);
      this.options.onGiveUp?.(`The engine stopped ${this.restarts.length} times in a row: ${reason}.`);
      return;
    }
    log(`engine: ${reason}; restarting`);
    this.start(reason);
  }
}
