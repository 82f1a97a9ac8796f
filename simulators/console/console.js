// The local console: the simulated PhotoShelter library (with upload / replace / share), and what
// Lightdesk detected. Settings come from the local host, which knows where the simulators listen.
// The console never holds the API key: its /console/api/ routes add it on the server side.
const settings = await (await fetch('/console/settings.json')).json();
const api = (path, init = {}) => fetch(`/console/api/${path}`, init);
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

$('replay-poison').addEventListener('click', async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    const result = await (await api('v1/queues/poison/replay', { method: 'POST' })).json();
    toast(
      result.replayed
        ? `Replayed ${result.replayed.events} event(s), ${result.replayed.webhooks} webhook(s)`
        : `Replay: ${result.error?.message}`,
    );
    await refreshFeed();
  } finally {
    button.disabled = false;
  }
});

await loadLibrary();
await refreshFeed();
setInterval(() => refreshFeed().catch(() => undefined), 2000);

// --- Tabs -------------------------------------------------------------------------------------
for (const tab of document.querySelectorAll('nav.tabs button')) {
  tab.addEventListener('click', () => {
    for (const other of document.querySelectorAll('nav.tabs button')) {
      other.setAttribute('aria-selected', String(other === tab));
      $(`pane-${other.dataset.pane}`).hidden = other !== tab;
    }
  });
}

// --- Planner board (the Graph simulator's state) ----------------------------------------------
const graph = (path, init) => fetch(`${settings.graphUrl}/_sim/${path}`, init);

async function refreshBoard() {
  if (!settings.graphUrl) return;
  const state = await (await graph('state')).json();
  const plan = state.plans[0];
  if (!plan) return;
  const people = new Map(state.users.map((u) => [u.id, u.displayName]));
  $('plan-title').textContent = plan.title;
  const columns = plan.buckets.map((bucket) => {
    const tasks = plan.tasks.filter((t) => t.bucketId === bucket.id);
    return el(
      'div',
      { class: 'bucket', 'data-bucket': bucket.name },
      el('h3', {}, `${bucket.name} (${tasks.length})`),
      ...tasks.map((task) => taskNode(task, plan, people)),
    );
  });
  $('board').replaceChildren(...columns);
}

function taskNode(task, plan, people) {
  const references = Object.entries(task.details?.references ?? {}).map(([key, ref]) => {
    const url = decodeURIComponent(key);
    return el('a', { href: url, target: '_blank' }, ref?.alias ?? url);
  });
  const assignees = Object.keys(task.assignments ?? {}).map((id) => people.get(id) ?? id);
  const complete = el('button', {}, 'Complete');
  complete.addEventListener('click', () =>
    act(complete, 'Task completed in Planner', () =>
      graph(`tasks/${encodeURIComponent(task.id)}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ percentComplete: 100 }),
      }),
    ).then(refreshBoard),
  );
  const move = el(
    'select',
    {},
    el('option', { value: '' }, 'Move to…'),
    ...plan.buckets.map((b) => el('option', { value: b.id }, b.name)),
  );
  move.addEventListener('change', () => {
    if (!move.value) return;
    graph(`tasks/${encodeURIComponent(task.id)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bucketId: move.value }),
    }).then(refreshBoard);
  });
  return el(
    'div',
    { class: 'task' },
    el('strong', {}, task.title),
    el(
      'div',
      { class: task.percentComplete === 100 ? 'done' : 'muted' },
      task.percentComplete === 100
        ? 'Completed'
        : `${task.percentComplete}% · due ${task.dueDateTime?.slice(0, 10) ?? '–'}`,
    ),
    el('div', { class: 'muted' }, assignees.join(', ')),
    ...references,
    el('div', {}, complete, ' ', move),
  );
}

// --- Teams chat (the Bot Connector simulator's transcript, cards rendered with adaptivecards) ----
const teams = (path, body) =>
  fetch(`${settings.teamsUrl}/_sim/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
/** Cards a user got back from their own button presses: the user-specific view, per activity. */
const personalViews = new Map();

async function setUpTeams() {
  if (!settings.teamsUrl) return;
  const seed = await (await teams('seed')).json();
  const users = [
    ...Object.values(seed.users),
    {
      name: 'Someone else (not a reviewer)',
      aadObjectId: '00000000-0000-4000-8000-00000000beef',
      mri: '29:someone',
    },
  ];
  $('acting-user').replaceChildren(
    ...users.map((u) => el('option', { value: u.aadObjectId }, u.name)),
  );
  const { conversations } = await (await teams('conversations')).json();
  $('conversation').replaceChildren(
    ...conversations.map((c) => el('option', { value: c.id }, `${c.name} (${c.conversationType})`)),
  );
  const reviews = conversations.find((c) => c.name === 'Photo reviews');
  if (reviews) $('conversation').value = reviews.id;
  $('conversation').addEventListener('change', () => refreshChat());
  $('acting-user').addEventListener('change', () => refreshChat());
  $('install').addEventListener('click', async () => {
    await teams('install', {
      conversationId: $('conversation').value,
      user: $('acting-user').value,
    });
    toast('Lightdesk installed in this conversation');
    await refreshChat();
  });
  $('send').addEventListener('click', async () => {
    const text = $('say').value.trim();
    if (!text) return;
    await teams('message', {
      conversationId: $('conversation').value,
      user: $('acting-user').value,
      text,
      mentionBot: true,
    });
    $('say').value = '';
    await refreshChat();
  });
}

// Teams renders the small Markdown subset cards use; the bare renderer needs to be told how.
const escapeHtml = (text) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = escapeHtml(text)
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/_(.+?)_/g, '<em>$1</em>')
    .replace(/\n/g, '<br>');
  result.didProcess = true;
};

function renderCard(card, activityId) {
  const adaptive = new AdaptiveCards.AdaptiveCard();
  adaptive.onExecuteAction = async (action) => {
    const data = { ...(action.data ?? {}) };
    const verb = action.verb ?? data.verb;
    const response = await teams('invoke', {
      conversationId: $('conversation').value,
      user: $('acting-user').value,
      replyToId: activityId,
      verb,
      data,
    });
    const answer = await response.json();
    const value = answer.body?.value;
    if (answer.body?.type === 'application/vnd.microsoft.card.adaptive' && value) {
      personalViews.set(`${activityId}|${$('acting-user').value}`, value);
    } else {
      toast(typeof value === 'string' ? value : `Bot answered ${answer.status}`);
    }
    await refreshChat();
  };
  adaptive.parse(card);
  return adaptive.render();
}

async function refreshChat() {
  if (!settings.teamsUrl || !$('conversation').value) return;
  const detail = await (
    await teams(`conversations/${encodeURIComponent($('conversation').value)}`)
  ).json();
  const bubbles = [];
  for (const entry of detail.activities ?? []) {
    const activity = entry.latest ?? entry.activity ?? entry;
    if (activity.type !== 'message' || entry.deleted) continue;
    const personal = personalViews.get(`${activity.id}|${$('acting-user').value}`);
    const body = [];
    if (activity.text) body.push(el('div', {}, activity.text));
    for (const attachment of activity.attachments ?? []) {
      if (attachment.contentType === 'application/vnd.microsoft.card.adaptive') {
        body.push(renderCard(personal ?? attachment.content, activity.id));
      }
    }
    bubbles.push(
      el(
        'div',
        { class: 'bubble', 'data-activity-id': activity.id ?? '' },
        el(
          'div',
          { class: 'meta' },
          `${activity.from?.name ?? ''} · ${personal ? 'your view' : 'everyone'}`,
        ),
        ...body,
      ),
    );
  }
  $('chat').replaceChildren(
    ...(bubbles.length > 0
      ? bubbles
      : [
          el(
            'span',
            { class: 'muted' },
            'No messages yet. Install Lightdesk here, then upload an image.',
          ),
        ]),
  );
}

await setUpTeams();
await Promise.all([refreshBoard(), refreshChat()]);
setInterval(() => {
  refreshBoard().catch(() => undefined);
  refreshChat().catch(() => undefined);
}, 3000);
