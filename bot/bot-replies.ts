import type { Review } from '../core/model/review.js';

// Plain-text answers to the chat commands (Teams renders them as Markdown). The Adaptive Card
// versions come from adaptiveCards/ once its help, pending and status cards exist; the wording
// stays the same.

export const helpText = [
  '**Lightdesk** posts a card for every batch of PhotoShelter images to review here.',
  '',
  'Reviewers press **Approve**, **Re-review** (with a comment) or **Archive** on the card.',
  '',
  'Commands:',
  '- `help`: this message',
  '- `pending`: the open reviews, newest first',
  '- `status <gallery name or id>`: where the review of a gallery stands',
].join('\n');

const statusWords: Record<Review['status'], string> = {
  pending: 'waiting for a decision',
  rereview: 'sent back for re-review',
  approved: 'approved',
  archived: 'archived',
  superseded: 'superseded by a newer review',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function line(review: Review): string {
  return `- [${review.galleryName}](${review.galleryUrl}): ${plural(review.assets.length, 'image')}, ${statusWords[review.status]}, due ${review.dueAt.slice(0, 10)}`;
}

export function pendingText(reviews: readonly Review[], total: number): string {
  if (reviews.length === 0) return 'No reviews are open. 🎉';
  const more = total > reviews.length ? `\n\n…and ${total - reviews.length} more.` : '';
  return [`**Open reviews** (${total}), newest first:`, '', ...reviews.map(line)].join('\n') + more;
}

export function statusText(review: Review): string {
  const last = review.decisions.at(-1);
  return [
    `**${review.galleryName}**: ${statusWords[review.status]}.`,
    '',
    `${plural(review.assets.length, 'image')}; reviewers ${review.reviewers.map((r) => r.name).join(', ')}; due ${review.dueAt.slice(0, 10)}.`,
    ...(last === undefined
      ? []
      : [
          `Last decision: ${last.reviewerName} chose ${last.verb}${last.comment === undefined ? '' : ` ("${last.comment}")`} on ${last.at.slice(0, 10)}.`,
        ]),
  ].join('\n');
}

export const statusUsageText = 'Tell me which gallery: `status <gallery name or id>`.';

export const statusNotFoundText = (query: string): string =>
  `I found no review for a gallery called or numbered "${query.slice(0, 100)}".`;
