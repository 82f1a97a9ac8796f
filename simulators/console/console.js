// The local console: the simulated PhotoShelter library (with upload / replace / share), what
// Lightdesk detected, and the Planner, Teams, Ziflow and Preservica simulators' state. Settings come from the local host, which knows where the simulators listen.
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

/** What a refusing simulator said: its JSON error's message when it gave one, else the body. */
async function refusalOf(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    return `${response.status} ${body.error?.message ?? body.message ?? text}`;
  } catch {
    return `${response.status} ${text}`;
  }
}

/** Runs a press of `button`; `refresh` redraws what it changed (the library by default). */
async function act(button, label, run, refresh = loadLibrary) {
  // The person is done with the button: the redraw that follows may replace it.
  button.blur();
  button.disabled = true;
  try {
    const response = await run();
    if (!response.ok) throw new Error(await refusalOf(response));
    toast(label);
    await refresh();
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

// --- Shared by the proofs and preserved panes -------------------------------------------------
/** GET (no body) or POST JSON to a simulator's `/_sim/…` control routes; both answer any origin. */
const control = (baseUrl, path, body) =>
  fetch(`${baseUrl}/_sim/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function controlJson(baseUrl, path) {
  const response = await control(baseUrl, path);
  if (!response.ok) throw new Error(await refusalOf(response));
  return response.json();
}

/** Shows (or, without `error`, hides) why a pane could not be drawn from its simulator. */
function paneError(id, error) {
  const box = $(id);
  box.hidden = error === undefined;
  box.textContent = error === undefined ? '' : `Could not read the simulator: ${error.message}`;
}

/** A link only when the simulator gave a web address (never a javascript: one). */
const link = (url, text) =>
  /^https?:\/\//i.test(url ?? '')
    ? el('a', { href: url, target: '_blank', rel: 'noopener' }, text)
    : el('span', { class: 'muted' }, text);

const row = (...cells) => el('tr', {}, ...cells.map((cell) => el('td', {}, cell)));
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '–');
const bytes = (n) =>
  n >= 1048576
    ? `${(n / 1048576).toFixed(1)} MB`
    : n >= 1024
      ? `${(n / 1024).toFixed(1)} KB`
      : `${n} B`;

// --- Ziflow proofs (the Ziflow simulator's state; docs/ziflow-simulator.md "/_sim controls") ----
// A reviewer's decision or comment goes through the simulator's drivers, which send the same signed
// webhooks Ziflow would: the review, its Teams card and its Planner task follow.
const DECISION_NAMES = {
  changes_required: 'Changes required',
  approved_with_changes: 'Approved with changes',
  approved: 'Approved',
  not_relevant: 'Not relevant',
};

async function setUpProofs() {
  if (!settings.ziflowUrl) {
    $('ziflow-reviewer').disabled = true;
    $('proofs').replaceChildren(
      el(
        'span',
        { class: 'muted' },
        'Ziflow is not simulated here (ZIFLOW_API_KEY names a real account): see the proofs in Ziflow.',
      ),
    );
    return;
  }
  try {
    const { users } = await controlJson(settings.ziflowUrl, 'users');
    // The seeded reviewers; the admin is Lightdesk's own integration user.
    $('ziflow-reviewer').replaceChildren(
      ...users
        .filter((u) => !u.admin)
        .map((u) =>
          el(
            'option',
            { value: u.email },
            `${`${u.first_name} ${u.last_name}`.trim()} (${u.email})`,
          ),
        ),
    );
  } catch (error) {
    paneError('proofs-error', error);
  }
}

function proofNode(proof) {
  const reviewer = () => $('ziflow-reviewer').value;
  const refresh = () => refreshProofs(new Set([proof.id]));
  const decide = (decision, label) => {
    const button = el('button', {}, label);
    button.addEventListener('click', () =>
      act(
        button,
        `${reviewer()}: ${DECISION_NAMES[decision]}`,
        () =>
          control(settings.ziflowUrl, 'decide', { proofId: proof.id, email: reviewer(), decision }),
        refresh,
      ),
    );
    return button;
  };
  const text = el('input', { placeholder: 'Comment as the reviewer', size: '26' });
  const comment = el('button', {}, 'Comment');
  comment.addEventListener('click', () => {
    if (!text.value.trim()) return;
    act(
      comment,
      `${reviewer()} commented`,
      () =>
        control(settings.ziflowUrl, 'comment', {
          proofId: proof.id,
          email: reviewer(),
          text: text.value.trim(),
        }),
      refresh,
    );
  });
  const stages = el('table', {});
  for (const stage of proof.stages ?? []) {
    stages.append(
      el(
        'tr',
        {},
        el('th', {}, stage.name),
        el(
          'th',
          { class: 'muted' },
          stage.status
            ? DECISION_NAMES[stage.status]
            : stage.started
              ? 'in progress'
              : 'not started',
        ),
      ),
    );
    for (const member of stage.members ?? []) {
      const decision = member.decision;
      stages.append(
        el(
          'tr',
          { 'data-reviewer': member.email },
          el('td', {}, `${member.first_name} ${member.last_name}`.trim() || member.email),
          el(
            'td',
            { class: `decision ${decision ?? 'waiting'}` },
            decision
              ? `${DECISION_NAMES[decision] ?? decision} ${time(member.decision_date)}`
              : member.can_make_decisions
                ? 'waiting'
                : member.role,
          ),
        ),
      );
    }
  }
  const comments = proof.comments ?? [];
  return el(
    'div',
    { class: 'card proof', 'data-proof-id': proof.id },
    el(
      'div',
      { class: 'title' },
      el('strong', {}, proof.name),
      el(
        'span',
        { class: 'muted' },
        `version ${proof.version} · ${proof.status}` +
          (proof.decision_status_label ? ` · ${proof.decision_status_label}` : ''),
      ),
      link(proof.public_link, 'Open proof'),
    ),
    ...(proof.failure ? [el('div', { class: 'pane-error' }, proof.failure)] : []),
    stages,
    el('div', { class: 'muted comments-count' }, `${comments.length} comment(s)`),
    el(
      'ul',
      { class: 'messages' },
      ...comments.map((c) => el('li', {}, `${c.reviewer?.email ?? ''}: ${c.comment}`)),
    ),
    el(
      'div',
      { class: 'actions' },
      decide('approved', 'Approve'),
      decide('changes_required', 'Changes required'),
      text,
      comment,
    ),
  );
}

async function refreshProofs(force = new Set()) {
  if (!settings.ziflowUrl) return;
  let proofs;
  try {
    ({ proofs } = await controlJson(settings.ziflowUrl, 'proofs'));
    paneError('proofs-error');
  } catch (error) {
    paneError('proofs-error', error);
    return;
  }
  $('proofs-count').textContent = `${proofs.length} proof(s)`;
  reconcile(
    $('proofs'),
    proofs.length === 0
      ? [
          {
            key: 'empty',
            signature: '',
            render: () =>
              el(
                'span',
                { class: 'muted' },
                'No proofs yet: upload an image to a gallery whose rule reviews in Ziflow.',
              ),
          },
        ]
      : proofs.map((proof) => ({
          key: proof.id,
          signature: JSON.stringify(proof),
          render: () => proofNode(proof),
        })),
    force,
  );
}

// --- Preserved (the Preservica simulator's state; docs/preservica-simulator.md "Control API") ----
async function setUpPreserved() {
  for (const id of ['fail-reason', 'fail-next-ingest', 'complete-ingests']) {
    $(id).disabled = !settings.preservicaUrl;
  }
  if (!settings.preservicaUrl) {
    $('preserved').replaceChildren(
      el(
        'span',
        { class: 'muted' },
        'Preservica is not simulated here (PRESERVICA_BASE_URL names a real tenant): see it in Preservica.',
      ),
    );
    return;
  }
  $('fail-next-ingest').addEventListener('click', (event) => {
    const reason = $('fail-reason').value.trim();
    act(
      event.currentTarget,
      `The next ingest fails${reason ? `: ${reason}` : ''}`,
      () => control(settings.preservicaUrl, 'fail-next-ingest', reason ? { reason } : {}),
      async () => {
        $('fail-reason').value = '';
        await refreshPreserved();
      },
    );
  });
  $('complete-ingests').addEventListener('click', (event) =>
    act(
      event.currentTarget,
      'Running ingests finished',
      () => control(settings.preservicaUrl, 'complete-ingests', {}),
      refreshPreserved,
    ),
  );
}

/** A metadata fragment's fields (its leaf elements), read as XML, never as HTML. */
function metadataFields(content) {
  const doc = new window.DOMParser().parseFromString(content ?? '', 'application/xml');
  if (doc.querySelector('parsererror')) return [['(unreadable)', content ?? '']];
  return [...doc.querySelectorAll('*')]
    .filter((node) => node.children.length === 0)
    .map((node) => [node.localName, node.textContent ?? '']);
}

function assetNode(asset, depth) {
  const details = el('table', {});
  for (const identifier of asset.identifiers) {
    details.append(row(identifier.type, identifier.value));
  }
  for (const fragment of asset.metadata) {
    for (const [name, value] of metadataFields(fragment.content)) {
      details.append(
        el('tr', { title: fragment.schemaUri }, el('td', {}, name), el('td', {}, value)),
      );
    }
  }
  for (const b of asset.bitstreams) {
    details.append(
      el(
        'tr',
        { title: `SHA-256 ${b.sha256}` },
        el('td', {}, `${b.representation} ${b.filename}`),
        el(
          'td',
          {},
          `${bytes(b.size)} · SHA-256 ${b.sha256.slice(0, 12)}…` +
            (b.contentKept ? '' : ' · bytes not kept'),
        ),
      ),
    );
  }
  return el(
    'div',
    { class: 'card asset', 'data-ref': asset.ref, style: `margin-left: ${depth}rem` },
    el(
      'div',
      { class: 'title' },
      el('strong', {}, asset.title),
      el('span', { class: 'muted' }, `security tag ${asset.securityTag}`),
      el('span', { class: 'muted' }, asset.ref),
    ),
    details,
  );
}

function ingestNode(ingest) {
  return el(
    'div',
    { class: 'card ingest', 'data-token': ingest.token },
    el(
      'div',
      { class: 'title' },
      el('strong', {}, ingest.key),
      el('span', { class: `state ${ingest.status}` }, ingest.status),
      el(
        'span',
        { class: 'muted' },
        `${ingest.percentComplete ?? '–'}% · ${ingest.progressText ?? ''} · ${bytes(ingest.size)}` +
          ` · sent ${time(ingest.submittedAt)} · done ${time(ingest.completedAt)}`,
      ),
    ),
    ...(ingest.failure ? [el('div', { class: 'pane-error' }, ingest.failure)] : []),
    el(
      'div',
      { class: 'muted' },
      `${ingest.created.length} created, ${ingest.skipped.length} skipped`,
    ),
    el(
      'ul',
      { class: 'messages' },
      ...ingest.messages.map((m) =>
        el('li', { class: m.status }, `${m.status}: ${m.displayMessage || m.message}`),
      ),
    ),
  );
}

async function refreshPreserved() {
  if (!settings.preservicaUrl) return;
  let state;
  let ingests;
  try {
    [state, { ingests }] = await Promise.all([
      controlJson(settings.preservicaUrl, 'entities'),
      controlJson(settings.preservicaUrl, 'ingests'),
    ]);
    paneError('preserved-error');
  } catch (error) {
    paneError('preserved-error', error);
    return;
  }
  $('preserved-size').textContent =
    `${state.assets.length} asset(s) · ${bytes(state.storedBytes.used)} stored`;
  // The folder tree, depth first, each folder's assets under it; the rest at the end.
  const items = [];
  const shown = new Set();
  const visit = (parent, depth) => {
    for (const folder of state.folders.filter((f) => f.parent === parent)) {
      shown.add(folder.ref);
      const label = `${folder.title} (${folder.securityTag})`;
      items.push({
        key: folder.ref,
        signature: `${label}|${depth}`,
        render: () =>
          el(
            'div',
            { class: 'folder', 'data-ref': folder.ref, style: `margin-left: ${depth}rem` },
            el('div', { class: 'name' }, label),
          ),
      });
      for (const asset of state.assets.filter((a) => a.parent === folder.ref)) {
        shown.add(asset.ref);
        items.push({
          key: asset.ref,
          signature: JSON.stringify([asset, depth]),
          render: () => assetNode(asset, depth + 1),
        });
      }
      visit(folder.ref, depth + 1);
    }
  };
  visit(null, 0);
  for (const asset of state.assets.filter((a) => !shown.has(a.ref))) {
    items.push({
      key: asset.ref,
      signature: JSON.stringify([asset, 0]),
      render: () => assetNode(asset, 0),
    });
  }
  reconcile($('preserved'), items);
  const newestFirst = [...ingests].reverse();
  reconcile(
    $('ingests'),
    newestFirst.length === 0
      ? [
          {
            key: 'empty',
            signature: '',
            render: () => el('span', { class: 'muted' }, 'No ingests yet.'),
          },
        ]
      : newestFirst.map((ingest) => ({
          key: ingest.token,
          signature: JSON.stringify(ingest),
          render: () => ingestNode(ingest),
        })),
  );
}

await setUpTeams();
await Promise.all([refreshBoard(), refreshChat()]);
await setUpProofs();
await setUpPreserved();
await Promise.all([refreshProofs(), refreshPreserved()]);
setInterval(() => {
  refreshBoard().catch(() => undefined);
  refreshChat().catch(() => undefined);
  refreshProofs().catch(() => undefined);
  refreshPreserved().catch(() => undefined);
  // New uploads and review statuses written back show up without a press.
  loadLibrary().catch(() => undefined);
}, 3000);
