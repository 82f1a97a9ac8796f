import { type IncomingHttpHeaders, request } from 'node:http';

export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RawRequest {
  readonly method?: string;
  /** Sent as written: malformed escapes and encoded slashes reach the server untouched. */
  readonly path: string;
  /** Any header, Host and Origin included (fetch would not let a test set those). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Send the body in pieces of this size, a pause between them, as a slow uploader does. */
  readonly trickle?: { readonly chunkBytes: number; readonly pauseMs: number };
}

/**
 * One request over a fresh connection with node:http, which sends what it is given, so a test can
 * act as a DNS-rebound page, a tunnel or a careless client. Rejects when the socket fails (a reset).
 */
export function rawRequest(baseUrl: string, options: RawRequest): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolvePromise, reject) => {
    const outgoing = request(
      {
        host: hostname === 'localhost' ? '127.0.0.1' : hostname,
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { connection: 'close', ...options.headers },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolvePromise({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    const { body, trickle } = options;
    if (trickle === undefined || body === undefined) {
      outgoing.end(body);
      return;
    }
    const bytes = Buffer.from(body);
    const sendFrom = (offset: number): void => {
      if (outgoing.destroyed) return;
      if (offset >= bytes.length) {
        outgoing.end();
        return;
      }
      outgoing.write(bytes.subarray(offset, offset + trickle.chunkBytes));
      setTimeout(() => sendFrom(offset + trickle.chunkBytes), trickle.pauseMs);
    };
    sendFrom(0);
  });
}
