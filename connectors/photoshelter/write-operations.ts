import type { PsRequest } from './transport.js';

// Every PhotoShelter write, one table of path, method and encoding. No public code writes through
// either API, so each entry is a tagged guess a tenant can swap via
// `PhotoShelterArchiveOptions.writeOperations` (docs/photoshelter-wire.md).

/** How the operation's fields travel: a JSON body, a urlencoded form body, or the query string. */
export type WriteEncoding = 'json' | 'form' | 'query';

export interface WriteOperation {
  readonly method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below the base URL; `{id}` (the gallery or media) and `{collectionId}` are filled in, encoded. */
  readonly path: string;
  readonly encoding: WriteEncoding;
}

export interface PhotoShelterWriteOperations {
  /** Fields: `{ <field_id>: <option_id> }`. */
  readonly setCustomMetadata: WriteOperation;
  /** Fields: `params` as given (the mode that hides a gallery). */
  readonly hideGallery: WriteOperation & { readonly params: Readonly<Record<string, string>> };
  /** Fields: `{ collection_id }`. */
  readonly addGalleryParent: WriteOperation;
  /** No fields; `{collectionId}` in the path names the parent to drop. */
  readonly removeGalleryParent: WriteOperation;
}

export const defaultWriteOperations: PhotoShelterWriteOperations = {
  // #15 [UNV kuklaph path family, spelled `custom-metadata` as production reads it [3P natlaqua]];
  // [INF] the `{field_id: option_id}` body, from the draft's `custom_metadata` search filter [WIP].
  setCustomMetadata: {
    method: 'PATCH',
    path: '/psapi/v4.0/media/{id}/custom-metadata',
    encoding: 'json',
  },
  // #17 [V2 path `…/visibility/update` with `mode`, INF that v3 kept it]. The v4 draft's
  // `PATCH /galleries/{id}` lists only name, description and f_list [WIP], so it is not the default.
  hideGallery: {
    method: 'POST',
    path: '/psapi/v3/mem/gallery/{id}/visibility/update',
    encoding: 'form',
    params: { mode: 'private' },
  },
  // #18, #19 [UNV kuklaph]; [INF] a move is "add the new parent, remove the old one".
  addGalleryParent: {
    method: 'POST',
    path: '/psapi/v4.0/galleries/{id}/parents',
    encoding: 'json',
  },
  removeGalleryParent: {
    method: 'DELETE',
    path: '/psapi/v4.0/galleries/{id}/parents/{collectionId}',
    encoding: 'json',
  },
};

/** The request for one write: path filled in, fields encoded as the operation says. */
export function toWriteRequest(
  operation: WriteOperation,
  ids: { readonly id: string; readonly collectionId?: string },
  fields: Readonly<Record<string, string>>,
  resource: { readonly what: string; readonly id: string },
): PsRequest {
  const path = operation.path
    .replaceAll('{id}', encodeURIComponent(ids.id))
    .replaceAll('{collectionId}', encodeURIComponent(ids.collectionId ?? ''));
  // The route template for logs and errors: every placeholder reads `:id`, as the simulator counts.
  const endpoint = `${operation.method} ${operation.path.replace(/\{[^}]+\}/g, ':id')}`;
  const hasFields = Object.keys(fields).length > 0;
  const body: Partial<Pick<PsRequest, 'json' | 'form' | 'query'>> = !hasFields
    ? {}
    : operation.encoding === 'json'
      ? { json: fields }
      : operation.encoding === 'form'
        ? { form: fields }
        : { query: fields };
  return { method: operation.method, path, endpoint, auth: 'session', resource, ...body };
}
