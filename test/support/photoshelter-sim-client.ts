import { AppError } from '../../core/errors.js';
import { type Visibility, visibilitySchema } from '../../core/model/gallery.js';
import { libraryReviewStatuses } from '../../core/ports/photo-archive.js';
import { readWorkflowBlock } from '../../connectors/photoshelter/library-writes.js';
import type { LibraryControl, MetadataEdit } from '../contract/photo-archive.contract.js';

// Talks to the simulator's own control endpoints (`/_sim/…`, docs/photoshelter-wire.md), never to the
// PhotoShelter API, so tests can cause library changes and read the simulator's counters.

export interface SimCalls {
  readonly total: number;
  readonly byEndpoint: Readonly<Record<string, number>>;
}

export interface SimFault {
  readonly path?: string;
  readonly method?: string;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  readonly latencyMs?: number;
  readonly drop?: boolean;
  readonly malformed?: boolean;
  readonly times?: number;
}

interface SimLibrary {
  readonly collections: readonly { id: string; name: string; parentId: string | null }[];
  readonly galleries: readonly {
    id: string;
    name: string;
    imageCount: number;
    collectionIds: readonly string[];
    mode: string;
    nativeMode: string;
  }[];
}

interface SimImage {
  readonly imageId: string;
  readonly modifiedAt: string;
  readonly reviewStatus: string | null;
  readonly galleryIds: readonly string[];
  /** IPTC instructions, which hold Lightdesk's workflow block. */
  readonly instructions: string;
}

export interface SimCustomField {
  readonly id: string;
  readonly name: string;
  readonly options: readonly { id: string; name: string }[];
}

interface SimImages {
  readonly images: readonly { imageId: string }[];
  readonly total: number;
}

export class SimClient {
  constructor(private readonly baseUrl: string) {}

  async fault(fault: SimFault): Promise<void> {
    await this.send('POST', '/_sim/faults', fault);
  }

  async clearFaults(): Promise<void> {
    await this.send('DELETE', '/_sim/faults');
  }

  async expireSessions(): Promise<void> {
    await this.send('POST', '/_sim/sessions/expire', {});
  }

  async calls(): Promise<SimCalls> {
    return (await this.send('GET', '/_sim/calls')) as SimCalls;
  }

  /** How often one route template was called, e.g. `GET /psapi/v3/mem/gallery/:id`. */
  async callsTo(endpoint: string): Promise<number> {
    return (await this.calls()).byEndpoint[endpoint] ?? 0;
  }

  async resetCalls(): Promise<void> {
    await this.send('DELETE', '/_sim/calls');
  }

  async library(): Promise<SimLibrary> {
    return (await this.send('GET', '/_sim/library')) as SimLibrary;
  }

  async image(imageId: string): Promise<SimImage> {
    return (await this.send('GET', `/_sim/images/${encodeURIComponent(imageId)}`)) as SimImage;
  }

  async customFields(): Promise<readonly SimCustomField[]> {
    return ((await this.send('GET', '/_sim/custom-fields')) as { fields: SimCustomField[] }).fields;
  }

  /** Adds or replaces a custom metadata field by name (fresh ids), as an admin would. */
  async defineCustomField(name: string, options: readonly string[]): Promise<SimCustomField> {
    return (await this.send('POST', '/_sim/custom-fields', { name, options })) as SimCustomField;
  }

  /** Removes the field called `name` (every field when undefined). */
  async removeCustomFields(name?: string): Promise<number> {
    const query = name === undefined ? '' : `?name=${encodeURIComponent(name)}`;
    return ((await this.send('DELETE', `/_sim/custom-fields${query}`)) as { removed: number })
      .removed;
  }

  async resetCustomFields(): Promise<void> {
    await this.send('POST', '/_sim/custom-fields/reset');
  }

  /** The library as people see it, for the contract suite. */
  control(): LibraryControl {
    return {
      galleryWithAssets: async (count) => {
        const { galleries } = await this.library();
        const fullest = [...galleries].sort((a, b) => b.imageCount - a.imageCount)[0];
        if (fullest === undefined)
          throw new AppError('internal', 'the simulator library has no gallery');
        for (let i = fullest.imageCount; i < count; i += 1) await this.upload(fullest.id);
        return fullest.id;
      },
      assetIdsIn: async (galleryId) => {
        const ids: string[] = [];
        for (let page = 1; ; page += 1) {
          const answer = (await this.send(
            'GET',
            `/_sim/galleries/${encodeURIComponent(galleryId)}/images?page=${page}&per_page=100`,
          )) as SimImages;
          ids.push(...answer.images.map((image) => image.imageId));
          if (answer.images.length === 0 || ids.length >= answer.total) return ids;
        }
      },
      upload: (galleryId, fileName) => this.upload(galleryId, fileName),
      replace: async (assetId) => {
        const answer = (await this.send('POST', '/_sim/replace', { imageId: assetId })) as {
          fileSize: number;
        };
        return { fileSize: answer.fileSize };
      },
      editMetadata: async (assetId, edit: MetadataEdit) => {
        await this.send('POST', '/_sim/metadata', { imageId: assetId, ...edit });
      },
      share: async (galleryId) => {
        const answer = (await this.send('POST', '/_sim/share', { galleryId })) as {
          permissionId: string;
        };
        return answer.permissionId;
      },
      reviewStatusOf: async (assetId) => {
        const status = (await this.image(assetId)).reviewStatus;
        if (status === null) return null;
        const known = libraryReviewStatuses.find((candidate) => candidate === status);
        if (known === undefined) {
          throw new AppError('internal', `the simulator shows an unknown status: ${status}`);
        }
        return known;
      },
      originalBytes: (assetId) => this.original(assetId),
      // The simulator shows the instructions text; the block in it is the connector's format.
      workflowFieldsOf: async (assetId) =>
        readWorkflowBlock((await this.image(assetId)).instructions),
      galleryState: async (galleryId) => {
        const gallery = (await this.library()).galleries.find((g) => g.id === galleryId);
        if (gallery === undefined) {
          throw new AppError('internal', `the simulator has no gallery ${galleryId}`);
        }
        const visibility: Visibility = visibilitySchema.parse(gallery.nativeMode);
        return { visibility, collectionIds: gallery.collectionIds };
      },
    };
  }

  /** The bytes the simulator serves as the image's original now. */
  async original(imageId: string): Promise<Uint8Array> {
    const path = `/_sim/images/${encodeURIComponent(imageId)}/original`;
    const response = await fetch(new URL(path, this.baseUrl));
    if (!response.ok) {
      throw new AppError('internal', `simulator GET ${path} answered ${response.status}`);
    }
    return new Uint8Array(await response.arrayBuffer());
  }

  async upload(galleryId: string, fileName?: string): Promise<string> {
    const answer = (await this.send('POST', '/_sim/upload', {
      galleryId,
      ...(fileName === undefined ? {} : { fileName }),
    })) as { imageId: string };
    return answer.imageId;
  }

  private async send(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new AppError(
        'internal',
        `simulator ${method} ${path} answered ${response.status}: ${text}`,
      );
    }
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  }
}
