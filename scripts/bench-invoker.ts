// The invoke load of `npm run bench`, in a process of its own so that its work counts against it and
// not against the bot it measures. Reads `{warmUp, presses}` (signed invokes prepared by the Teams
// simulator, ready to post as Teams would) as JSON on stdin, posts each round of warm-up invokes at
// once, round after round, then every press at once, and prints each press's round trip in ms as
// one JSON line.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { text } from 'node:stream/consumers';

import { z } from 'zod';

const deliverySchema = z.object({
  endpoint: z.url(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
});
const inputSchema = z.object({
  warmUp: z.array(z.array(deliverySchema)),
  presses: z.array(deliverySchema),
});
type Delivery = z.infer<typeof deliverySchema>;

// node:http with kept-alive sockets rather than fetch: on a two-core machine the client shares the
// CPU with the bot it measures, and undici's fetch costs it about twice as much per request.
const agent = new Agent({ keepAlive: true, maxSockets: 100 });

function send(delivery: Delivery): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      delivery.endpoint,
      {
        method: 'POST',
        agent,
        headers: { ...delivery.headers, 'content-length': Buffer.byteLength(delivery.body) },
      },
      (response) => {
        text(response).then(
          (body) => resolve({ status: response.statusCode ?? 0, body }),
          (e: unknown) => reject(e instanceof Error ? e : new TypeError(String(e))),
        );
      },
    );
    outgoing.once('error', reject);
    outgoing.end(delivery.body);
  });
}

async function post(delivery: Delivery): Promise<number> {
  const start = performance.now();
  const response = await send(delivery);
  const ms = performance.now() - start;
  const answer = JSON.parse(response.body) as { statusCode?: number };
  if (response.status !== 200 || answer.statusCode !== 200) {
    throw new TypeError(`the bot answered ${response.status} / ${String(answer.statusCode)}`);
  }
  return ms;
}

const input = inputSchema.parse(JSON.parse(await text(process.stdin)));
for (const round of input.warmUp) await Promise.all(round.map(post));
const durations = await Promise.all(input.presses.map(post));
agent.destroy();
process.stdout.write(`${JSON.stringify({ durations })}\n`);
