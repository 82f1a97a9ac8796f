// The review queue tab. Inside Teams (contentUrl carries ?inTeams=1) it signs in with Teams SSO and
// follows the Teams theme; elsewhere (the local console, a browser) it uses a development token the
// local host issues. Plain ES module: no build step, served as is by the Function App.

const api = new URL('../v1/tab/', location.href);
const params = new URLSearchParams(location.search);
const inTeams = params.get('inTeams') === '1';
const devTokenKey = 'lightdesk.devToken';
// The development sign-in is the local host's console route: it answers only this machine's pages
// and adds the API key itself, so the page never holds it. Elsewhere it does not exist (404).
const devTokenUrl = new URL('/console/api/v1/tab/dev-token', location.origin);

const $ = (id) => document.getElementById(id);
const state = { view: params.get('view') ?? 'open', text: '', mine: false, token: undefined };
const highlight = params.get('review');

function setTheme(theme) {
  const name = theme === 'dark' || theme === 'contrast' ? theme : 'default';
  document.body.className = `theme-${name}`;
}

function fail(message) {
  $('fatal').textContent = message;
  $('fatal').hidden = false;
}

async function teamsToken() {
  const teams = window.microsoftTeams;
  await teams.app.initialize();
  const context = await teams.app.getContext();
  setTheme(context.app.theme);
  teams.app.registerOnThemeChangeHandler(setTheme);
  // getAuthToken asks Entra for a token for the manifest's webApplicationInfo resource, on the user's behalf.
  // https://learn.microsoft.com/microsoftteams/platform/tabs/how-to/authentication/tab-sso-code
  const token = await teams.authentication.getAuthToken();
  teams.app.notifySuccess();
  return token;
}

async function loadDevUsers() {
  const response = await fetch(devTokenUrl);
  if (!response.ok) return;
  const { users } = await response.json();
  const list = $('signin-users');
  list.replaceChildren(
    ...users.map((user) => {
      const option = document.createElement('option');
      option.value = user;
      return option;
    }),
  );
}

function devSignIn() {
  return new Promise((resolve) => {
    const form = $('signin');
    form.hidden = false;
    void loadDevUsers();
    const preset = params.get('devUser');
    if (preset !== null) $('signin-user').value = preset;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      $('signin-error').hidden = true;
      const response = await fetch(devTokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: $('signin-user').value.trim() }),
      });
      const body = await response.json();
      if (!response.ok) {
        $('signin-error').textContent =
          body.error?.message ?? `Sign-in failed (${response.status})`;
        $('signin-error').hidden = false;
        return;
      }
      sessionStorage.setItem(devTokenKey, body.token);
      form.hidden = true;
      resolve(body.token);
    });
  });
}

function formatDate(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

const voteText = { approve: 'approved', rereview: 'asked for a re-review', archive: 'archived' };
const statusText = {
  pending: 'waiting',
  rereview: 're-review',
  approved: 'approved',
  archived: 'archived',
  superseded: 'superseded',
};

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== undefined));
  return node;
}

function link(href, text) {
  // Teams opens target=_blank links in the browser, outside the tab's iframe.
  return el('a', { href, target: '_blank', rel: 'noopener' }, text);
}

function renderReview(item) {
  const thumbs = el(
    'div',
    { class: 'thumbs' },
    ...item.thumbnails.map((t) => el('img', { src: t.url, alt: t.fileName, loading: 'lazy' })),
  );
  const badges = [el('span', { class: `badge ${item.status}` }, statusText[item.status])];
  if (item.overdue) badges.push(el('span', { class: 'badge overdue' }, 'overdue'));
  const when = item.closedAt
    ? `decided ${formatDate(item.closedAt)}`
    : `due ${formatDate(item.dueAt)}`;
  const votes = el(
    'ul',
    { class: 'votes', 'aria-label': 'Reviewers' },
    ...item.votes.map((v) =>
      el(
        'li',
        { 'data-reviewer': v.reviewerId },
        v.verb ? `${v.name}: ${voteText[v.verb]}` : `${v.name}: no vote yet`,
        v.via ? ` via ${v.via}` : undefined,
        v.comment ? ` — “${v.comment}”` : undefined,
      ),
    ),
  );
  const links = el(
    'div',
    { class: 'links' },
    link(item.galleryUrl, 'Open gallery'),
    item.taskUrl ? link(item.taskUrl, 'Planner task') : undefined,
  );
  return el(
    'li',
    {
      class: item.id === highlight ? 'review highlight' : 'review',
      'data-review': item.id,
    },
    thumbs,
    el(
      'div',
      {},
      el('h2', {}, item.galleryName),
      el(
        'div',
        { class: 'meta' },
        ...badges,
        el('span', {}, `${item.assetCount} ${item.assetCount === 1 ? 'image' : 'images'}`),
        el('span', {}, item.rule),
        el('span', {}, when),
        el('span', {}, item.approval === 'all' ? 'every reviewer approves' : 'first answer counts'),
      ),
      votes,
      links,
    ),
  );
}

async function refresh() {
  const query = new URLSearchParams({ view: state.view });
  if (state.text !== '') query.set('q', state.text);
  if (state.mine) query.set('mine', 'true');
  $('status').textContent = 'Loading…';
  let response;
  try {
    response = await fetch(new URL(`queue?${query}`, api), {
      headers: { authorization: `Bearer ${state.token}` },
    });
  } catch {
    $('status').textContent =
      'Lightdesk could not be reached. Check the connection and press Refresh.';
    return;
  }
  const body = await response.json();
  if (response.status === 401 && !inTeams) {
    sessionStorage.removeItem(devTokenKey);
    $('queue').hidden = true;
    state.token = await devSignIn();
    $('queue').hidden = false;
    return refresh();
  }
  if (!response.ok) {
    $('status').textContent =
      body.error?.message ?? `The queue could not be loaded (${response.status})`;
    return;
  }
  $('who').textContent =
    `${body.user.name}${body.user.via === 'dev' ? ' (development sign-in)' : ''}`;
  for (const [view, count] of Object.entries(body.counts)) {
    const slot = document.querySelector(`[data-count="${view}"]`);
    if (slot) slot.textContent = `(${count})`;
  }
  $('reviews').replaceChildren(...body.items.map(renderReview));
  $('status').textContent =
    body.items.length === 0
      ? 'No reviews here.'
      : `${body.items.length} ${body.items.length === 1 ? 'review' : 'reviews'}, as of ${formatDate(body.generatedAt)}`;
  document.querySelector('.review.highlight')?.scrollIntoView({ block: 'center' });
}

function selectView(view) {
  state.view = view;
  for (const button of document.querySelectorAll('[data-view]')) {
    button.setAttribute('aria-selected', String(button.dataset.view === view));
  }
  void refresh();
}

async function start() {
  if (!inTeams) {
    const theme = params.get('theme');
    setTheme(theme ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'default'));
  }
  try {
    state.token = inTeams
      ? await teamsToken()
      : (sessionStorage.getItem(devTokenKey) ?? (await devSignIn()));
  } catch (error) {
    if (inTeams)
      window.microsoftTeams.app.notifyFailure({ reason: 'AuthFailed', message: String(error) });
    fail(
      `Teams sign-in failed: ${error?.message ?? error}. Ask an admin to check the app's SSO setup.`,
    );
    return;
  }
  $('queue').hidden = false;
  for (const button of document.querySelectorAll('[data-view]')) {
    button.addEventListener('click', () => selectView(button.dataset.view));
  }
  let typing;
  $('search').addEventListener('input', (event) => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.text = event.target.value.trim();
      void refresh();
    }, 250);
  });
  $('mine').addEventListener('change', (event) => {
    state.mine = event.target.checked;
    void refresh();
  });
  $('reload').addEventListener('click', () => void refresh());
  selectView(state.view);
}

void start();
