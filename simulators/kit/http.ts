import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

// Reply helpers and the listen/close of a loopback node:http server, shared by every simulator.

/** What a route answers; `body` undefined sends no body. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export const reply = (
  status: number,
  body?: unknown,
  headers?: Readonly<Record<string, string>>,
): Reply => ({
  status,
  ...(body === undefined ? {} : { body }),
  ...(headers === undefined ? {} : { headers }),
});

/** The console page lives on another origin (the local host), so answers allow any origin. */
export function corsHeaders(allowHeaders: readonly string[]): Readonly<Record<string, string>> {
  return {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'access-control-allow-headers': ['content-type', 'authorization', ...allowHeaders].join(', '),
    'access-control-expose-headers': 'retry-after, etag',
    'access-control-max-age': '600',
  };
}

export const JSON_TYPE = 'application/json; charset=utf-8';

/** Writes `answer` as JSON unless the socket is gone; `headers` go under the answer's own. */
export function sendJson(
  res: ServerResponse,
  answer: Reply,
  headers: Readonly<Record<string, string>> = {},
  contentType: string = JSON_TYPE,
): void {
  if (res.destroyed || res.headersSent) return;
  if (answer.body === undefined) {
    res.writeHead(answer.status, { ...headers, ...answer.headers });
    res.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
    ...answer.headers,
  });
  res.end(text);
}

export function sendBytes(
  res: ServerResponse,
  status: number,
  bytes: Buffer,
  headers: Readonly<Record<string, string>>,
): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { 'content-length': String(bytes.length), ...headers });
  res.end(bytes);
}

/** Lower-cased single-value headers (repeated ones joined with `, `). */
export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * A started listener: its base URL, and a close that also ends keep-alive and stalled sockets
 * (a latency fault can hold one open) so a test's `stop()` never waits for them.
 */
export interface Listening {
  readonly url: string;
  close(): Promise<void>;
}

export async function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown =
    address.address === '0.0.0.0' || address.address === '::'
      ? '127.0.0.1'
      : address.family === 'IPv6'
        ? `[${address.address}]`
        : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      }),
  };
}
