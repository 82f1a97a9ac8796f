import { rm } from 'node:fs/promises';

import type { SeededRandom } from '../kit/random.js';
import type { InferredSettings } from './inferred.js';
import {
  type Analysis,
  analysePackage,
  type ByteBudget,
  discardFiles,
  type SipPackage,
} from './package-reader.js';
import { type EntityRecord, type EntityStore, uuidFrom } from './store.js';

// Ingests of uploaded packages, run on the injected clock: PENDING for `pendingMs`, ACTIVE for
// `activeMs` (both [INF], inferred.ts), then COMPLETED or FAILED once the package has been read.
// Each ingest is also a Process Monitor monitor with messages (docs/preservica-simulator.md "Process Monitor API").
// An IO whose Ref exists, or whose identifier already names an entity, is skipped, not created twice.

export type IngestStatus = 'PENDING' | 'ACTIVE' | 'COMPLETED' | 'FAILED';

export interface MonitorMessage {
  readonly mappedId: string;
  readonly workflowInstanceId: number;
  readonly monitorName: string;
  readonly path: string;
  readonly date: string;
  readonly status: 'Info' | 'Warning' | 'Error';
  readonly displayMessage: string;
  readonly workflowName: string;
  readonly mappedMonitorId: string;
  readonly message: string;
  readonly securityDescriptor: string;
  readonly entityTitle: string;
  readonly entityRef: string;
  readonly sourceId: string;
}

export interface IngestRecord {
  /** Also its progress token. */
  readonly token: string;
  readonly monitorId: string;
  readonly workflowInstanceId: number;
  readonly key: string;
  readonly folderRef: string | null;
  readonly size: number;
  readonly submittedAt: string;
  status: IngestStatus;
  completedAt: string | null;
  /** Set by `POST /_sim/fail-next-ingest`: the ingest fails with this reason whatever the package. */
  readonly forcedFailure: string | null;
  failure: string | null;
  created: string[];
  skipped: string[];
  messages: MonitorMessage[];
}

export interface IngestOutcome {
  readonly ingest: IngestRecord;
  readonly created: EntityRecord[];
  readonly skipped: EntityRecord[];
  /** A failed ingest's assets as its package declared them (none when it could not be read). */
  readonly declared: { ref: string; identifiers: Record<string, string>[] }[];
}

interface Work {
  analysis: Analysis | undefined;
  readonly done: Promise<void>;
}

const PACKAGE_READERS = 2;

/** Runs at most `limit` tasks at once, the rest in arrival order. */
class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}

export class Ingests {
  private records: IngestRecord[] = [];
  private readonly work = new Map<string, Work>();
  private failNext: string | null = null;
  /** Packages are read a few at a time: a burst of uploads (the bench's 1,000) does not thrash the disk. */
  private readonly readers = new Limiter(PACKAGE_READERS);

  constructor(
    private readonly host: {
      readonly now: () => Date;
      readonly random: SeededRandom;
      readonly settings: () => InferredSettings;
      readonly store: () => EntityStore;
      readonly budget: ByteBudget;
      readonly bitstreamDir: () => string;
      readonly finished: (outcome: IngestOutcome) => void;
    },
  ) {}

  list(): readonly IngestRecord[] {
    return this.records;
  }

  /** Restores saved ingests; one that was running when the simulator stopped has lost its package. */
  restore(records: IngestRecord[]): void {
    // Packages still being read belong to the replaced ingests: their bytes are given back.
    for (const work of this.work.values()) {
      void work.done.then(() => discardFiles(work.analysis?.storedFiles ?? [], this.host.budget));
    }
    this.work.clear();
    const at = this.host.now().toISOString();
    this.records = records.map((r) =>
      r.status === 'PENDING' || r.status === 'ACTIVE'
        ? {
            ...r,
            status: 'FAILED',
            completedAt: at,
            failure: 'The simulator restarted during the ingest',
          }
        : r,
    );
  }

  failNextIngest(reason: string): void {
    this.failNext = reason;
  }

  /**
   * Starts the ingest of the zip at `zip` (deleted once read), or of the one `zip()` assembles when
   * its turn comes (a multipart upload: S3 answers the completion at once, not after copying every
   * part); its progress token.
   */
  submit(
    zip: string | (() => Promise<string>),
    key: string,
    folderRef: string | null,
    size: number,
  ): IngestRecord {
    const record: IngestRecord = {
      token: uuidFrom(this.host.random),
      monitorId: uuidFrom(this.host.random),
      workflowInstanceId: this.records.length + 1,
      key,
      folderRef,
      size,
      submittedAt: this.host.now().toISOString(),
      status: 'PENDING',
      completedAt: null,
      forcedFailure: this.failNext,
      failure: null,
      created: [],
      skipped: [],
      messages: [],
    };
    this.failNext = null;
    this.records.push(record);
    let zipPath = typeof zip === 'string' ? zip : undefined;
    const work: Work = {
      analysis: undefined,
      done: this.readers
        .run(async (): Promise<Analysis> => {
          try {
            zipPath = typeof zip === 'string' ? zip : await zip();
          } catch (e: unknown) {
            const why = e instanceof Error ? e.message : String(e);
            return {
              ok: false,
              reason: `The upload could not be assembled: ${why}`,
              storedFiles: [],
            };
          }
          return analysePackage(zipPath, this.host.bitstreamDir(), this.host.budget);
        })
        .then((analysis) => {
          work.analysis = analysis;
        })
        .finally(() => (zipPath === undefined ? undefined : rm(zipPath, { force: true }))),
    };
    this.work.set(record.token, work);
    return record;
  }

  /** Moves ingests along the injected clock; finishes those due whose package has been read. */
  advance(): void {
    const { pendingMs, activeMs } = this.host.settings();
    const now = this.host.now().getTime();
    for (const record of this.records) {
      if (record.status !== 'PENDING' && record.status !== 'ACTIVE') continue;
      const elapsed = now - Date.parse(record.submittedAt);
      if (elapsed >= pendingMs) record.status = 'ACTIVE';
      const analysis = this.work.get(record.token)?.analysis;
      if (elapsed >= pendingMs + activeMs && analysis !== undefined) this.finish(record, analysis);
    }
  }

  /** Finishes every running ingest now (the driver `POST /_sim/complete-ingests`). */
  async completeAll(): Promise<IngestRecord[]> {
    const running = this.records.filter((r) => r.status === 'PENDING' || r.status === 'ACTIVE');
    const finished: IngestRecord[] = [];
    for (const record of running) {
      const work = this.work.get(record.token);
      await work?.done;
      if (
        work?.analysis !== undefined &&
        (record.status === 'PENDING' || record.status === 'ACTIVE')
      ) {
        this.finish(record, work.analysis);
        finished.push(record);
      }
    }
    return finished;
  }

  /** Waits for every package still being read (stop and tests). */
  async settle(): Promise<void> {
    await Promise.all([...this.work.values()].map((w) => w.done));
  }

  get(token: string): IngestRecord | undefined {
    return this.records.find((r) => r.token === token);
  }

  private finish(record: IngestRecord, analysis: Analysis): void {
    this.work.delete(record.token);
    record.completedAt = this.host.now().toISOString();
    const reason =
      record.forcedFailure ??
      (analysis.ok ? this.check(record, analysis.packages) : analysis.reason);
    if (reason !== null) {
      void discardFiles(analysis.storedFiles, this.host.budget);
      record.status = 'FAILED';
      record.failure = reason;
      this.log(record, 'Error', reason, reason, undefined);
      const declared = analysis.ok
        ? analysis.packages.flatMap((p) =>
            p.informationObjects.map((io) => ({
              ref: io.Ref,
              identifiers: p.identifiers
                .filter((i) => i.entity === io.Ref)
                .map((i) => ({ [i.type]: i.value })),
            })),
          )
        : [];
      this.host.finished({ ingest: record, created: [], skipped: [], declared });
      return;
    }
    if (!analysis.ok) return; // unreachable: a failed analysis has a reason
    const outcome = this.commit(record, analysis.packages);
    const kept = new Set(this.host.store().bitstreamFiles());
    void discardFiles(
      analysis.storedFiles.filter((f) => !kept.has(f.path)),
      this.host.budget,
    );
    record.status = 'COMPLETED';
    this.host.finished(outcome);
  }

  /** Why the packages cannot be ingested (checked before anything is created), or null. */
  private check(record: IngestRecord, packages: readonly SipPackage[]): string | null {
    const store = this.host.store();
    const newFolders = new Set(packages.flatMap((p) => p.structuralObjects.map((s) => s.Ref)));
    for (const pkg of packages) {
      for (const io of pkg.informationObjects) {
        const parent = io.Parent === '' ? record.folderRef : io.Parent;
        if (parent === null)
          return `Asset ${io.Ref} has no parent folder (no Parent, no structuralobjectreference)`;
        if (store.get(parent)?.type !== 'SO' && !newFolders.has(parent)) {
          return `Parent folder ${parent} of asset ${io.Ref} does not exist`;
        }
        if (io.SecurityTag !== '' && !['open', 'closed'].includes(io.SecurityTag)) {
          return `Unknown security tag ${io.SecurityTag} on asset ${io.Ref}`;
        }
      }
    }
    return null;
  }

  private commit(record: IngestRecord, packages: readonly SipPackage[]): IngestOutcome {
    const store = this.host.store();
    const created: EntityRecord[] = [];
    const skipped: EntityRecord[] = [];
    for (const pkg of packages) {
      for (const so of pkg.structuralObjects) {
        if (so.Ref === '' || store.get(so.Ref) !== undefined) continue;
        store.add({
          ref: so.Ref,
          type: 'SO',
          title: so.Title,
          description: so.Description,
          securityTag: so.SecurityTag === '' ? 'open' : so.SecurityTag,
          parent: so.Parent === '' ? record.folderRef : so.Parent,
        });
      }
      for (const io of pkg.informationObjects) {
        const identifiers = pkg.identifiers.filter((i) => i.entity === io.Ref);
        const byRef = store.get(io.Ref);
        const byIdentifier = identifiers
          .map((i) => ({ i, match: store.byIdentifier(i.type, i.value)[0] }))
          .find((m) => m.match !== undefined);
        const existing = byRef ?? byIdentifier?.match;
        if (existing !== undefined) {
          const matchText =
            byRef !== undefined
              ? `Ref ${io.Ref}`
              : `Identifier ${byIdentifier?.i.type ?? ''}=${byIdentifier?.i.value ?? ''}`;
          skipped.push(existing);
          record.skipped.push(existing.ref);
          this.log(
            record,
            'Info',
            `skipped: already ingested (${matchText} names ${existing.ref})`,
            `monitor.info.skip|${JSON.stringify({ matchText })}`,
            existing,
          );
          continue;
        }
        const entity = store.add({
          ref: io.Ref,
          type: 'IO',
          title: io.Title,
          description: io.Description,
          securityTag: io.SecurityTag === '' ? 'open' : io.SecurityTag,
          parent: io.Parent === '' ? record.folderRef : io.Parent,
          ...(io.CustomType === '' ? {} : { customType: io.CustomType }),
        });
        for (const i of identifiers) store.addIdentifier(entity.ref, i.type, i.value);
        for (const m of pkg.metadata.filter((x) => x.entity === io.Ref)) {
          store.addFragment(entity.ref, m.schemaUri, m.content);
        }
        this.addContent(pkg, entity);
        created.push(entity);
        record.created.push(entity.ref);
        this.log(record, 'Info', `Ingested asset ${entity.title}`, 'monitor.info.ingested', entity);
      }
    }
    return { ingest: record, created, skipped, declared: [] };
  }

  private addContent(pkg: SipPackage, io: EntityRecord): void {
    const store = this.host.store();
    for (const co of pkg.contentObjects.filter((c) => c.Parent === io.ref)) {
      if (store.get(co.Ref) !== undefined) continue;
      store.add({
        ref: co.Ref,
        type: 'CO',
        title: co.Title,
        description: co.Description,
        securityTag: co.SecurityTag === '' ? io.securityTag : co.SecurityTag,
        parent: io.ref,
      });
      for (const g of pkg.generations.filter((x) => x.co === co.Ref)) {
        store.addGeneration({
          coRef: co.Ref,
          original: g.original,
          active: g.active,
          label: g.label,
          effectiveDate: g.effectiveDate === '' ? this.host.now().toISOString() : g.effectiveDate,
          formatGroup: g.formatGroup,
          formats: g.formats,
          bitstreams: g.bitstreams.flatMap((name) => {
            const b = pkg.bitstreams.find((x) => x.location === name || x.filename === name);
            return b === undefined
              ? []
              : [
                  {
                    filename: b.filename,
                    size: b.size,
                    fixities: b.fixities,
                    sha256: b.sha256,
                    file: b.file,
                  },
                ];
          }),
        });
      }
    }
    for (const rep of pkg.representations.filter((r) => r.io === io.ref)) {
      store.addRepresentation(
        io.ref,
        rep.type,
        rep.name === '' ? rep.type : rep.name,
        rep.contentObjects,
      );
    }
  }

  private log(
    record: IngestRecord,
    status: MonitorMessage['status'],
    displayMessage: string,
    message: string,
    entity: EntityRecord | undefined,
  ): void {
    record.messages.push({
      mappedId: uuidFrom(this.host.random),
      workflowInstanceId: record.workflowInstanceId,
      monitorName: record.key,
      path: entity === undefined ? record.key : `${record.key}/${entity.ref}`,
      date: this.host.now().toISOString(),
      status,
      displayMessage,
      workflowName: 'Ingest',
      mappedMonitorId: record.monitorId,
      message,
      securityDescriptor: entity?.securityTag ?? '',
      entityTitle: entity?.title ?? '',
      entityRef: entity?.ref ?? '',
      sourceId: entity?.ref ?? '',
    });
  }
}

/** An ingest as the Process Monitor API shows it (docs/preservica-simulator.md; pyPreservica monitorAPI.py). */
export function monitorView(record: IngestRecord): Record<string, unknown> {
  const status = {
    PENDING: 'Pending',
    ACTIVE: 'Running',
    COMPLETED: 'Succeeded',
    FAILED: 'Failed',
  }[record.status];
  const finished = record.status === 'COMPLETED' || record.status === 'FAILED';
  const files = record.created.length + record.skipped.length;
  return {
    mappedId: record.monitorId,
    name: record.key,
    status,
    started: record.submittedAt,
    completed: record.completedAt,
    category: 'Ingest',
    subcategory: 'Upload',
    progressText:
      record.failure ??
      (finished ? 'Complete' : record.status === 'ACTIVE' ? 'Ingesting' : 'Queued'),
    percentComplete: finished ? 100 : record.status === 'ACTIVE' ? 50 : 0,
    filesPending: finished ? 0 : 1,
    size: record.size,
    filesProcessed: files,
    warnings: record.messages.filter((m) => m.status === 'Warning').length,
    errors: record.messages.filter((m) => m.status === 'Error').length,
    canRetry: false,
  };
}
