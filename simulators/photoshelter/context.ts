import type { FileStore } from './files.js';
import type { SimRequest } from './http-util.js';
import type { ImageRecord, Library } from './library.js';
import { hash32 } from './random.js';
import type { Session, Sessions, SimOrg, SimUser } from './sessions.js';

/** What a route handler may use; built per request, so a library reset is seen at once. */
export interface RouteContext {
  readonly library: Library;
  /** The images' original files (uploaded bytes, else generated PNGs). */
  readonly files: FileStore;
  readonly sessions: Sessions;
  readonly users: readonly SimUser[];
  readonly orgs: readonly SimOrg[];
  /** Where links point: `publicBaseUrl`, else the listening URL. */
  readonly baseUrl: string;
  /** The account's IANA zone: record times are wall time in it, and the v3 session names it. */
  readonly timeZone: string;
}

export type Authenticated = RouteContext & { readonly session: Session };

/** A slice of a listing. No `page` and no `per_page` means everything [INF wire doc]. */
export interface Slice {
  readonly page: number;
  readonly perPage: number;
  readonly total: number;
  readonly pages: number;
  readonly start: number;
  readonly end: number;
  readonly hasNext: boolean;
}

export function sliceOf(
  total: number,
  page: number | undefined,
  perPage: number | undefined,
): Slice {
  if (page === undefined && perPage === undefined) {
    return { page: 1, perPage: total, total, pages: 1, start: 0, end: total, hasNext: false };
  }
  const size = perPage ?? 100;
  const current = page ?? 1;
  const start = Math.min(total, (current - 1) * size);
  const end = Math.min(total, start + size);
  const pages = Math.max(1, Math.ceil(total / size));
  return { page: current, perPage: size, total, pages, start, end, hasNext: current < pages };
}

/** The same request on another page, as a full URL, without credentials (they never go in links). */
export function pageUrl(baseUrl: string, request: SimRequest, page: number): string {
  const query = new URLSearchParams();
  for (const [key, value] of request.url.searchParams) {
    if (key !== 'api_key' && key !== 'auth_token' && key !== 'page') query.set(key, value);
  }
  // Parameters sent in a body still shape the listing, so they travel into the link too.
  for (const [key, value] of request.params) {
    if (key === 'api_key' || key === 'auth_token' || key === 'page' || key === 'password') continue;
    if (!query.has(key)) query.set(key, value);
  }
  query.set('page', String(page));
  return `${baseUrl}${request.path}?${query.toString()}`;
}

/** A requested display box: `300x300`, `x700` or `1920` [3P ImageLink params]. */
export interface Box {
  readonly width: number | undefined;
  readonly height: number | undefined;
}

export function parseBox(text: string | undefined): Box | undefined {
  if (text === undefined || text === '') return undefined;
  const m = /^(\d{0,5})(?:x(\d{0,5}))?$/.exec(text.trim());
  if (m === null) return undefined;
  const width = m[1] === '' || m[1] === undefined ? undefined : Number(m[1]);
  const height = m[2] === '' || m[2] === undefined ? undefined : Number(m[2]);
  if (width === undefined && height === undefined) return undefined;
  if (width === 0 || height === 0) return undefined;
  return { width, height };
}

export const boxText = (box: Box): string => `${box.width ?? ''}x${box.height ?? ''}`;

/** A stand-in for the CDN's signed-URL token: stable per image version. */
export const linkToken = (image: ImageRecord): string =>
  `${hash32(`${image.id}:${image.version}`).toString(36)}${hash32(image.id).toString(36)}`;

/**
 * The display URL the CDN would give: `/img-get2/{id}/fit=WxH` [OFF importer form]. A replaced image
 * gets a `v` query so browsers do not show the old picture from cache.
 */
export function imageUrl(
  baseUrl: string,
  image: ImageRecord,
  box: Box,
  mode: 'fit' | 'fill' = 'fit',
): string {
  const version = image.version > 0 ? `?v=${image.version}` : '';
  return `${baseUrl}/img-get2/${image.id}/${mode}=${boxText(box)}${version}`;
}
