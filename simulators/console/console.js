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

/** True while a person is using `node`: it holds the focus, or one of its fields holds typed text. */
const inUse = (node) =>
  node.contains(document.activeElement) ||
  [...node.querySelectorAll('input, textarea')].some((field) => field.value !== field.defaultValue);

/**
 * Brings `container`'s children to `items` ({key, signature, render}), touching only what changed:
 * a child whose signature is the same stays, and so does one in use (redrawn once it is free), so
 * a refresh never wipes a comment being typed or closes an open dropdown. `force`: keys to redraw
 * anyway (the person just acted on them).
 */
function reconcile(container, items, force = new Set()) {
  const existing = new Map();
  for (const child of container.children) {
    if (child.dataset.key !== undefined) existing.set(child.dataset.key, child);
  }
  const wanted = items.map((item) => {
    const old = existing.get(item.key);
    const same = old?.dataset.signature === item.signature;
    if (old && !force.has(item.key) && (same || inUse(old))) return old;
    const node = item.render();
    node.dataset.key = item.key;
    node.dataset.signature = item.signature;
    return node;
  });
  for (const child of [...container.children]) {
    if (!wanted.includes(child)) child.remove();
  }
  // Moving a node blurs it: only nodes out of place move.
  wanted.forEach((node, index) => {
    const at = container.children[index];
    if (at !== node) container.insertBefore(node, at ?? null);
  });
}

function toast(text) {
  const box = $('toast');
  box.textContent = text;
  box.style.display = 'block';
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.style.display = 'none'), 2500);
}

async function act(button, label, run) {
  // The person is done with the button: the redraw that follows may replace it.
  button.blur();
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
    const status = thumb.reviewStatus ?? 'no review status';
    thumbs.append(
      el(
        'div',
        { class: 'thumb', 'data-image-id': thumb.imageId },
        el('img', { src: thumb.url, alt: thumb.fileName, title: thumb.fileName, loading: 'lazy' }),
        replace,
        el('span', { class: `status ${status.replace(/\s+/g, '-')}`, title: status }, status),
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
      el(
        'span',
        { class: 'muted' },
        `${gallery.imageCount} images · ${gallery.mode}` +
          (gallery.imageCount > gallery.thumbnails.length
            ? ` · newest ${gallery.thumbnails.length} shown`
            : ''),
      ),
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
  if (!$('library').dataset.drawn) {
    $('library').replaceChildren();
    $('library').dataset.drawn = 'yes';
  }
  const sorted = [...byCollection.entries()].sort((a, b) =>
    pathOf(a[0]).localeCompare(pathOf(b[0])),
  );
  reconcile(
    $('library'),
    sorted.map(([collectionId]) => ({
      key: collectionId,
      signature: pathOf(collectionId),
      render: () => el('div', { class: 'collection' }),
    })),
  );
  for (const [collectionId, galleries] of sorted) {
    const collection = [...$('library').children].find((c) => c.dataset.key === collectionId);
    reconcile(collection, [
      {
        key: 'name',
        signature: pathOf(collectionId),
        render: () => el('div', { class: 'name' }, pathOf(collectionId)),
      },
      ...galleries.map((gallery) => ({
        key: gallery.id,
        signature: JSON.stringify(gallery),
        render: () => galleryNode(gallery),
      })),
    ]);
  }
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
  reconcile(
    $('board'),
    plan.buckets.map((bucket) => ({
      key: bucket.id,
      signature: bucket.name,
      render: () => el('div', { class: 'bucket', 'data-bucket': bucket.name }),
    })),
  );
  const buckets = JSON.stringify(plan.buckets.map((b) => [b.id, b.name]));
  for (const bucket of plan.buckets) {
    const column = [...$('board').children].find((c) => c.dataset.key === bucket.id);
    const tasks = plan.tasks.filter((t) => t.bucketId === bucket.id);
    const heading = `${bucket.name} (${tasks.length})`;
    reconcile(column, [
      { key: 'heading', signature: heading, render: () => el('h3', {}, heading) },
      ...tasks.map((task) => ({
        key: task.id,
        signature: JSON.stringify([
          task,
          buckets,
          Object.keys(task.assignments ?? {}).map((id) => people.get(id)),
        ]),
        render: () => taskNode(task, plan, people),
      })),
    ]);
  }
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
    // The person is done with the dropdown: let the redraw move the task to its new bucket.
    move.blur();
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
  // Diego is a seeded Marketing member no demo rule names as a reviewer
  // (simulators/bot-connector/README.md): the simulator signs his presses like anyone else's.
  const users = Object.entries(seed.users).map(([key, u]) => ({
    ...u,
    label: key === 'diego' ? `${u.name} (someone else, not a reviewer)` : u.name,
  }));
  $('acting-user').replaceChildren(
    ...users.map((u) => el('option', { value: u.aadObjectId }, u.label)),
  );
  // Teams names no personal chat: it is the chat with that person.
  const chatOf = new Map(users.map((u) => [u.personalConversationId, u.name]));
  const { conversations } = await (await teams('conversations')).json();
  const label = (c) =>
    c.conversationType === 'personal'
      ? `Personal chat with ${chatOf.get(c.id) ?? 'a user'}`
      : `${c.name ?? c.id} (${c.conversationType === 'groupChat' ? 'group chat' : c.conversationType})`;
  $('conversation').replaceChildren(
    ...conversations.map((c) => el('option', { value: c.id }, label(c))),
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
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      // The simulator refused to send it (an unknown user, a bad request): the bot never saw it.
      toast(
        `Teams simulator answered ${response.status}: ${answer.error?.message ?? response.statusText}`,
      );
      return;
    }
    const value = answer.body?.value;
    if (answer.body?.type === 'application/vnd.microsoft.card.adaptive' && value) {
      personalViews.set(`${activityId}|${$('acting-user').value}`, value);
    } else {
      const reason =
        typeof value === 'string' ? value : (answer.body?.error?.message ?? answer.body?.message);
      toast(`Bot answered ${answer.status}${reason ? `: ${reason}` : ''}`);
    }
    await refreshChat(new Set([activityId]));
  };
  adaptive.parse(card);
  return adaptive.render();
}

/** Message text with Teams' `<at>Name</at>` mentions shown as the names they are. */
function messageText(text) {
  const line = el('div', {});
  for (const [index, part] of text.split(/<at>(.*?)<\/at>/).entries()) {
    line.append(index % 2 === 1 ? el('span', { class: 'mention' }, `@${part}`) : part);
  }
  return line;
}

function bubbleNode(activity, personal) {
  const body = [];
  if (activity.text) body.push(messageText(activity.text));
  for (const attachment of activity.attachments ?? []) {
    if (attachment.contentType === 'application/vnd.microsoft.card.adaptive') {
      body.push(renderCard(personal ?? attachment.content, activity.id));
    }
  }
  return el(
    'div',
    { class: 'bubble', 'data-activity-id': activity.id ?? '' },
    el(
      'div',
      { class: 'meta' },
      `${activity.from?.name ?? ''} · ${personal ? 'your view' : 'everyone'}`,
    ),
    ...body,
  );
}

/** `force`: activities the person just acted on, redrawn even while their card is in use. */
async function refreshChat(force = new Set()) {
  if (!settings.teamsUrl || !$('conversation').value) return;
  const conversationId = $('conversation').value;
  const user = $('acting-user').value;
  const detail = await (await teams(`conversations/${encodeURIComponent(conversationId)}`)).json();
  const items = [];
  for (const entry of detail.activities ?? []) {
    const activity = entry.latest ?? entry.activity ?? entry;
    if (activity.type !== 'message' || entry.deleted) continue;
    const personal = personalViews.get(`${activity.id}|${user}`);
    items.push({
      key: `${conversationId}|${activity.id}`,
      signature: JSON.stringify([
        activity.from?.name,
        activity.text,
        activity.attachments,
        personal ?? null,
      ]),
      render: () => bubbleNode(activity, personal),
    });
  }
  if (items.length === 0) {
    items.push({
      key: 'empty',
      signature: '',
      render: () =>
        el(
          'span',
          { class: 'muted' },
          'No messages yet. Install Lightdesk here, then upload an image.',
        ),
    });
  }
  reconcile(
    $('chat'),
    items,
    new Set([...force].map((activityId) => `${conversationId}|${activityId}`)),
  );
}

await setUpTeams();
await Promise.all([refreshBoard(), refreshChat()]);
setInterval(() => {
  refreshBoard().catch(() => undefined);
  refreshChat().catch(() => undefined);
  // New uploads and review statuses written back show up without a press.
  loadLibrary().catch(() => undefined);
}, 3000);
