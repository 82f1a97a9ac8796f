import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface ReceivedDelivery {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The name the client asked for in TLS (SNI); undefined over plain http or without SNI. */
  readonly servername: string | undefined;
}

/** How the subscriber answers a path: a status (and headers), or never (`hang`). */
export type Answer =
  { readonly status: number; readonly headers?: Record<string, string> } | 'hang';

/** A webhook subscriber on 127.0.0.1 that records every request and answers by path. */
export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];
  private server: Server | undefined;
  url = '';

  /** With `tls`, an https subscriber holding that certificate. */
  constructor(
    private readonly answer: (path: string) => Answer,
    private readonly tls?: { readonly key: string; readonly cert: string },
  ) {}

  async start(): Promise<void> {
    const handle = (request: IncomingMessage, response: ServerResponse) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const path = request.url ?? '/';
        const sni = (request.socket as Partial<TLSSocket>).servername;
        this.received.push({
          path,
          headers: request.headers,
          body,
          servername: typeof sni === 'string' ? sni : undefined,
        });
        const answer = this.answer(path);
        if (answer === 'hang') return;
        response.writeHead(answer.status, answer.headers).end('ignored');
      });
    };
    this.server = this.tls === undefined ? createServer(handle) : createTlsServer(this.tls, handle);
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const scheme = this.tls === undefined ? 'http' : 'https';
    this.url = `${scheme}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  at(path: string): ReceivedDelivery[] {
    return this.received.filter((d) => d.path === path);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}
