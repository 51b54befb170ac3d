/**
 * The desktop engine's watchdog. The utility process's main thread never
 * computes: for each port the window gets, it serves the protocol by relaying
 * every request to a {@link SupervisedClient} whose engine runs in a worker
 * thread. So the main thread always reads the window's messages, and the
 * supervisor's rule applies on the desktop as in tests: a `cancel` the engine
 * does not acknowledge within the grace (it is inside one long kernel, or a
 * slow `load`) restarts the engine thread, the pending requests answer with a
 * clear error, the window gets a `restarted` event, and the last document is
 * loaded again.
 *
 * Only protocol types here (no Node, no Electron): the port is typed locally.
 */
import { errorJson } from '../../protocol/codec';
import type { EngineEvent, EngineMessage, ErrorJson, RequestType } from '../../protocol/messages';
import { REQUEST_TYPES } from '../../protocol/messages';
import { checkRequest } from '../../protocol/validate';
import type { AnyRequestBody, EventListener } from '../../protocol/client';
import { toErrorJson } from '../session-host';

/** The parts of Electron's MessagePortMain used here. */
export interface PortMain {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  postMessage(message: unknown): void;
  start(): void;
}

/** What the relay needs of a client: a {@link SupervisedClient} (or a test double). */
export interface RelayClient {
  request(body: AnyRequestBody): Promise<unknown>;
  on(listener: EventListener): () => void;
  dispose(): void;
}

/**
 * Serves the protocol on `port` through `client`. When the port closes (the
 * page reloaded or the window closed) the client is disposed: its engine
 * thread stops, so reloads leave nothing behind.
 */
export function serveThroughClient(port: PortMain, client: RelayClient): void {
  let open = true;
  const post = (message: EngineMessage | EngineEvent): void => {
    if (open) port.postMessage(message);
  };
  const off = client.on((event) => post(event));
  const respond = (
    id: number | null,
    request: RequestType | null,
    body: { ok: true; result: unknown } | { ok: false; error: ErrorJson },
  ) => post({ type: 'response', id, request, ...body } as EngineMessage);

  port.on('message', (event) => {
    const c = checkRequest(event.data);
    if (!c.ok)
      return respond(c.id, requestTypeOf(event.data), { ok: false, error: errorJson('ProtocolError', c.message) });
    const { id, ...body } = c.value;
    client.request(body as AnyRequestBody).then(
      (result) => respond(id, body.type, { ok: true, result }),
      (error: unknown) => respond(id, body.type, { ok: false, error: toErrorJson(error) }),
    );
  });
  port.on('close', () => {
    open = false;
    off();
    client.dispose();
  });
  port.start();
}

function requestTypeOf(raw: unknown): RequestType | null {
  const t = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  return (REQUEST_TYPES as readonly unknown[]).includes(t) ? (t as RequestType) : null;
}
