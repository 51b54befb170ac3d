/**
 * A fake engine port for renderer tests: answers protocol requests with
 * canned results (in test code only; the real engine lives in engine/).
 */
import type { MessagePortLike } from '../../engine/protocol/port';

type Handler = (req: Record<string, unknown>) => unknown;

/** A MessagePort-like fake; `handlers[type]` computes the result (throw `{error}` to fail). */
export class FakeEnginePort implements MessagePortLike {
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  readonly received: Record<string, unknown>[] = [];
  /** When false, requests are held until `flush()`. */
  auto = true;
  private held: Record<string, unknown>[] = [];

  constructor(public handlers: Partial<Record<string, Handler>> = {}) {}

  postMessage(message: unknown): void {
    const req = message as Record<string, unknown>;
    this.received.push(req);
    if (this.auto) queueMicrotask(() => this.answer(req));
    else this.held.push(req);
  }

  /** Answers held requests, last first when `reverse` (to test pairing). */
  flush(reverse = false): void {
    const list = reverse ? [...this.held].reverse() : this.held;
    this.held = [];
    for (const r of list) this.answer(r);
  }

  /** Delivers any message as if the engine sent it. */
  emit(data: unknown): void {
    this.onmessage?.({ data });
  }

  private answer(req: Record<string, unknown>): void {
    const h = this.handlers[req.type as string];
    try {
      if (!h)
        throw {
          error: {
            type: 'StateError',
            message: `no handler for ${String(req.type)}`,
            node: null,
            phase: null,
            iteration: null,
          },
        };
      this.emit({ type: 'response', id: req.id, request: req.type, ok: true, result: h(req) });
    } catch (e) {
      const error = (e as { error?: unknown }).error ?? {
        type: 'InternalError',
        message: String(e),
        node: null,
        phase: null,
        iteration: null,
      };
      this.emit({ type: 'response', id: req.id, request: req.type, ok: false, error });
    }
  }
}

/** Waits for queued microtasks and timers of 0 ms. */
export const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
