import { z } from 'zod';

// Every behaviour of the Preservica simulator that the vendor does not document ([INF] in
// docs/preservica-simulator.md), kept in one place: an option of the server and switchable at run
// time with `POST /_sim/settings`.

export const inferredSchema = z.strictObject({
  /** Entity API error bodies are undocumented: an XML `<Error>` document or plain text. */
  entityErrorBody: z.enum(['xml', 'text']),
  /** Whether an IO skipped as already ingested also gets a FULL_TEXT_INDEXED delivery. */
  notifySkipped: z.boolean(),
  /** One webhook delivery per entity, or one per ingest carrying every entity's event. */
  webhookBatching: z.enum(['per-entity', 'per-ingest']),
  /** What a subscribe whose challenge handshake failed answers. */
  handshakeFailureStatus: z.union([z.literal(400), z.literal(422)]),
  /** How long (injected clock) an ingest stays PENDING, then ACTIVE, before it finishes. */
  pendingMs: z.number().int().min(0),
  activeMs: z.number().int().min(0),
  /** How long (injected clock) a move's progress token reports ACTIVE before COMPLETED. */
  moveMs: z.number().int().min(0),
  /** Real-time waits between webhook delivery attempts; its length + 1 is the number of attempts. */
  webhookRetryDelaysMs: z.array(z.number().int().min(0)).max(10),
  /** S3's minimum size of every multipart part but the last (S3 answers EntityTooSmall). */
  minPartBytes: z.number().int().min(0),
});
export type InferredSettings = z.infer<typeof inferredSchema>;

export const DEFAULT_INFERRED: InferredSettings = {
  entityErrorBody: 'xml',
  notifySkipped: false,
  webhookBatching: 'per-entity',
  handshakeFailureStatus: 400,
  pendingMs: 1000,
  activeMs: 2000,
  moveMs: 0,
  webhookRetryDelaysMs: [250, 1000, 4000],
  minPartBytes: 5 * 1024 * 1024,
};
