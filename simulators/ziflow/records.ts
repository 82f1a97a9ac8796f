import type { Decision, SignatureMode } from './inferred.js';

// What the Ziflow simulator keeps: plain JSON, so the whole state goes to the state file as it is.

export interface UserRecord {
  readonly id: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly apiKey: string;
  /** Admins manage webhooks (docs/ziflow-simulator.md). */
  readonly admin: boolean;
}

export interface SourceFileRecord {
  readonly id: string;
  readonly type: 'file' | 'web-static' | 'web-interactive';
  readonly source: string;
  name: string;
  size: number;
}

export interface MemberRecord {
  readonly id: string;
  readonly email: string;
  role: 'reviewer' | 'owner';
  canMakeDecisions: boolean;
  canDownload: boolean;
  decision: Decision | null;
  decisionAt: string | null;
  reason: string | null;
  /** A comment-only reviewer said they are done (`reviewers/status {status: "completed"}`). */
  reviewCompletedAt: string | null;
}

export interface StageRecord {
  readonly id: string;
  name: string;
  deadline: string | null;
  onlyOneDecision: boolean;
  lockOnDecision: boolean;
  startedAt: string | null;
  /** When `stage_deadline_passed` was sent (once per deadline); absent in older state files. */
  deadlinePassedAt?: string | null;
  members: MemberRecord[];
}

export type ProofStatus = 'uploading' | 'in_progress' | 'completed' | 'failed';

export interface ProofRecord {
  readonly id: string;
  name: string;
  readonly ownerId: string;
  readonly createdAt: string;
  /** The first version's id: every version of one proof shares it. */
  readonly chainId: string;
  readonly version: number;
  readonly versionPreviousId: string | null;
  readonly sourceFiles: SourceFileRecord[];
  status: ProofStatus;
  /** Why processing failed, for the state view. */
  failure: string | null;
  locked: boolean;
  lockOnDecisions: boolean;
  folderId: string | null;
  briefText: string | null;
  customProperties: Record<string, unknown>[];
  allowSourceDownload: boolean;
  readonly linkToken: string;
  stages: StageRecord[];
  deleted: boolean;
}

export interface CommentRecord {
  readonly id: string;
  readonly proofId: string;
  readonly parentId: string | null;
  readonly sequence: string;
  readonly authorId: string;
  readonly authorEmail: string;
  readonly text: string;
  readonly page: number | null;
  readonly createdAt: string;
}

export interface WebhookRecord {
  readonly id: string;
  name: string;
  target: string;
  active: boolean;
  signatureKey: string | null;
  /** Event keys (`created`, `decision`, …; `all` for every one). */
  subscriptions: string[];
  readonly createdAt: string;
  readonly createdById: string;
}

/** One event as Ziflow puts it in `{"events":[…]}`, kept so `/_sim/redeliver` can send it again. */
export interface EventRecord {
  readonly event_id: string;
  readonly webhook_id: string;
  readonly type: string;
  readonly proof_id: string;
  readonly stage_id?: string;
  readonly reviewer?: { readonly email: string };
  readonly decision?: Decision | null;
  readonly comment_id?: string;
  readonly status?: string;
  readonly created_at: string;
}

/** A file a person uploaded as a new version (`/_sim/versions`), served at `/_sim/uploads/{id}`. */
export interface UploadRecord {
  readonly id: string;
  readonly name: string;
  readonly contentType: string;
  readonly base64: string;
}

export interface ZiflowState {
  readonly seed: number;
  randomState: number;
  users: UserRecord[];
  proofs: ProofRecord[];
  comments: CommentRecord[];
  webhooks: WebhookRecord[];
  events: EventRecord[];
  /** Absent in older state files. */
  uploads?: UploadRecord[];
  signatureMode: SignatureMode;
}
