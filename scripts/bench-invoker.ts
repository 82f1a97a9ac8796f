// The invoke load of `npm run bench`, in a process of its own so that its fetches count against it and
// not against the bot it measures. Reads `{warmUp, presses}` (signed invokes prepared by the Teams
// simulator, ready to post as Teams would) as JSON on stdin, posts the warm-up ones at once, then
// every press at once, and prints each press's round trip in ms as one JSON line.
import { performance } from 'node:perf_hooks';
import { text } from 'node:stream/consumers';

import { z } from 'zod';

const deliverySchema = z.object({
  endpoint: z.url(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
});
const inputSchema = z.object({
  warmUp: z.array(deliverySchema),
  presses: z.array(deliverySchema),
});

async function post(delivery: z.infer<typeof deliverySchema>): Promise<number> {
  const start = performance.now();
  const response = await fetch(delivery.endpoint, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  const answer = (await response.json()) as { statusCode?: number };
  const ms = performance.now() - start;
  if (response.status !== 200 || answer.statusCode !== 200) {
    throw new TypeError(`the bot answered ${response.status} / ${String(answer.statusCode)}`);
  }
  return ms;
}

const input = inputSchema.parse(JSON.parse(await text(process.stdin)));
await Promise.all(input.warmUp.map(post));
const durations = await Promise.all(input.presses.map(post));
process.stdout.write(`${JSON.stringify({ durations })}\n`);
