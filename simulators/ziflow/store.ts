import { SimError } from '../kit/errors.js';
import { SeededRandom } from '../kit/random.js';
import { combineDecisions, DECISION_LABELS, type Decision, STAGE_MEMBERS_KEY } from './inferred.js';
import type {
  CommentRecord,
  EventRecord,
  MemberRecord,
  ProofRecord,
  ProofStatus,
  SourceFileRecord,
  StageRecord,
  UploadRecord,
  UserRecord,
  ZiflowState,
} from './records.js';

// The proofs, stages, reviewers, decisions and comments of one simulated Ziflow account, with the
// decision calculation of Ziflow's help "Understand decision calculation" and the [INF] choices of
// inferred.ts. Every change that Ziflow reports by webhook goes through `emit`.

export const TENANT = { id: 'c0ffee00-0000-4000-8000-000000000017', name: 'Contoso' } as const;

/** An event to send: the subscription key (`decision`, …) and the fields beside `proof_id`. */
export type Emit = (
  key: string,
  proof: ProofRecord,
  extra?: Omit<EventRecord, 'event_id' | 'webhook_id' | 'type' | 'proof_id' | 'created_at'>,
) => void;

export interface MemberInput {
  readonly email: string;
  readonly role?: 'reviewer' | 'owner' | undefined;
  readonly can_make_decisions?: boolean | undefined;
  readonly can_download?: boolean | undefined;
}

export interface StageInput {
  readonly name?: string | undefined;
  readonly deadline?: string | null | undefined;
  readonly only_one_decision?: boolean | undefined;
  readonly lock_on_decision?: boolean | undefined;
  readonly members?: readonly MemberInput[] | undefined;
}

export interface ProofInput {
  readonly name?: string | undefined;
  readonly input?: readonly { readonly source: string; readonly type: SourceFileRecord['type'] }[];
  readonly stages?: readonly StageInput[] | undefined;
  readonly folder_id?: string | null | undefined;
  readonly brief?: { readonly text?: string | undefined } | undefined;
  readonly custom_properties?: Record<string, unknown>[] | undefined;
  readonly version_previous_id?: string | undefined;
  readonly lock_on_decisions?: boolean | undefined;
  readonly allow_source_download?: boolean | undefined;
}

export class ZiflowStore {
  readonly random: SeededRandom;

  constructor(
    readonly state: ZiflowState,
    private readonly now: () => Date,
    private readonly emit: Emit,
  ) {
    this.random = new SeededRandom(state.randomState);
  }

  /** A version-4 shaped UUID from the seeded generator (the same seed gives the same ids). */
  uuid(): string {
    const hex = this.random.text('0123456789abcdef', 32);
    this.state.randomState = this.random.state;
    const variant = '89ab'[parseInt(hex[16] ?? '0', 16) % 4] ?? '8';
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  nowIso(): string {
    return this.now().toISOString();
  }

  // ---- users ----------------------------------------------------------------------------------

  userByKey(key: string): UserRecord | undefined {
    return this.state.users.find((u) => u.apiKey === key);
  }

  userByEmail(email: string): UserRecord | undefined {
    const lower = email.toLowerCase();
    return this.state.users.find((u) => u.email.toLowerCase() === lower);
  }

  // ---- proofs ---------------------------------------------------------------------------------

  proof(id: string): ProofRecord {
    const proof = this.state.proofs.find((p) => p.id === id && !p.deleted);
    if (proof === undefined) throw new SimError(404, 'NotFound', `Proof ${id} not found.`);
    return proof;
  }

  liveProofs(): ProofRecord[] {
    return this.state.proofs.filter((p) => !p.deleted);
  }

  /** A new proof (or the next version of one) in `uploading`; the server then fetches its files. */
  createProof(input: ProofInput, owner: UserRecord): ProofRecord {
    const previous =
      input.version_previous_id === undefined ? undefined : this.previousVersion(input);
    const sources = input.input ?? [];
    if (sources.length === 0) {
      throw new SimError(400, 'BadRequest', 'input: at least one source is required.');
    }
    const name = input.name ?? previous?.name;
    if (name === undefined || name.trim() === '') {
      throw new SimError(400, 'BadRequest', 'name is required.');
    }
    const id = this.uuid();
    const stages =
      input.stages !== undefined
        ? input.stages.map((s, i) => this.newStage(s, i))
        : (previous?.stages.map((s) => this.copyStage(s)) ?? []);
    const proof: ProofRecord = {
      id,
      name,
      ownerId: owner.id,
      createdAt: this.nowIso(),
      chainId: previous?.chainId ?? id,
      version: previous === undefined ? 1 : this.latestVersion(previous.chainId).version + 1,
      versionPreviousId: previous?.id ?? null,
      sourceFiles: sources.map((s) => ({
        id: this.uuid(),
        type: s.type,
        source: s.source,
        name: nameFromUrl(s.source),
        size: 0,
      })),
      status: 'uploading',
      failure: null,
      locked: false,
      lockOnDecisions: input.lock_on_decisions ?? previous?.lockOnDecisions ?? false,
      folderId: input.folder_id ?? previous?.folderId ?? null,
      briefText: input.brief?.text ?? previous?.briefText ?? null,
      customProperties: input.custom_properties ?? previous?.customProperties ?? [],
      allowSourceDownload: input.allow_source_download ?? previous?.allowSourceDownload ?? true,
      linkToken: this.random.text('abcdefghijklmnopqrstuvwxyz0123456789', 24),
      stages,
      deleted: false,
    };
    this.state.randomState = this.random.state;
    // The review starts with the first stage (later ones follow it: `recalculate`).
    const first = proof.stages[0];
    if (first !== undefined) first.startedAt = proof.createdAt;
    this.state.proofs.push(proof);
    this.emit('created', proof);
    return proof;
  }

  /** Keeps an uploaded file's bytes (a person's new version, `/_sim/versions`). */
  addUpload(name: string, contentType: string, base64: string): UploadRecord {
    const upload: UploadRecord = { id: this.uuid(), name, contentType, base64 };
    this.state.uploads = [...(this.state.uploads ?? []), upload];
    return upload;
  }

  upload(id: string): UploadRecord {
    const found = this.state.uploads?.find((u) => u.id === id);
    if (found === undefined) throw new SimError(404, 'NotFound', `No upload ${id}.`);
    return found;
  }

  private previousVersion(input: ProofInput): ProofRecord {
    const previousId = input.version_previous_id ?? '';
    const previous = this.state.proofs.find((p) => p.id === previousId && !p.deleted);
    if (previous === undefined) {
      throw new SimError(404, 'NotFound', `version_previous_id: proof ${previousId} not found.`);
    }
    const latest = this.latestVersion(previous.chainId);
    if (latest.id !== previous.id) {
      // [INF] A version is added after the newest one only.
      throw new SimError(
        409,
        'Conflict',
        `Proof ${previous.id} is version ${previous.version}; the latest is ${latest.id} (version ${latest.version}).`,
      );
    }
    return previous;
  }

  private chain(chainId: string): ProofRecord[] {
    return this.state.proofs
      .filter((p) => p.chainId === chainId && !p.deleted)
      .sort((a, b) => a.version - b.version);
  }

  private latestVersion(chainId: string): ProofRecord {
    const chain = this.state.proofs.filter((p) => p.chainId === chainId);
    return chain.reduce((a, b) => (b.version > a.version ? b : a));
  }

  private newStage(input: StageInput, index: number): StageRecord {
    const stage: StageRecord = {
      id: this.uuid(),
      name: input.name ?? `Stage ${index + 1}`,
      deadline: input.deadline ?? null,
      onlyOneDecision: input.only_one_decision ?? false,
      lockOnDecision: input.lock_on_decision ?? false,
      startedAt: null,
      members: [],
    };
    for (const m of input.members ?? []) this.addMemberTo(stage, m);
    return stage;
  }

  private copyStage(stage: StageRecord): StageRecord {
    return {
      id: this.uuid(),
      name: stage.name,
      deadline: stage.deadline,
      onlyOneDecision: stage.onlyOneDecision,
      lockOnDecision: stage.lockOnDecision,
      startedAt: null,
      members: stage.members.map((m) => ({
        ...m,
        decision: null,
        decisionAt: null,
        reason: null,
        reviewCompletedAt: null,
      })),
    };
  }

  /** The fetch of every source file worked: `in_progress` and a `processed` event. */
  processed(proofId: string, files: readonly { name: string; size: number }[]): void {
    const proof = this.state.proofs.find((p) => p.id === proofId);
    if (proof?.status !== 'uploading') return;
    files.forEach((f, i) => {
      const file = proof.sourceFiles[i];
      if (file === undefined) return;
      file.name = f.name;
      file.size = f.size;
    });
    this.setStatus(proof, 'in_progress');
    this.emit('processed', proof);
  }

  failed(proofId: string, reason: string): void {
    const proof = this.state.proofs.find((p) => p.id === proofId);
    if (proof?.status !== 'uploading') return;
    proof.failure = reason;
    this.setStatus(proof, 'failed');
  }

  private setStatus(proof: ProofRecord, status: ProofStatus): void {
    if (proof.status === status) return;
    proof.status = status;
    this.emit('status_change', proof, { status });
  }

  listProofs(query: string | null): ProofRecord[] {
    const needle = query?.toLowerCase() ?? '';
    // Newest first; proofs made in the same millisecond in reverse order of creation.
    return this.liveProofs()
      .filter((p) => needle === '' || p.name.toLowerCase().includes(needle))
      .reverse()
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  updateProof(
    id: string,
    patch: {
      name?: string | undefined;
      folder_id?: string | null | undefined;
      deadline?: string | null | undefined;
      locked?: boolean | undefined;
      lock_on_decisions?: boolean | undefined;
    },
  ): ProofRecord {
    const proof = this.proof(id);
    if (patch.name !== undefined) proof.name = patch.name;
    if (patch.folder_id !== undefined) proof.folderId = patch.folder_id;
    // [INF] A proof's due date is the deadline of each of its stages.
    if (patch.deadline !== undefined) {
      for (const s of proof.stages) {
        s.deadline = patch.deadline;
        s.deadlinePassedAt = null;
      }
    }
    if (patch.locked !== undefined) proof.locked = patch.locked;
    if (patch.lock_on_decisions !== undefined) proof.lockOnDecisions = patch.lock_on_decisions;
    this.emit('changed', proof);
    return proof;
  }

  deleteProof(id: string): void {
    const proof = this.proof(id);
    proof.deleted = true;
    this.emit('deleted', proof);
  }

  // ---- stages and reviewers -------------------------------------------------------------------

  stage(stageId: string): { proof: ProofRecord; stage: StageRecord } {
    for (const proof of this.liveProofs()) {
      const stage = proof.stages.find((s) => s.id === stageId);
      if (stage !== undefined) return { proof, stage };
    }
    throw new SimError(404, 'NotFound', `Stage ${stageId} not found.`);
  }

  stageOf(proofId: string, stageId: string): { proof: ProofRecord; stage: StageRecord } {
    const proof = this.proof(proofId);
    const stage = proof.stages.find((s) => s.id === stageId);
    if (stage === undefined) {
      throw new SimError(404, 'NotFound', `Stage ${stageId} not found on proof ${proofId}.`);
    }
    return { proof, stage };
  }

  private addMemberTo(stage: StageRecord, input: MemberInput): MemberRecord {
    const email = input.email.trim();
    if (stage.members.some((m) => m.email.toLowerCase() === email.toLowerCase())) {
      throw new SimError(409, 'Conflict', `${email} is already a reviewer in stage ${stage.name}.`);
    }
    const member: MemberRecord = {
      id: this.userByEmail(email)?.id ?? this.uuid(),
      email,
      role: input.role ?? 'reviewer',
      canMakeDecisions: input.can_make_decisions ?? true,
      canDownload: input.can_download ?? true,
      decision: null,
      decisionAt: null,
      reason: null,
      reviewCompletedAt: null,
    };
    stage.members.push(member);
    return member;
  }

  addMember(proofId: string, stageId: string, input: MemberInput): MemberRecord {
    const { proof, stage } = this.stageOf(proofId, stageId);
    const member = this.addMemberTo(stage, input);
    this.recalculate(proof);
    this.emit('changed', proof, { stage_id: stage.id, reviewer: { email: member.email } });
    return member;
  }

  member(proofId: string, stageId: string, idOrEmail: string): MemberRecord {
    const { stage } = this.stageOf(proofId, stageId);
    const lower = idOrEmail.toLowerCase();
    const member = stage.members.find((m) => m.id === idOrEmail || m.email.toLowerCase() === lower);
    if (member === undefined) {
      throw new SimError(404, 'NotFound', `Reviewer ${idOrEmail} not found in stage ${stageId}.`);
    }
    return member;
  }

  updateMember(
    proofId: string,
    stageId: string,
    idOrEmail: string,
    patch: Omit<MemberInput, 'email'>,
  ): MemberRecord {
    const member = this.member(proofId, stageId, idOrEmail);
    if (patch.role !== undefined) member.role = patch.role;
    if (patch.can_make_decisions !== undefined) {
      member.canMakeDecisions = patch.can_make_decisions;
    }
    if (patch.can_download !== undefined) member.canDownload = patch.can_download;
    const proof = this.proof(proofId);
    this.recalculate(proof);
    this.emit('changed', proof, { stage_id: stageId, reviewer: { email: member.email } });
    return member;
  }

  removeMember(proofId: string, stageId: string, idOrEmail: string): void {
    const member = this.member(proofId, stageId, idOrEmail);
    const { proof, stage } = this.stageOf(proofId, stageId);
    stage.members = stage.members.filter((m) => m !== member);
    this.recalculate(proof);
    this.emit('changed', proof, { stage_id: stageId, reviewer: { email: member.email } });
  }

  updateStage(
    stageId: string,
    patch: {
      name?: string | undefined;
      deadline?: string | null | undefined;
      lock_on_decision?: boolean | undefined;
      only_one_decision?: boolean | undefined;
    },
  ): { proof: ProofRecord; stage: StageRecord } {
    const found = this.stage(stageId);
    const { proof, stage } = found;
    if (patch.name !== undefined) stage.name = patch.name;
    if (patch.deadline !== undefined) {
      stage.deadline = patch.deadline;
      stage.deadlinePassedAt = null;
    }
    if (patch.lock_on_decision !== undefined) stage.lockOnDecision = patch.lock_on_decision;
    if (patch.only_one_decision !== undefined) stage.onlyOneDecision = patch.only_one_decision;
    this.recalculate(proof);
    this.emit('changed', proof, { stage_id: stage.id });
    return found;
  }

  startStage(stageId: string): { proof: ProofRecord; stage: StageRecord } {
    const found = this.stage(stageId);
    if (found.stage.startedAt === null) {
      found.stage.startedAt = this.nowIso();
      this.emit('stage_started', found.proof, { stage_id: stageId });
    }
    return found;
  }

  /**
   * `stage_deadline_passed` once for each started stage still without a result whose deadline the
   * (injected) clock has passed [INF: checked whenever the simulator is called].
   */
  checkDeadlines(): void {
    const now = this.now().getTime();
    for (const proof of this.liveProofs()) {
      if (proof.status !== 'in_progress') continue;
      for (const stage of proof.stages) {
        if (stage.startedAt === null || stage.deadline === null) continue;
        if ((stage.deadlinePassedAt ?? null) !== null || this.stageStatus(stage) !== null) continue;
        if (Date.parse(stage.deadline) > now) continue;
        stage.deadlinePassedAt = this.nowIso();
        this.emit('stage_deadline_passed', proof, { stage_id: stage.id });
      }
    }
  }

  // ---- decisions ------------------------------------------------------------------------------

  /**
   * `email` decides (`null` revokes) in `stageId` or else the first started, still open stage
   * where they may decide; the stage and proof results are recalculated.
   */
  decide(
    proofId: string,
    email: string,
    decision: Decision | null,
    reason: string | null,
    stageId?: string,
  ): ProofRecord {
    const proof = this.proof(proofId);
    this.refuseUnlessReviewable(proof);
    const lower = email.toLowerCase();
    const deciderIn = (s: StageRecord): MemberRecord | undefined =>
      s.members.find((m) => m.email.toLowerCase() === lower && m.canMakeDecisions);
    const candidates = proof.stages.filter(
      (s) => (stageId === undefined || s.id === stageId) && deciderIn(s) !== undefined,
    );
    if (stageId !== undefined && !proof.stages.some((s) => s.id === stageId)) {
      throw new SimError(404, 'NotFound', `Stage ${stageId} not found on proof ${proofId}.`);
    }
    if (candidates.length === 0) {
      throw new SimError(403, 'Forbidden', `${email} may not make decisions on this proof.`);
    }
    const started = candidates.filter((s) => s.startedAt !== null);
    const stage = started.find((s) => this.stageStatus(s) === null) ?? started[started.length - 1];
    if (stage === undefined) {
      throw new SimError(409, 'Conflict', `Stage ${candidates[0]?.name ?? ''} has not started.`);
    }
    if (stage.lockOnDecision && this.stageStatus(stage) !== null) {
      throw new SimError(409, 'Conflict', `Stage ${stage.name} is locked.`);
    }
    const member = deciderIn(stage);
    if (member === undefined) throw new SimError(403, 'Forbidden', `${email} may not decide.`);
    member.decision = decision;
    member.decisionAt = decision === null ? null : this.nowIso();
    member.reason = decision === null ? null : reason;
    this.emit('decision', proof, {
      stage_id: stage.id,
      reviewer: { email: member.email },
      decision,
    });
    this.recalculate(proof);
    return proof;
  }

  /** A reviewer without a decision to make marks their review complete [INF]. */
  completeReview(proofId: string, email: string): ProofRecord {
    const proof = this.proof(proofId);
    this.refuseUnlessReviewable(proof);
    const lower = email.toLowerCase();
    const members = proof.stages.flatMap((s) =>
      s.members.filter((m) => m.email.toLowerCase() === lower).map((m) => ({ s, m })),
    );
    const first = members[0];
    if (first === undefined) {
      throw new SimError(403, 'Forbidden', `${email} is not a reviewer on this proof.`);
    }
    for (const { m } of members) m.reviewCompletedAt = this.nowIso();
    this.emit('complete_review', proof, { stage_id: first.s.id, reviewer: { email } });
    return proof;
  }

  private refuseUnlessReviewable(proof: ProofRecord): void {
    if (proof.locked) throw new SimError(409, 'Conflict', `Proof ${proof.id} is locked.`);
    if (proof.status === 'uploading' || proof.status === 'failed') {
      // [INF] Nobody can review a proof whose files are not processed.
      throw new SimError(409, 'Conflict', `Proof ${proof.id} is ${proof.status}.`);
    }
  }

  stageStatus(stage: StageRecord): Decision | null {
    const deciders = stage.members.filter((m) => m.canMakeDecisions);
    return combineDecisions(
      deciders.map((m) => m.decision),
      stage.onlyOneDecision,
    );
  }

  /** [INF] Stages with nobody to decide do not count; the others combine like decisions. */
  decisionStatus(proof: ProofRecord): Decision | null {
    const counted = proof.stages.filter((s) => s.members.some((m) => m.canMakeDecisions));
    if (counted.length === 0) return null;
    return combineDecisions(
      counted.map((s) => this.stageStatus(s)),
      false,
    );
  }

  /** After a decision or a reviewer change: start the next stages, complete and lock the proof. */
  private recalculate(proof: ProofRecord): void {
    proof.stages.forEach((stage, i) => {
      const before = proof.stages[i - 1];
      // [INF] A stage starts once the one before it has a result.
      if (stage.startedAt === null && before !== undefined && this.stageStatus(before) !== null) {
        stage.startedAt = this.nowIso();
        this.emit('stage_started', proof, { stage_id: stage.id });
      }
    });
    if (proof.status !== 'in_progress' && proof.status !== 'completed') return;
    const decided = this.decisionStatus(proof);
    // [INF] A proof with a result is `completed`; revoking returns it to `in_progress` [OFF].
    this.setStatus(proof, decided === null ? 'in_progress' : 'completed');
    if (decided !== null && proof.lockOnDecisions && !proof.locked) {
      proof.locked = true;
      this.emit('stage_locked', proof);
    }
  }

  // ---- comments -------------------------------------------------------------------------------

  comments(proofId: string): CommentRecord[] {
    this.proof(proofId);
    return this.state.comments.filter((c) => c.proofId === proofId);
  }

  comment(proofId: string, commentId: string): CommentRecord {
    const found = this.comments(proofId).find((c) => c.id === commentId);
    if (found === undefined) {
      throw new SimError(404, 'NotFound', `Comment ${commentId} not found on proof ${proofId}.`);
    }
    return found;
  }

  addComment(
    proofId: string,
    author: { readonly id: string; readonly email: string },
    text: string,
    page: number | null,
    parentId: string | null,
  ): CommentRecord {
    const proof = this.proof(proofId);
    if (proof.locked) throw new SimError(409, 'Conflict', `Proof ${proof.id} is locked.`);
    const existing = this.comments(proofId);
    let sequence: string;
    if (parentId === null) {
      sequence = String(existing.filter((c) => c.parentId === null).length + 1);
    } else {
      const parent = existing.find((c) => c.id === parentId);
      if (parent === undefined) {
        throw new SimError(404, 'NotFound', `parent_comment_id: comment ${parentId} not found.`);
      }
      if (parent.parentId !== null) {
        throw new SimError(400, 'BadRequest', 'A reply cannot be replied to.');
      }
      sequence = `${parent.sequence}.${existing.filter((c) => c.parentId === parentId).length + 1}`;
    }
    const comment: CommentRecord = {
      id: this.uuid(),
      proofId,
      parentId,
      sequence,
      authorId: author.id,
      authorEmail: author.email,
      text,
      page,
      createdAt: this.nowIso(),
    };
    this.state.comments.push(comment);
    this.emit('comment', proof, { comment_id: comment.id, reviewer: { email: author.email } });
    return comment;
  }

  /** The author of a comment or decision made by email (a reviewer may be a guest). */
  person(email: string): { id: string; email: string } {
    const user = this.userByEmail(email);
    if (user !== undefined) return { id: user.id, email: user.email };
    for (const proof of this.state.proofs) {
      for (const stage of proof.stages) {
        const m = stage.members.find((x) => x.email.toLowerCase() === email.toLowerCase());
        if (m !== undefined) return { id: m.id, email: m.email };
      }
    }
    throw new SimError(404, 'NotFound', `No Ziflow user or reviewer ${email}.`);
  }

  // ---- JSON as Ziflow writes it --------------------------------------------------------------

  contactJson(userId: string): Record<string, unknown> {
    const user = this.state.users.find((u) => u.id === userId);
    return {
      id: userId,
      type: 'user',
      first_name: user?.firstName ?? '',
      last_name: user?.lastName ?? '',
      email: user?.email ?? '',
      roles: user?.admin === true ? ['admin'] : ['member'],
      tenant: { ...TENANT },
      timezone: 'UTC',
    };
  }

  memberJson(m: MemberRecord): Record<string, unknown> {
    const user = this.userByEmail(m.email);
    return {
      id: m.id,
      email: m.email,
      first_name: user?.firstName ?? m.email.split('@')[0] ?? '',
      last_name: user?.lastName ?? '',
      role: m.role,
      can_make_decisions: m.canMakeDecisions,
      can_download: m.canDownload,
      decision: m.decision,
      decision_date: m.decisionAt,
      reason: m.reason,
      review_completed_at: m.reviewCompletedAt,
    };
  }

  stageJson(s: StageRecord): Record<string, unknown> {
    const status = this.stageStatus(s);
    return {
      id: s.id,
      name: s.name,
      deadline: s.deadline,
      only_one_decision: s.onlyOneDecision,
      lock_on_decision: s.lockOnDecision,
      status,
      // [INF] the object form of a real reply (docs/ziflow-simulator.md).
      final_status_calculation: {
        type: s.onlyOneDecision ? 'one_decision' : 'all_decisions',
        reviewer_id: null,
        reviewer_email: null,
      },
      started: s.startedAt !== null,
      started_at: s.startedAt,
      [STAGE_MEMBERS_KEY]: s.members.map((m) => this.memberJson(m)),
    };
  }

  proofJson(p: ProofRecord, baseUrl: string): Record<string, unknown> {
    const decision = this.decisionStatus(p);
    const link = `${baseUrl}/proof/${p.linkToken}`;
    return {
      id: p.id,
      name: p.name,
      owner: this.contactJson(p.ownerId),
      created_by: this.contactJson(p.ownerId),
      created_at: p.createdAt,
      version: p.version,
      minor_version: 0,
      version_previous_id: p.versionPreviousId,
      versions: this.chain(p.chainId).map((v) => ({
        version: String(v.version),
        'version-id': v.id,
      })),
      source_files: p.sourceFiles.map((f) => ({
        id: f.id,
        type: f.type,
        name: f.name,
        size: f.size,
        // [INF] each file's own download link (the proof's `download_link` is the first file).
        download_link: p.allowSourceDownload ? `${link}/download/${f.id}` : null,
      })),
      status: p.status,
      locked: p.locked,
      lock_on_decisions: p.lockOnDecisions,
      decision_status: decision,
      decision_status_label: decision === null ? null : DECISION_LABELS[decision],
      public_link: link,
      image_link: `${link}/image`,
      download_link: p.allowSourceDownload ? `${link}/download` : null,
      allow_source_download: p.allowSourceDownload,
      archived: false,
      brief: { text: p.briefText },
      custom_properties: p.customProperties,
      integration_properties: [],
      folder:
        p.folderId === null
          ? null
          : { id: p.folderId, name: p.folderId, parent_folder_id: null, folder_path: [] },
      stages: p.stages.map((s) => this.stageJson(s)),
    };
  }

  commentJson(c: CommentRecord): Record<string, unknown> {
    return {
      id: c.id,
      parent_comment_id: c.parentId,
      proof_id: c.proofId,
      comment: c.text,
      sequence: c.sequence,
      created_at: c.createdAt,
      reviewer: { reviewer_id: c.authorId, email: c.authorEmail },
      location: { page: c.page, start_time: null, end_time: null },
      likes: [],
      // [INF] the ids of the replies; every comment is also listed on its own.
      replies: this.state.comments.filter((r) => r.parentId === c.id).map((r) => r.id),
      attachments: [],
      deleted: false,
      private: false,
      markers: [],
    };
  }
}

function nameFromUrl(source: string): string {
  try {
    const last = new URL(source).pathname
      .split('/')
      .filter((s) => s !== '')
      .pop();
    return last === undefined ? source : decodeURIComponent(last);
  } catch {
    return source;
  }
}
