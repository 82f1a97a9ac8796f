import type { LocalHost } from '../../composition/local-host.js';

// Drives the local host the way a person at the console would: upload into a simulated gallery, let
// the poll and the queue run, decide through the API. Shared by the end-to-end tests and scripts.

export interface SimGallery {
  readonly id: string;
  readonly name: string;
  readonly collectionId: string | null;
}

const getJson = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>;

/** The galleries whose top collection is `root` (the demo rules route by that path). */
export async function galleriesUnder(host: LocalHost, root: string): Promise<SimGallery[]> {
  const library = await getJson<{
    collections: { id: string; name: string; parentId: string | null }[];
    galleries: SimGallery[];
  }>(`${host.simulatorUrl}/_sim/library`);
  const byId = new Map(library.collections.map((c) => [c.id, c]));
  const top = (id: string | null): string | undefined => {
    let c = id === null ? undefined : byId.get(id);
    while (c?.parentId) c = byId.get(c.parentId);
    return c?.name;
  };
  return library.galleries.filter((g) => top(g.collectionId) === root);
}

/** Uploads one image into a simulated gallery; returns its id. */
export async function upload(host: LocalHost, galleryId: string): Promise<string> {
  const answer = await fetch(`${host.simulatorUrl}/_sim/upload`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ galleryId }),
  });
  if (answer.status !== 201) throw new TypeError(`upload answered ${answer.status}`);
  return ((await answer.json()) as { imageId: string }).imageId;
}

/**
 * Polls and runs the queue until it is empty, as the timer and the queue trigger would, waiting for
 * messages that are not visible yet (a sync held for the batch window) for up to `boundMs`.
 */
export async function settle(host: LocalHost, boundMs = 15_000): Promise<void> {
  await host.poll();
  const until = Date.now() + boundMs;
  while (Date.now() < until) {
    if ((await host.drainQueue()) > 0) continue;
    if ((await host.services.queue.depth()).active === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
