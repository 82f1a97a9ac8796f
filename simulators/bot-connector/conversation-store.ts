import { type BotConnectorSeed, seedUsers, toTeamsMember } from './seed.js';
import { SimError } from '../kit/errors.js';
import type { Activity, ConversationMode, ConversationType, TeamsMember } from './teams-types.js';

// Conversations, rosters and the transcript: every activity with every version, so the console's
// "Teams chat" pane can show the latest card and a test can see that an update really replaced it.

export type ActivityDirection = 'fromBot' | 'toBot';
export type VersionKind = 'created' | 'updated' | 'deleted';

export interface ActivityVersion {
  readonly version: number;
  readonly kind: VersionKind;
  readonly at: string;
  /** The activity as stored after this change; `null` once deleted. */
  readonly activity: Activity | null;
}

export interface BotHttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface TranscriptEntry {
  readonly activityId: string;
  readonly direction: ActivityDirection;
  readonly versions: ActivityVersion[];
  /** For activities the Teams stand-in sent to the bot: what the bot answered over HTTP. */
  botAnswer?: BotHttpAnswer;
}

export interface SimConversation {
  readonly id: string;
  readonly conversationType: ConversationType;
  readonly name?: string;
  readonly tenantId: string;
  readonly teamId?: string;
  /** A channel thread (`{channelId};messageid={rootId}`) points at its channel. */
  readonly parentId?: string;
  mode: ConversationMode;
  members: TeamsMember[];
  readonly entries: Map<string, TranscriptEntry>;
}

export interface ConversationSummary {
  readonly id: string;
  readonly conversationType: ConversationType;
  readonly name?: string;
  readonly tenantId: string;
  readonly teamId?: string;
  readonly parentId?: string;
  readonly mode: ConversationMode;
  readonly memberCount: number;
  readonly activityCount: number;
  readonly lastActivityAt?: string;
}

export interface TranscriptActivity {
  readonly id: string;
  readonly direction: ActivityDirection;
  readonly deleted: boolean;
  /** The newest non-deleted version, or the last one before deletion. */
  readonly latest: Activity | null;
  readonly versions: readonly ActivityVersion[];
  readonly botAnswer?: BotHttpAnswer;
}

export interface ConversationDetail extends ConversationSummary {
  readonly members: readonly TeamsMember[];
  readonly activities: readonly TranscriptActivity[];
}

export interface NewConversation {
  readonly id: string;
  readonly conversationType: ConversationType;
  readonly name?: string;
  readonly tenantId?: string;
  readonly teamId?: string;
  readonly parentId?: string;
  readonly members?: readonly TeamsMember[];
}

const THREAD_MARKER = ';messageid=';

/** The conversations with their transcripts, as plain data: the simulator's state file. */
export interface ConversationsSnapshot {
  readonly conversations: readonly (Omit<SimConversation, 'entries'> & {
    readonly entries: readonly TranscriptEntry[];
  })[];
  readonly lastActivityId: number;
}

export class ConversationStore {
  private readonly conversations = new Map<string, SimConversation>();
  private lastActivityId = 0;

  constructor(
    private readonly seed: BotConnectorSeed,
    private readonly now: () => Date,
  ) {
    this.reset();
  }

  reset(): void {
    this.conversations.clear();
    const members = new Map(seedUsers(this.seed).map((u) => [u.aadObjectId, u]));
    for (const c of this.seed.conversations) {
      this.add({
        id: c.id,
        conversationType: c.conversationType,
        ...(c.name === undefined ? {} : { name: c.name }),
        ...(c.teamId === undefined ? {} : { teamId: c.teamId }),
        members: c.memberAadObjectIds.flatMap((oid) => {
          const u = members.get(oid);
          return u === undefined ? [] : [toTeamsMember(u, this.seed.tenantId)];
        }),
      });
    }
  }

  snapshot(): ConversationsSnapshot {
    return {
      conversations: [...this.conversations.values()].map((c) => ({
        ...c,
        entries: [...c.entries.values()],
      })),
      lastActivityId: this.lastActivityId,
    };
  }

  /** Replaces everything with what `snapshot` gave (a restart on the same state file). */
  restore(saved: ConversationsSnapshot): void {
    this.conversations.clear();
    for (const c of saved.conversations) {
      const entries = new Map(c.entries.map((e) => [e.activityId, e]));
      this.conversations.set(c.id, { ...c, members: [...c.members], entries });
    }
    this.lastActivityId = saved.lastActivityId;
  }

  add(c: NewConversation): SimConversation {
    const conversation: SimConversation = {
      id: c.id,
      conversationType: c.conversationType,
      ...(c.name === undefined ? {} : { name: c.name }),
      tenantId: c.tenantId ?? this.seed.tenantId,
      ...(c.teamId === undefined ? {} : { teamId: c.teamId }),
      ...(c.parentId === undefined ? {} : { parentId: c.parentId }),
      mode: 'ok',
      members: [...(c.members ?? [])],
      entries: new Map(),
    };
    this.conversations.set(c.id, conversation);
    return conversation;
  }

  find(id: string): SimConversation | undefined {
    const known = this.conversations.get(id);
    if (known !== undefined) return known;
    // A reply chain in a channel has the id `{channelId};messageid={rootActivityId}`; Teams accepts it
    // as soon as the root message exists, so the thread springs into being on first use.
    const marker = id.indexOf(THREAD_MARKER);
    if (marker < 0) return undefined;
    const parent = this.conversations.get(id.slice(0, marker));
    if (parent === undefined) return undefined;
    return this.add({
      id,
      conversationType: parent.conversationType,
      ...(parent.name === undefined ? {} : { name: parent.name }),
      tenantId: parent.tenantId,
      ...(parent.teamId === undefined ? {} : { teamId: parent.teamId }),
      parentId: parent.id,
    });
  }

  require(id: string): SimConversation {
    const c = this.find(id);
    if (c === undefined) {
      throw new SimError(404, 'ConversationNotFound', `Conversation ${id} not found.`);
    }
    return c;
  }

  all(): readonly SimConversation[] {
    return [...this.conversations.values()];
  }

  parentOf(c: SimConversation): SimConversation | undefined {
    return c.parentId === undefined ? undefined : this.conversations.get(c.parentId);
  }

  /** A channel's mode also governs its threads. */
  effectiveMode(c: SimConversation): ConversationMode {
    if (c.mode !== 'ok') return c.mode;
    return this.parentOf(c)?.mode ?? 'ok';
  }

  rosterOf(c: SimConversation): readonly TeamsMember[] {
    return c.members.length > 0 ? c.members : (this.parentOf(c)?.members ?? []);
  }

  /** Teams activity ids are epoch milliseconds; keep them unique and increasing. */
  nextActivityId(): string {
    this.lastActivityId = Math.max(this.lastActivityId + 1, this.now().getTime());
    return String(this.lastActivityId);
  }

  append(c: SimConversation, activity: Activity, direction: ActivityDirection): TranscriptEntry {
    const id = activity.id ?? this.nextActivityId();
    const entry: TranscriptEntry = {
      activityId: id,
      direction,
      versions: [
        {
          version: 1,
          kind: 'created',
          at: this.now().toISOString(),
          activity: { ...activity, id },
        },
      ],
    };
    c.entries.set(id, entry);
    return entry;
  }

  liveEntry(c: SimConversation, activityId: string): TranscriptEntry {
    const entry = c.entries.get(activityId);
    if (entry === undefined || entry.versions.at(-1)?.kind === 'deleted') {
      throw new SimError(
        404,
        'ActivityNotFoundInConversation',
        `Activity ${activityId} not found in conversation ${c.id}.`,
      );
    }
    return entry;
  }

  update(c: SimConversation, activityId: string, activity: Activity): void {
    const entry = this.liveEntry(c, activityId);
    entry.versions.push({
      version: entry.versions.length + 1,
      kind: 'updated',
      at: this.now().toISOString(),
      activity: { ...activity, id: activityId },
    });
  }

  remove(c: SimConversation, activityId: string): void {
    const entry = this.liveEntry(c, activityId);
    entry.versions.push({
      version: entry.versions.length + 1,
      kind: 'deleted',
      at: this.now().toISOString(),
      activity: null,
    });
  }

  summary(c: SimConversation): ConversationSummary {
    const lastVersions = [...c.entries.values()].map((e) => e.versions.at(-1)?.at ?? '');
    const lastActivityAt = lastVersions.sort().at(-1);
    return {
      id: c.id,
      conversationType: c.conversationType,
      ...(c.name === undefined ? {} : { name: c.name }),
      tenantId: c.tenantId,
      ...(c.teamId === undefined ? {} : { teamId: c.teamId }),
      ...(c.parentId === undefined ? {} : { parentId: c.parentId }),
      mode: c.mode,
      memberCount: this.rosterOf(c).length,
      activityCount: c.entries.size,
      ...(lastActivityAt === undefined || lastActivityAt === '' ? {} : { lastActivityAt }),
    };
  }

  detail(c: SimConversation): ConversationDetail {
    return {
      ...this.summary(c),
      members: this.rosterOf(c),
      activities: [...c.entries.values()].map((e): TranscriptActivity => {
        const last = e.versions.at(-1);
        const deleted = last?.kind === 'deleted';
        const latest = [...e.versions].reverse().find((v) => v.activity !== null)?.activity ?? null;
        return {
          id: e.activityId,
          direction: e.direction,
          deleted,
          latest,
          versions: e.versions,
          ...(e.botAnswer === undefined ? {} : { botAnswer: e.botAnswer }),
        };
      }),
    };
  }
}
