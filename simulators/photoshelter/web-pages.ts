import { imageUrl, type RouteContext } from './context.js';
import type { SimRequest } from './http-util.js';

// Bare stand-ins for PhotoShelter's web UI at the URL forms of docs/photoshelter-wire.md [3P], so gallery links in
// the local demo open something: `/gallery/{Slug}/{G0000…}[/{C0000…}]` and
// `/gallery-collection/{Slug}/{C0000…}`.

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
  '<style>body{font:15px system-ui,sans-serif;margin:2rem;color:#222}' +
  'ul.grid{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:8px}' +
  'ul.grid li{width:200px;font-size:12px;overflow:hidden;text-overflow:ellipsis}' +
  'img{display:block;max-width:200px;max-height:200px}' +
  'pre.instructions{white-space:pre-wrap;font-size:11px;margin:4px 0;color:#555}</style></head>' +
  `<body><p>PhotoShelter simulator</p><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

export function renderWebPage(
  ctx: RouteContext,
  request: SimRequest,
): { status: number; html: string } | undefined {
  if (request.method !== 'GET') return undefined;
  const gallery =
    /^\/gallery\/[^/]+\/(G0000[A-Za-z0-9._]{11})(?:\/C0000[A-Za-z0-9._]{11})?\/?$/.exec(
      request.path,
    );
  if (gallery !== null) {
    const record = ctx.library.gallery(gallery[1] ?? '');
    if (record === undefined) return { status: 404, html: page('Gallery not found', '') };
    const items = record.imageIds
      .slice(0, 200)
      .map((id) => ctx.library.image(id))
      .filter((image) => image !== undefined)
      .map(
        (image) =>
          `<li><img src="${escapeHtml(imageUrl(ctx.baseUrl, image, { width: 200, height: 200 }))}" ` +
          `alt="${escapeHtml(image.fileName)}" loading="lazy">${escapeHtml(image.fileName)}` +
          // What Lightdesk writes shows on the asset, as PhotoShelter's IPTC panel would show it.
          (image.title === '' ? '' : `<br><b>${escapeHtml(image.title)}</b>`) +
          ((image.instructions ?? '') === ''
            ? ''
            : `<pre class="instructions">${escapeHtml(image.instructions ?? '')}</pre>`) +
          '</li>',
      )
      .join('');
    const more =
      record.imageIds.length > 200 ? `<p>…and ${record.imageIds.length - 200} more.</p>` : '';
    const about = `<p>${escapeHtml(record.description)} · ${record.imageIds.length} images · ${escapeHtml(
      ctx.library.effectiveMode(record),
    )}</p>`;
    return {
      status: 200,
      html: page(record.name, `${about}<ul class="grid">${items}</ul>${more}`),
    };
  }
  const collection = /^\/gallery-collection\/(?:[^/]+\/)?(C0000[A-Za-z0-9._]{11})\/?$/.exec(
    request.path,
  );
  if (collection !== null) {
    const record = ctx.library.collection(collection[1] ?? '');
    if (record === undefined) return { status: 404, html: page('Collection not found', '') };
    const { collections, galleries } = ctx.library.childrenOf(record.id);
    const slug = (name: string) => name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    const links = [
      ...collections.map(
        (c) =>
          `<li><a href="/gallery-collection/${slug(c.name)}/${c.id}">${escapeHtml(c.name)}</a></li>`,
      ),
      ...galleries.map(
        (g) => `<li><a href="/gallery/${slug(g.name)}/${g.id}">${escapeHtml(g.name)}</a></li>`,
      ),
    ].join('');
    return { status: 200, html: page(record.name, `<ul>${links}</ul>`) };
  }
  return undefined;
}
