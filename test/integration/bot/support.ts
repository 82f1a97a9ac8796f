import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { serveFunction } from '../../../composition/http-adapter.js';
import { NotFoundError } from '../../../core/errors.js';
import type { Review } from '../../../core/model/review.js';
import type { CardJson } from '../../../core/ports/chat-notifier.js';
import type {
  ConversationRecord,
  ConversationStore,
} from '../../../core/ports/conversation-store.js';
import type { CardContext, ReviewCards } from '../../../core/ports/review-cards.js';
import type { Logger } from '../../../core/ports/logger.js';
import { type BotEndpoint, messages } from '../../../functions/messages.js';
import { aReview as aStoredReview } from '../../contract/review-store.contract.js';

// Doubles and helpers for the bot tests (reviews: test/doubles/in-memory-review-store.ts). The
// conversation store keeps state in a map; the cards double renders
// each view as small JSON that says which view it is, so tests assert on meaning, not layout.

export class MemoryConversationStore implements ConversationStore {
  readonly records = new Map<string, ConversationRecord>();

  save(record: ConversationRecord): Promise<void> {
    this.records.set(record.key, record);
    return Promise.resolve();
  }

  get(key: string): Promise<ConversationRecord | undefined> {
    return Promise.resolve(this.records.get(key));
  }

  list(): Promise<readonly ConversationRecord[]> {
    return Promise.resolve([...this.records.values()]);
  }

  setStatus(key: string, status: ConversationRecord['status'], at: Date): Promise<void> {
    const record = this.records.get(key);
    if (record === undefined) return Promise.reject(new NotFoundError('Conversation', key));
    this.records.set(key, { ...record, status, updatedAt: at.toISOString() });
    return Promise.resolve();
  }
}

/** Each view as `{ view, reviewId, status, cardVersion, … }` inside a valid 1.5 card. */
export class LabelledReviewCards implements ReviewCards {
  private card(fields: Record<string, unknown>): CardJson {
    return {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'TextBlock', text: JSON.stringify(fields) }],
      ...fields,
    };
  }

  private facts(review: Review, context: CardContext) {
    return {
      reviewId: review.id,
      status: review.status,
      cardVersion: review.cardVersion,
      ...(review.teams.cardInstance === undefined
        ? {}
        : { cardInstance: review.teams.cardInstance }),
      refreshUserIds: [...context.refreshUserIds],
    };
  }

  shared(review: Review, context: CardContext): CardJson {
    return this.card({ view: 'shared', ...this.facts(review, context) });
  }

  forReviewer(review: Review, context: CardContext): CardJson {
    return this.card({ view: 'reviewer', ...this.facts(review, context) });
  }

  readOnly(review: Review, context: CardContext, reason: string): CardJson {
    return this.card({ view: 'readOnly', reason, ...this.facts(review, context) });
  }

  moved(review: Review, context: CardContext): CardJson {
    return this.card({ view: 'moved', ...this.facts(review, context) });
  }

  error(title: string, message: string, review?: Review): CardJson {
    return this.card({ view: 'error', title, message, reviewId: review?.id });
  }
}

export const CONVERSATION_KEY = 'channel:Marketing/Photo reviews';

/** A pending review of the "Spring shoot" gallery for two reviewers, posted to the review channel. */
export function aReview(overrides: Partial<Review> = {}): Review {
  const at = '2026-11-23T08:00:00.000Z';
  const galleryId = overrides.galleryId ?? 'G0000aBcDeFgHiJk';
  return aStoredReview({
    // A review id is `{galleryId}~{suffix}` (core's newReviewId), as the stores require.
    id: `${galleryId}~spring1`,
    galleryId,
    galleryName: 'Spring shoot',
    galleryUrl: 'https://acme.photoshelter.com/gallery/G0000aBcDeFgHiJk',
    assets: [
      {
        assetId: 'I0000aBcDeFgHiJ1',
        fileName: 'a.jpg',
        addedAt: at,
        thumbnailUrl: 'https://example.com/a.jpg',
      },
      { assetId: 'I0000aBcDeFgHiJ2', fileName: 'b.jpg', addedAt: at },
    ],
    reviewers: [
      { id: 'fd1c0001-f855-4ced-a457-a855155daca6', name: 'Adele Vance', upn: 'AdeleV@x' },
      { id: 'b69cf5ce-9016-43fe-bb37-d61040d824be', name: 'Alex Wilber', upn: 'AlexW@x' },
    ],
    teams: { conversation: CONVERSATION_KEY },
    dueAt: '2026-11-26T08:00:00.000Z',
    openedAt: at,
    updatedAt: at,
    ...overrides,
  });
}

export interface BotServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A node:http server serving the `messages` function definition the way the local host does
 * (composition/http-adapter.ts), so requests go through functions/messages.ts as in production.
 */
export async function startBotServer(endpoint: BotEndpoint, logger: Logger): Promise<BotServer> {
  const definitions = [messages(() => Promise.resolve(endpoint))];
  let base = '';
  const server: Server = createServer((request, response) => {
    void serveFunction(definitions, request, response, base, logger).then((isServed) => {
      if (!isServed) {
        response.writeHead(404);
        response.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/api/messages`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
