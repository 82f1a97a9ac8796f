// Reading Lightdesk's cards as the Teams simulator keeps them: which review a card is for, which
// buttons it shows (with the data a press sends) and what it says, for the chaos run's driver and
// its checks. Read from the card JSON only, never through the product's own card code.
import { z } from 'zod';

const decisionVerbs = new Set(['approve', 'rereview', 'archive']);

const executeSchema = z.looseObject({
  type: z.literal('Action.Execute'),
  verb: z.string(),
  title: z.string().optional(),
  data: z.looseObject({
    reviewId: z.string(),
    cardVersion: z.number().optional(),
    cardInstance: z.string().optional(),
  }),
});
export type ExecuteAction = z.infer<typeof executeSchema>;

const activitySchema = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  attachments: z
    .array(z.looseObject({ contentType: z.string().optional(), content: z.unknown() }))
    .optional(),
});

const transcriptSchema = z.looseObject({
  id: z.string(),
  activities: z.array(
    z.looseObject({
      id: z.string(),
      direction: z.string(),
      deleted: z.boolean(),
      latest: z.unknown(),
      versions: z.array(z.looseObject({ activity: z.unknown() })).optional(),
    }),
  ),
});

export interface SeenCard {
  readonly conversationId: string;
  readonly activityId: string;
  readonly reviewId: string;
  /** Decision buttons (approve / rereview / archive), each with the data a press sends. */
  readonly decisions: readonly ExecuteAction[];
  /** The card instance its buttons (or refresh) carry, if any. */
  readonly instance: string | undefined;
  /** The card version its buttons (or refresh) carry, if any. */
  readonly version: number | undefined;
  readonly texts: readonly string[];
  readonly links: readonly string[];
}

function walk(node: unknown, visit: (value: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  visit(record);
  for (const [key, value] of Object.entries(record)) {
    // A fallback repeats its action as Action.Submit: the Execute is the one Teams sends.
    if (key !== 'fallback') walk(value, visit);
  }
}

/** The Lightdesk review card an activity carries, or undefined (a welcome message, a reply). */
export function cardOf(conversationId: string, activity: unknown): SeenCard | undefined {
  const parsed = activitySchema.safeParse(activity);
  if (!parsed.success || parsed.data.id === undefined) return undefined;
  for (const attachment of parsed.data.attachments ?? []) {
    if (attachment.contentType !== 'application/vnd.microsoft.card.adaptive') continue;
    const executes: ExecuteAction[] = [];
    const texts: string[] = [];
    const links: string[] = [];
    walk(attachment.content, (value) => {
      const execute = executeSchema.safeParse(value);
      if (execute.success) executes.push(execute.data);
      if (value.type === 'TextBlock' && typeof value.text === 'string') texts.push(value.text);
      if (value.type === 'Action.OpenUrl' && typeof value.title === 'string')
        links.push(value.title);
    });
    const first = executes[0];
    if (first === undefined) {
      // A final card has no Execute at all; it names its review only through its text, so it is
      // matched by activity id (the review records it) rather than here.
      return {
        conversationId,
        activityId: parsed.data.id,
        reviewId: '',
        decisions: [],
        instance: undefined,
        version: undefined,
        texts,
        links,
      };
    }
    return {
      conversationId,
      activityId: parsed.data.id,
      reviewId: first.data.reviewId,
      decisions: executes.filter((e) => decisionVerbs.has(e.verb)),
      instance: executes.find((e) => e.data.cardInstance !== undefined)?.data.cardInstance,
      version: executes.find((e) => e.data.cardVersion !== undefined)?.data.cardVersion,
      texts,
      links,
    };
  }
  return undefined;
}

/** Every card the bot posted in a conversation (deleted ones left out), newest version of each. */
export function cardsInTranscript(detail: unknown): SeenCard[] {
  const parsed = transcriptSchema.safeParse(detail);
  if (!parsed.success) return [];
  const cards: SeenCard[] = [];
  for (const activity of parsed.data.activities) {
    if (activity.direction !== 'fromBot' || activity.deleted) continue;
    const card = cardOf(parsed.data.id, activity.latest);
    if (card === undefined) continue;
    if (card.reviewId !== '') {
      cards.push(card);
      continue;
    }
    // A final card: its review is the one its earlier versions had buttons for.
    const earlier = (activity.versions ?? [])
      .map((v) => cardOf(parsed.data.id, v.activity)?.reviewId ?? '')
      .find((id) => id !== '');
    cards.push({ ...card, reviewId: earlier ?? '' });
  }
  return cards;
}

const conversationsSchema = z.object({
  conversations: z.array(
    z.looseObject({
      id: z.string(),
      activityCount: z.number(),
      lastActivityAt: z.string().optional(),
    }),
  ),
});

/**
 * The Teams simulator's cards, read conversation by conversation; a conversation unchanged since the
 * last read (same activity count and last activity time) is not read again.
 */
export class TeamsCards {
  private readonly seen = new Map<string, { stamp: string; cards: SeenCard[] }>();

  constructor(private readonly teamsUrl: string) {}

  async all(): Promise<SeenCard[]> {
    const response = await fetch(`${this.teamsUrl}/_sim/conversations`);
    const { conversations } = conversationsSchema.parse(await response.json());
    const cards: SeenCard[] = [];
    for (const conversation of conversations) {
      if (conversation.activityCount === 0) continue;
      const stamp = `${conversation.activityCount}|${conversation.lastActivityAt ?? ''}`;
      let entry = this.seen.get(conversation.id);
      if (entry?.stamp !== stamp) {
        entry = { stamp, cards: await this.read(conversation.id) };
        this.seen.set(conversation.id, entry);
      }
      cards.push(...entry.cards);
    }
    return cards;
  }

  /** The cards of one conversation as they are now. */
  async read(conversationId: string): Promise<SeenCard[]> {
    const response = await fetch(
      `${this.teamsUrl}/_sim/conversations/${encodeURIComponent(conversationId)}`,
    );
    return cardsInTranscript(await response.json());
  }
}
