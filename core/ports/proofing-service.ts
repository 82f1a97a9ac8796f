import type { ProofDecision, StageMember } from '../model/proof.js';

/** One image of a batch as a proof's source file: Ziflow fetches it from `url`. */
export interface ProofSource {
  readonly assetId: string;
  readonly fileName: string;
  readonly url: string;
}

export interface ProofStageSpec {
  readonly name: string;
  readonly deadline: Date;
  /** Reviewers by email; Ziflow invites anyone it does not know. */
  readonly reviewerEmails: readonly string[];
}

/** One source file of a proof version, in the order the version was made with. */
export interface ProofFile {
  readonly id: string;
  readonly name: string;
  /** Bytes, as the service reports them. */
  readonly size: number;
  /** Where its bytes are downloaded; undefined when the proof does not allow source downloads. */
  readonly downloadUrl: string | undefined;
}

/** A proof file's bytes, streamed (never a whole file in memory). */
export interface ProofFileContent {
  readonly fileName: string;
  readonly size: number | undefined;
  readonly body: AsyncIterable<Uint8Array>;
}

/** A proof (one version) as the proofing service reports it. */
export interface ProofSnapshot {
  readonly proofId: string;
  readonly name: string;
  readonly version: number;
  /** Every version's proof id, oldest first (this one included). */
  readonly versionIds: readonly string[];
  /** A link a reviewer opens the proof with, when the service gives one. */
  readonly url: string | undefined;
  /** Processing of the source files: `failed` when the service could not fetch them. */
  readonly processing: 'uploading' | 'in_progress' | 'completed' | 'failed';
  readonly decisionStatus: ProofDecision | null;
  /** Its source files, in the order they were given. */
  readonly files: readonly ProofFile[];
  readonly stages: readonly {
    readonly id: string;
    readonly name: string;
    readonly status: ProofDecision | null;
    readonly members: readonly StageMember[];
  }[];
}

export interface ProofComment {
  readonly id: string;
  readonly text: string;
  readonly authorEmail: string | undefined;
  readonly at: string;
  readonly parentId: string | undefined;
}

/**
 * Online proofing (Ziflow): a gallery batch becomes one proof with stages of reviewers; a replaced
 * image becomes the next version of that proof.
 */
export interface ProofingService {
  createProof(input: {
    readonly name: string;
    readonly sources: readonly ProofSource[];
    /** Omitted for a next version: it keeps the previous version's stages and reviewers [INF]. */
    readonly stages?: readonly ProofStageSpec[] | undefined;
    readonly folderId?: string | undefined;
    /** Makes the proof the next version of this one. */
    readonly previousProofId?: string | undefined;
  }): Promise<ProofSnapshot>;
  /** The proof with this exact name, if one exists: how a retried create finds the first one. */
  findProofByName(name: string): Promise<ProofSnapshot | undefined>;
  getProof(proofId: string): Promise<ProofSnapshot>;
  listComments(proofId: string): Promise<readonly ProofComment[]>;
  addComment(proofId: string, text: string): Promise<void>;
  /** A source file's bytes (its `downloadUrl`, which must be set). */
  openFile(file: ProofFile): Promise<ProofFileContent>;
}
