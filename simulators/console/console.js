// The local console: the simulated PhotoShelter library (with upload / replace / share), and what
// Lightdesk detected. Settings come from the local host, which knows where the simulator listens.
const settings = await (await fetch('/console/settings.json')).json();
const api = (path, init = {}) =>
  fetch(`/api/${path}`, {
    ...init,
    headers: {
      ...(init.headers ?? {}),
      ...(settings.apiKey ? { 'x-api-key': settings.apiKey } : {}),
    },
  });
const sim = (path, body) =>
  fetch(`${settings.simulatorUrl}/_sim/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
};

function toast(text) {
  const box = $('toast');
  box.textContent = text;
  box.style.display = 'block';
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.style.display = 'none'), 2500);
}

async function act(button, label, run) {
  button.disabled = true;
  try {
    const response = await run();
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    toast(label);
    await loadLibrary();
  } catch (error) {
    toast(`Failed: ${error.message}`);
  } finally {
    button.disabled = false;
  }
}

function galleryNode(gallery) {
  const upload = el('button', {}, 'Upload image');
  upload.addEventListener('click', () =>
    act(upload, `Uploaded to ${gallery.name}`, () => sim('upload', { galleryId: gallery.id })),
  );
  const share = el('button', {}, 'Share');
  share.addEventListener('click', () =>
    act(share, `Shared ${gallery.name}`, () =>
      sim('share', { galleryId: gallery.id, type: 'contact', email: 'reviewer@example.com' }),
    ),
  );
  const thumbs = el('div', { class: 'thumbs' });
  for (const thumb of gallery.thumbnails) {
    const replace = el('button', { title: `Replace ${thumb.fileName}` }, '⟳');
    replace.addEventListener('click', () =>
      act(replace, `Replaced ${thumb.fileName}`, () => sim('replace', { imageId: thumb.imageId })),
    );
    thumbs.append(
      el(
        'div',
        { class: 'thumb' },
        el('img', { src: thumb.url, alt: thumb.fileName, title: thumb.fileName, loading: 'lazy' }),
        replace,
      ),
    );
  }
  return el(
    'div',
    { class: 'gallery', 'data-gallery-id': gallery.id },
    el(
      'div',
      { class: 'title' },
      el('strong', {}, gallery.name),
      el('span', { class: 'muted' }, `${gallery.imageCount} images · ${gallery.mode}`),
      upload,
      share,
    ),
    thumbs,
  );
}

const galleryNames = new Map();
const named = (text) => text.replace(/G0000[A-Za-z0-9._]{11}/g, (id) => galleryNames.get(id) ?? id);

async function loadLibrary() {
  const library = await (await sim('library')).json();
  for (const gallery of library.galleries) galleryNames.set(gallery.id, gallery.name);
  $('library-size').textContent = `${library.assets} images, ${library.galleries.length} galleries`;
  const byCollection = new Map();
  for (const gallery of library.galleries) {
    const key = gallery.collectionId ?? 'root';
    if (!byCollection.has(key)) byCollection.set(key, []);
    byCollection.get(key).push(gallery);
  }
  const names = new Map(library.collections.map((c) => [c.id, c]));
  const pathOf = (id) => {
    const parts = [];
    for (let c = names.get(id); c; c = c.parentId ? names.get(c.parentId) : undefined)
      parts.unshift(c.name);
    return parts.join(' / ') || 'Library root';
  };
  const container = el('div');
  for (const [collectionId, galleries] of [...byCollection.entries()].sort((a, b) =>
    pathOf(a[0]).localeCompare(pathOf(b[0])),
  )) {
    container.append(
      el(
        'div',
        { class: 'collection' },
        el('div', { class: 'name' }, pathOf(collectionId)),
        ...galleries.map(galleryNode),
      ),
    );
  }
  $('library').replaceChildren(container);
}

async function refreshFeed() {
  const [activity, queues, health] = await Promise.all([
    api('v1/activity?limit=50').then((r) => r.json()),
    api('v1/queues').then((r) => r.json()),
    api('v1/health')
      .then((r) => r.json())
      .catch(() => ({ status: 'down' })),
  ]);
  $('health').textContent = `health: ${health.status}`;
  $('depth-active').textContent = String(queues.depth?.active ?? '–');
  $('depth-poison').textContent = String(queues.depth?.poison ?? '–');
  $('poison').replaceChildren(
    ...(queues.poison ?? []).map((m) =>
      el('li', {}, el('span', { class: 'kind' }, 'poison '), m.body.slice(0, 160)),
    ),
  );
  const entries = activity.entries ?? [];
  if (entries.length > 0) {
    $('feed').replaceChildren(
      ...entries.map((e) =>
        el(
          'li',
          { 'data-kind': e.kind },
          el('time', {}, new Date(e.at).toLocaleTimeString()),
          el('span', { class: 'kind' }, e.kind),
          ' ',
          named(e.summary),
        ),
      ),
    );
  }
}

$('poll-now').addEventListener('click', async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    const result = await (await api('v1/poll', { method: 'POST' })).json();
    toast(
      result.kind === 'polled'
        ? `Poll: ${result.enqueued} new event(s)`
        : `Poll: ${result.kind ?? result.error?.message}`,
    );
    await refreshFeed();
  } finally {
    button.disabled = false;
  }
});

await loadLibrary();
await refreshFeed();
setInterval(() => refreshFeed().catch(() => undefined), 2000);
