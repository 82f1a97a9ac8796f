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

/** A write whose body is a file: `multipart/form-data` with the file under `fileField`. */
export interface FileWriteOperation {
  readonly method: 'POST' | 'PUT' | 'PATCH';
  /** Below the base URL; `{id}` (the media) is filled in, encoded. */
  readonly path: string;
  readonly fileField: string;
}

/** The fields of a write: text, or a list (JSON keeps it a list; a form or query joins it with `,`). */
export type WriteFields = Readonly<Record<string, string | readonly string[]>>;

export interface PhotoShelterWriteOperations {
  /** Fields: `{ <field_id>: <option_id> }`. */
  readonly setCustomMetadata: WriteOperation;
  /** Fields: `params` as given (the mode that hides a gallery). */
  readonly hideGallery: WriteOperation & { readonly params: Readonly<Record<string, string>> };
  /** Fields: `{ collection_id }`. */
  readonly addGalleryParent: WriteOperation;
  /** No fields; `{collectionId}` in the path names the parent to drop. */
  readonly removeGalleryParent: WriteOperation;
  /** A new asset: the file plus `{ <galleryField>: gallery id }`; answers the new id. */
  readonly uploadImage: FileWriteOperation & { readonly galleryField: string };
  /** The asset's current file becomes this one (id and metadata stay). */
  readonly replaceFile: FileWriteOperation;
  /** Fields: IPTC attributes `{ title, caption, keyword, credit, copyright }` (keyword: `a, b`). */
  readonly writeIptc: WriteOperation;
  /** Fields: `{ <attribute>: text }`, the free-text attribute holding Lightdesk's workflow block. */
  readonly setWorkflowFields: WriteOperation & { readonly attribute: string };
  /** Fields: `{ name, parent_id }`; answers the new gallery's id. */
  readonly createGallery: WriteOperation;
  /** Fields: `{ media_ids: [...] }`. */
  readonly addGalleryMedia: WriteOperation;
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
  // #21 [DOC] v3 upload, multipart `file` and `gallery_id`; [INF] the answer's `data.Image.image_id`.
  uploadImage: {
    method: 'POST',
    path: '/psapi/v3/mem/image/upload',
    fileField: 'file',
    galleryField: 'gallery_id',
  },
  // #22 No evidence for replacing a file: [UNV] the v4 `/media/{id}/versions` family; [INF] a POST
  // of multipart `file` makes it the current version.
  replaceFile: { method: 'POST', path: '/psapi/v4.0/media/{id}/versions', fileField: 'file' },
  // #23 [UNV] `PATCH /media/{id}/iptc`; [INF] the body uses the names `GET /media/{id}/iptc` and v3's
  // `Iptc` extension read (`keyword` one comma-separated string [3P Drupal]).
  writeIptc: { method: 'PATCH', path: '/psapi/v4.0/media/{id}/iptc', encoding: 'json' },
  // #23 again [INF]: custom metadata takes preset options only [DOC help], so free-text workflow
  // fields go into the IPTC instructions as a block of `name: value` lines Lightdesk owns.
  setWorkflowFields: {
    method: 'PATCH',
    path: '/psapi/v4.0/media/{id}/iptc',
    encoding: 'json',
    attribute: 'instructions',
  },
  // #24 [UNV] `POST /galleries` (v3's `mem/gallery/insert` [V2/DOC] is the other candidate);
  // [INF] the body `{name, parent_id}` and the answer's `data.id`.
  createGallery: { method: 'POST', path: '/psapi/v4.0/galleries', encoding: 'json' },
  // #25 [UNV] `PATCH /galleries/{id}/media`; [INF] the body `{media_ids: [...]}`.
  addGalleryMedia: { method: 'PATCH', path: '/psapi/v4.0/galleries/{id}/media', encoding: 'json' },
};

/** The request for one write: path filled in, fields encoded as the operation says. */
export function toWriteRequest(
  operation: WriteOperation,
  ids: { readonly id: string; readonly collectionId?: string },
  fields: WriteFields,
  resource: { readonly what: string; readonly id: string },
): PsRequest {
  const path = operation.path
    .replaceAll('{id}', encodeURIComponent(ids.id))
    .replaceAll('{collectionId}', encodeURIComponent(ids.collectionId ?? ''));
  // The route template for logs and errors: every placeholder reads `:id`, as the simulator counts.
  const endpoint = `${operation.method} ${operation.path.replace(/\{[^}]+\}/g, ':id')}`;
  const hasFields = Object.keys(fields).length > 0;
  const flat = Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : value.join(','),
    ]),
  );
  const body: Partial<Pick<PsRequest, 'json' | 'form' | 'query'>> = !hasFields
    ? {}
    : operation.encoding === 'json'
      ? { json: fields }
      : operation.encoding === 'form'
        ? { form: flat }
        : { query: flat };
  return { method: operation.method, path, endpoint, auth: 'session', resource, ...body };
}
