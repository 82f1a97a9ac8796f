import { SimError } from '../kit/errors.js';
import type { SeededRandom } from '../kit/random.js';

// The repository a Preservica tenant holds: folders (SO), assets (IO), content objects (CO) with their
// representations, generations and bitstreams, identifiers and metadata fragments. Plain data, so
// the whole of it is the state file's snapshot.

export type EntityType = 'SO' | 'IO' | 'CO';

export interface EntityRecord {
  readonly ref: string;
  readonly type: EntityType;
  title: string;
  description: string;
  securityTag: string;
  /** Folder (SO) or asset (IO, for a CO); null at the root. */
  parent: string | null;
  customType?: string;
  createdAt: string;
  modifiedAt: string;
}

export interface IdentifierRecord {
  readonly apiId: string;
  readonly entityRef: string;
  type: string;
  value: string;
}

export interface FragmentRecord {
  readonly ref: string;
  readonly entityRef: string;
  schemaUri: string;
  /** The inner XML of `<Content>`, as sent. */
  content: string;
}

export interface RepresentationRecord {
  readonly ioRef: string;
  readonly type: string;
  /** 1-based among the IO's representations of this type. */
  readonly index: number;
  readonly name: string;
  readonly contentObjects: string[];
}

export interface FixityRecord {
  readonly algorithm: string;
  readonly value: string;
}

export interface BitstreamRecord {
  readonly filename: string;
  readonly size: number;
  readonly fixities: FixityRecord[];
  readonly sha256: string;
  /** Where its bytes are kept on disk; null when past the byte budget (content then answers 404). */
  readonly file: string | null;
}

export interface GenerationRecord {
  readonly coRef: string;
  readonly index: number;
  readonly original: boolean;
  readonly active: boolean;
  readonly label: string;
  readonly effectiveDate: string;
  readonly formatGroup: string;
  readonly formats: { puid: string; name: string }[];
  readonly bitstreams: BitstreamRecord[];
}

export interface StoreData {
  entities: EntityRecord[];
  identifiers: IdentifierRecord[];
  fragments: FragmentRecord[];
  representations: RepresentationRecord[];
  generations: GenerationRecord[];
}

export const SECURITY_TAGS = ['open', 'closed'] as const;

/** The seeded folders: known refs whatever the seed, so a demo config can name them. */
export const SEEDED_FOLDERS = {
  lightdesk: '7c1d4c0e-4f1a-4c57-9a3e-5d0e6b1a0001',
  approved: '7c1d4c0e-4f1a-4c57-9a3e-5d0e6b1a0002',
  retired: '7c1d4c0e-4f1a-4c57-9a3e-5d0e6b1a0003',
} as const;

export function uuidFrom(random: SeededRandom): string {
  const hex = random.text('0123456789abcdef', 32);
  const variant = '89ab'[random.int(0, 3)] ?? '8';
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class EntityStore {
  private readonly byRef = new Map<string, EntityRecord>();

  constructor(
    private data: StoreData,
    private readonly now: () => Date,
    private readonly random: SeededRandom,
  ) {
    this.index();
  }

  static seeded(now: () => Date, random: SeededRandom): EntityStore {
    const at = now().toISOString();
    const folder = (ref: string, title: string, parent: string | null, description: string) => ({
      ref,
      type: 'SO' as const,
      title,
      description,
      securityTag: 'open',
      parent,
      createdAt: at,
      modifiedAt: at,
    });
    return new EntityStore(
      {
        entities: [
          folder(SEEDED_FOLDERS.lightdesk, 'Lightdesk', null, 'Preserved from Lightdesk reviews'),
          folder(SEEDED_FOLDERS.approved, 'Approved', SEEDED_FOLDERS.lightdesk, 'Approved work'),
          folder(
            SEEDED_FOLDERS.retired,
            'Retired galleries',
            SEEDED_FOLDERS.lightdesk,
            'Galleries retired from PhotoShelter',
          ),
        ],
        identifiers: [],
        fragments: [],
        representations: [],
        generations: [],
      },
      now,
      random,
    );
  }

  snapshot(): StoreData {
    return this.data;
  }

  private index(): void {
    this.byRef.clear();
    for (const entity of this.data.entities) this.byRef.set(entity.ref, entity);
  }

  newRef(): string {
    return uuidFrom(this.random);
  }

  get(ref: string): EntityRecord | undefined {
    return this.byRef.get(ref);
  }

  /** The entity of that type, or a 404. */
  require(type: EntityType, ref: string): EntityRecord {
    const entity = this.byRef.get(ref);
    if (entity?.type !== type) throw new SimError(404, 'NotFound', `Entity not found: ${ref}`);
    return entity;
  }

  all(): readonly EntityRecord[] {
    return this.data.entities;
  }

  children(parent: string | null): EntityRecord[] {
    return this.data.entities.filter((e) => e.parent === parent && e.type !== 'CO');
  }

  add(entity: Omit<EntityRecord, 'createdAt' | 'modifiedAt'>): EntityRecord {
    if (this.byRef.has(entity.ref)) {
      throw new SimError(409, 'Conflict', `An entity with reference ${entity.ref} already exists`);
    }
    const at = this.now().toISOString();
    const record: EntityRecord = { ...entity, createdAt: at, modifiedAt: at };
    this.data.entities.push(record);
    this.byRef.set(record.ref, record);
    return record;
  }

  touch(entity: EntityRecord): void {
    entity.modifiedAt = this.now().toISOString();
  }

  // ---- identifiers ----

  identifiersOf(ref: string): IdentifierRecord[] {
    return this.data.identifiers.filter((i) => i.entityRef === ref);
  }

  /** Entities carrying this identifier (type and value both match, case-sensitively). */
  byIdentifier(type: string, value: string): EntityRecord[] {
    const refs = new Set(
      this.data.identifiers
        .filter((i) => i.type === type && i.value === value)
        .map((i) => i.entityRef),
    );
    return this.data.entities.filter((e) => refs.has(e.ref));
  }

  addIdentifier(entityRef: string, type: string, value: string): IdentifierRecord {
    const record: IdentifierRecord = { apiId: this.apiId(), entityRef, type, value };
    this.data.identifiers.push(record);
    return record;
  }

  /** Identifier api ids are 32 hex characters [INF]. */
  private apiId(): string {
    return this.random.text('0123456789abcdef', 32);
  }

  requireIdentifier(entityRef: string, apiId: string): IdentifierRecord {
    const found = this.data.identifiers.find((i) => i.apiId === apiId && i.entityRef === entityRef);
    if (found === undefined) throw new SimError(404, 'NotFound', `Identifier not found: ${apiId}`);
    return found;
  }

  deleteIdentifier(record: IdentifierRecord): void {
    this.data.identifiers = this.data.identifiers.filter((i) => i !== record);
  }

  // ---- metadata ----

  fragmentsOf(ref: string): FragmentRecord[] {
    return this.data.fragments.filter((f) => f.entityRef === ref);
  }

  addFragment(entityRef: string, schemaUri: string, content: string): FragmentRecord {
    const record: FragmentRecord = { ref: this.newRef(), entityRef, schemaUri, content };
    this.data.fragments.push(record);
    return record;
  }

  requireFragment(entityRef: string, ref: string): FragmentRecord {
    const found = this.data.fragments.find((f) => f.ref === ref && f.entityRef === entityRef);
    if (found === undefined)
      throw new SimError(404, 'NotFound', `Metadata fragment not found: ${ref}`);
    return found;
  }

  deleteFragment(record: FragmentRecord): void {
    this.data.fragments = this.data.fragments.filter((f) => f !== record);
  }

  // ---- representations, generations ----

  representationsOf(ioRef: string): RepresentationRecord[] {
    return this.data.representations.filter((r) => r.ioRef === ioRef);
  }

  addRepresentation(ioRef: string, type: string, name: string, contentObjects: string[]): void {
    const index = this.representationsOf(ioRef).filter((r) => r.type === type).length + 1;
    this.data.representations.push({ ioRef, type, index, name, contentObjects });
  }

  generationsOf(coRef: string): GenerationRecord[] {
    return this.data.generations.filter((g) => g.coRef === coRef);
  }

  addGeneration(generation: Omit<GenerationRecord, 'index'>): void {
    const index = this.generationsOf(generation.coRef).length + 1;
    this.data.generations.push({ ...generation, index });
  }

  /** Every bitstream file still referenced (to tell which stored bytes are in use). */
  bitstreamFiles(): string[] {
    return this.data.generations.flatMap((g) =>
      g.bitstreams.flatMap((b) => (b.file === null ? [] : [b.file])),
    );
  }
}
