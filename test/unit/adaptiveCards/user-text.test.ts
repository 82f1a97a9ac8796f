import { describe, expect, it } from 'vitest';

import type { AdaptiveCard } from '../../../adaptiveCards/card-types.js';
import { buildDecidedCard } from '../../../adaptiveCards/decided-card.js';
import { buildErrorCard } from '../../../adaptiveCards/error-card.js';
import { buildPendingCard, buildStatusCard } from '../../../adaptiveCards/message-card.js';
import { buildReviewCard } from '../../../adaptiveCards/review-card.js';
import type { Review } from '../../../core/model/review.js';
import {
  aDecision,
  anAsset,
  aReview,
  aReviewer,
  at,
  mriOf,
  t0,
} from '../../support/review-builders.js';
import { expectRendererAccepts, findAll } from './card-checks.js';

// Names, comments and file names come from people (PhotoShelter, the directory, a reviewer, an API
// caller). Teams reads TextBlock and Fact text as Markdown and `<at>` as a mention, so every card
// must show such text as typed: no emphasis, list, link or mention made of it.

const EVIL = 'https://evil.example/login';
const galleryName = `**Big** [sale](${EVIL}) <at>Megan Bowen</at>`;
const reviewerName = `_Ada_ [admin](${EVIL})`;
const comment = `- [click here](${EVIL})\n1. **urgent** <at>Megan Bowen</at>`;
const fileName = `[IMG](${EVIL})_*.jpg`;

const SHOWN_GALLERY =
  '\\*\\*Big\\*\\* \\[sale\\]\\(https://evil.example/login\\) ‹at›Megan Bowen‹/at›';
const SHOWN_REVIEWER = '\\_Ada\\_ \\[admin\\]\\(https://evil.example/login\\)';

const ada = aReviewer(1, { name: reviewerName });
const ben = aReviewer(2);
const now = new Date(t0.getTime() + 60 * 60_000);

function reviewOf(overrides: Partial<Review> = {}): Review {
  return aReview({
    galleryName,
    reviewers: [ada, ben],
    assets: [anAsset(1, { fileName })],
    status: 'rereview',
    cardVersion: 2,
    decisions: [aDecision(ada, 'rereview', { comment })],
    ...overrides,
  });
}

const thumbnailsOf = (review: Review) =>
  review.assets.map((a) => ({
    assetId: a.assetId,
    url: a.thumbnailUrl ?? '',
    fileName: a.fileName,
  }));

/** Every piece of text Teams renders as Markdown: TextBlocks and facts. */
function renderedTexts(card: AdaptiveCard): string[] {
  return [
    ...findAll(card, 'TextBlock').map((t) => String(t.text)),
    ...findAll(card, 'FactSet').flatMap((f) =>
      (f.facts as { title: string; value: string }[]).flatMap((fact) => [fact.title, fact.value]),
    ),
  ];
}

/** No rendered text holds a live link, emphasis or mention, and no action goes to the link. */
function expectNothingActive(card: AdaptiveCard): void {
  const rendered = renderedTexts(card).join('\n');
  expect(rendered).not.toMatch(/(?<!\\)\[[^\]]*(?<!\\)\]\(/);
  expect(rendered).not.toMatch(/(?<!\\)\*\*/);
  expect(rendered).not.toMatch(/<at>/i);
  expect(rendered).not.toMatch(/^\s*(?:[-+*]|\d+[.)])\s/m);
  const urls = findAll(card, 'Action.OpenUrl').map((a) => String(a.url));
  expect(urls.filter((url) => url.includes('evil.example'))).toEqual([]);
  expectRendererAccepts(card);
}

describe('text people wrote, on every card', () => {
  it('shows the gallery name, reviewer names and comments of a review card as typed', () => {
    const review = reviewOf();
    const card = buildReviewCard({
      review,
      thumbnails: thumbnailsOf(review),
      view: 'reviewer',
      now,
      refreshUserIds: review.reviewers.map(mriOf),
    });

    expectNothingActive(card);
    const rendered = renderedTexts(card);
    expect(rendered[0]).toBe(SHOWN_GALLERY);
    expect(rendered).toContain(SHOWN_REVIEWER);
    expect(rendered).toContain(
      '“\\- \\[click here\\]\\(https://evil.example/login\\) 1. \\*\\*urgent\\*\\* ‹at›Megan Bowen‹/at›”',
    );
    expect(rendered).toContainEqual(
      expect.stringMatching(
        /^↺ \\_Ada\\_ \\\[admin\\\]\\\(https:\/\/evil\.example\/login\\\) asked/,
      ),
    );
  });

  it('keeps a file name to the image alt text, as written, and makes nothing else of it', () => {
    const review = reviewOf();
    const card = buildReviewCard({
      review,
      thumbnails: thumbnailsOf(review),
      view: 'readOnly',
      reason: 'Only assigned reviewers can decide',
      now,
      refreshUserIds: [],
    });

    // Alt text is read aloud, never rendered as Markdown: a backslash there would only be noise.
    expect(findAll(card, 'Image').map((i) => i.altText)).toEqual([fileName]);
    expect(renderedTexts(card).join('\n')).not.toContain('IMG');
    expectNothingActive(card);
  });

  it('shows the deciding comment of a decided card as typed, line by line', () => {
    const review = reviewOf({
      status: 'archived',
      decisions: [aDecision(ada, 'archive', { comment })],
      closedAt: at(30),
    });
    const card = buildDecidedCard({ review, thumbnails: thumbnailsOf(review) });

    expectNothingActive(card);
    const rendered = renderedTexts(card);
    expect(rendered[0]).toBe(SHOWN_GALLERY);
    expect(rendered).toContainEqual(expect.stringMatching(/^Archived by \\_Ada\\_ \\\[admin/));
    expect(rendered).toContain(
      '“\\- \\[click here\\]\\(https://evil.example/login\\)\n1\\. \\*\\*urgent\\*\\* ‹at›Megan Bowen‹/at›”',
    );
  });

  it('names every approver as typed when all had to approve', () => {
    const review = reviewOf({
      approval: 'all',
      status: 'approved',
      decisions: [aDecision(ada, 'approve'), aDecision(ben, 'approve', { minutes: 40 })],
      closedAt: at(40),
    });
    const card = buildDecidedCard({ review });

    expectNothingActive(card);
    expect(renderedTexts(card)).toContainEqual(
      expect.stringMatching(/^Approved by \\_Ada\\_ \\\[admin\\\].* and Ben Okafor on /),
    );
  });

  it('shows gallery names, reviewers and the last comment on the chat cards as typed', () => {
    const review = reviewOf();
    const pending = buildPendingCard([review], now);
    expectNothingActive(pending);
    expect(renderedTexts(pending)).toContain(SHOWN_GALLERY);

    const status = buildStatusCard(review, 'Big');
    expectNothingActive(status);
    expect(renderedTexts(status)).toContain(`${SHOWN_REVIEWER}, Ben Okafor`);

    const notFound = buildStatusCard(undefined, `[x](${EVIL}) <at>Megan Bowen</at>`);
    expectNothingActive(notFound);
    expect(renderedTexts(notFound)).toContain(
      'I found no review for a gallery called or numbered "\\[x\\]\\(https://evil.example/login\\) ‹at›Megan Bowen‹/at›".',
    );
  });

  it('shows whatever an error card is given as plain text', () => {
    const card = buildErrorCard('**Oops** <at>Megan Bowen</at>', `Try [again](${EVIL}).`);
    expectNothingActive(card);
    expect(renderedTexts(card)).toEqual([
      '\\*\\*Oops\\*\\* ‹at›Megan Bowen‹/at›',
      'Try \\[again\\]\\(https://evil.example/login\\).',
    ]);
  });
});
