// The fnguard single-page app: signs in with authorization code + PKCE
// through @auth0/auth0-spa-js (Auth0 in production, the server's
// development issuer locally: both serve Auth0's endpoints), then calls
// every protected endpoint the server lists in /spa-config.json.
import { Auth0Client, InMemoryCache } from './vendor/auth0-spa-js.production.esm.js';
import { Session } from './session.js';

const $ = (id) => document.getElementById(id);

// The tokens live in auth0-spa-js's memory cache, never in localStorage: a
// reload signs you out, and an injected script cannot read them from
// storage after the fact.
let session = null;

async function main() {
  const cfg = await loadConfig();
  $('dev-note').hidden = !cfg.devIssuer;
  renderEndpoints(cfg);

  // One code path for every issuer: auth0-spa-js builds /authorize,
  // /oauth/token and /v2/logout from `domain`, and expects the ID token's
  // issuer to be `domain` + "/", which Auth0 and the development issuer
  // both satisfy.
  const redirectURI = location.origin + '/';
  const auth = new Auth0Client({
    domain: cfg.domain,
    clientId: cfg.clientId,
    // offline_access asks for a refresh token (Auth0 sends one only when
    // the API allows offline access and the app has rotation on).
    authorizationParams: { audience: cfg.audience, redirect_uri: redirectURI, scope: 'openid profile offline_access' },
    // In memory only, like cacheLocation 'memory', with the same class.
    // Given as a cache rather than that option because with it the library
    // moves refresh tokens into a Web Worker that calls no token endpoint
    // but {domain}/oauth/token at the root of the domain, which the
    // development issuer (under /dev-issuer/) is not.
    cache: new InMemoryCache().enclosedCache,
    useRefreshTokens: true,
    // Without a refresh token, end the session rather than try a hidden
    // iframe: that needs the issuer's third-party cookies, which browsers
    // block, and would hide why the person must sign in again.
    useRefreshTokensFallback: false,
    authorizeTimeoutInSeconds: 10,
  });
  // The constructor is used rather than createAuth0Client, which would try
  // a silent sign-in in a hidden iframe on every load: with tokens kept
  // only in memory, a fresh page starts signed out, by design.

  const query = new URLSearchParams(location.search);
  if (query.has('state') && (query.has('code') || query.has('error'))) {
    try {
      await auth.handleRedirectCallback();
    } catch (err) {
      setStatus(`Sign-in failed: ${err.error_description || err.message}`);
    }
    // Drop the code and state from the address bar and history.
    history.replaceState(null, '', location.pathname);
  }

  // The page owns nf_jwt only where the server offers a token for it (the
  // development server); elsewhere Netlify Identity may own it.
  const ownsCookie = Boolean(cfg.netlifyTokenUrl) && cfg.endpoints.some((e) => e.credential === 'cookie');
  // A reload signs you out, so a cookie left from before must go too.
  if (ownsCookie) clearProxyCookie();
  let cookieProblem = '';
  session = new Session(auth, {
    // The cookie expires with the token it was made from: renew it with
    // every new access token.
    onToken: async (token) => {
      if (ownsCookie) cookieProblem = await setProxyCookie(cfg.netlifyTokenUrl, token);
    },
    onEnd: (reason) => {
      if (ownsCookie) clearProxyCookie();
      showSignedIn(false);
      document.body.dataset.session = 'ended';
      setStatus(`Your session has ended (${reason}). Sign in again to call the endpoints as yourself; until then they answer as to a visitor.`);
    },
  });
  await session.start();

  $('sign-in').addEventListener('click', () => auth.loginWithRedirect());
  $('sign-out').addEventListener('click', async () => {
    session.stop();
    if (ownsCookie) clearProxyCookie();
    await auth.logout({ logoutParams: { returnTo: redirectURI } });
  });
  $('call-all').addEventListener('click', callEveryEndpoint);
  $('call-all').disabled = false;

  await showWho(cfg);
  if (cookieProblem) setStatus(`${$('status').textContent} ${cookieProblem}`);
  document.body.dataset.ready = 'true';
}

async function loadConfig() {
  const res = await fetch('/spa-config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`/spa-config.json answered ${res.status}`);
  return res.json();
}

function showSignedIn(signedIn) {
  $('sign-in').hidden = signedIn;
  $('sign-out').hidden = !signedIn;
  document.body.dataset.signedIn = String(signedIn);
  if (!signedIn) $('identity').hidden = true;
}

async function showWho(cfg) {
  const token = await session.token();
  showSignedIn(token !== null);
  if (!token) {
    if ($('status').textContent === 'Loading…') setStatus('You are not signed in: only the public endpoints will answer.');
    return;
  }
  // Ask the API rather than decode the token here: what the server
  // verified is what counts.
  const res = await callAPI(cfg, { method: 'GET', path: cfg.mePath, credential: 'bearer' }, token);
  if (!res.ok) {
    setStatus(`Signed in, but ${cfg.mePath} answered ${res.status}.`);
    return;
  }
  const me = await res.json();
  $('sub').textContent = me.sub;
  $('roles').textContent = listOrNone(me.roles);
  $('permissions').textContent = listOrNone(me.permissions);
  $('identity').hidden = false;
  setStatus(`Signed in as ${me.sub}.`);
}

function listOrNone(values) {
  return values && values.length ? values.join(', ') : 'none';
}

function setStatus(text) {
  $('status').textContent = text;
}

function callAPI(cfg, endpoint, token) {
  const headers = {};
  if ((endpoint.credential === 'bearer' || endpoint.credential === 'single-use') && token) {
    headers.Authorization = `Bearer ${token}`;
  }
  return fetch(cfg.apiOrigin + endpoint.path, {
    method: endpoint.method,
    headers,
    cache: 'no-store',
    // Only the proxy-level rows need the nf_jwt cookie; nothing else gets
    // ambient credentials.
    credentials: endpoint.credential === 'cookie' ? 'same-origin' : 'omit',
  });
}

// callEndpoint calls a row's endpoint. A single-use row first trades the
// access token for a token good for one call of that endpoint's action;
// when the API refuses that trade, its answer is the row's result. When the
// session ends on the way (its token could not be renewed), nothing is
// sent: the answer would only be a 401.
async function callEndpoint(cfg, endpoint) {
  let token = null;
  if (endpoint.credential !== 'none') {
    const wasSignedIn = session.signedIn;
    token = await session.token();
    if (wasSignedIn && !token) return { ended: true };
  }
  if (endpoint.credential !== 'single-use') return { res: await callAPI(cfg, endpoint, token) };
  const { tokenPath, target, action } = endpoint.grant;
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const grant = await fetch(cfg.apiOrigin + tokenPath, {
    method: 'POST', headers, body: JSON.stringify({ target, action }), cache: 'no-store', credentials: 'omit',
  });
  if (!grant.ok) return { res: grant, step: `POST ${tokenPath}` };
  const { token: single } = await grant.json();
  return { res: await callAPI(cfg, endpoint, single), step: 'with a single-use token' };
}

// renderEndpoints draws one table per strategy, each under its own
// heading so that a screen-reader user can jump between strategies (a
// caption is not in the headings list).
function renderEndpoints(cfg) {
  const groups = new Map();
  for (const e of cfg.endpoints) {
    if (!groups.has(e.strategy)) groups.set(e.strategy, []);
    groups.get(e.strategy).push(e);
  }
  const root = $('strategies');
  let n = 0;
  for (const [strategy, endpoints] of groups) {
    const id = `strategy-${++n}`;
    // Explicit roles: on narrow screens the CSS lays rows out as blocks,
    // and display:block would otherwise cost the table its semantics.
    const table = el('table', { role: 'table', 'aria-labelledby': id });
    const head = el('tr', { role: 'row' }, ...['Endpoint', 'Who may call', 'Call', 'Result'].map(
      (name) => el('th', { scope: 'col', role: 'columnheader' }, name)));
    table.append(el('thead', { role: 'rowgroup' }, head));
    const body = el('tbody', { role: 'rowgroup' });
    for (const e of endpoints) body.append(endpointRow(cfg, e));
    table.append(body);
    root.append(el('div', { class: 'strategy' }, el('h3', { id }, strategy), table));
  }
}

function endpointRow(cfg, endpoint) {
  const label = `${endpoint.method} ${endpoint.path}`;
  // Each result cell is a live region of its own, so that one press is
  // announced; "Call every endpoint" silences them and announces a summary.
  const result = el('td', { class: 'result', role: 'cell', 'aria-live': 'polite' }, notCalled());
  const button = el('button', { type: 'button', 'aria-label': `Call ${label}` }, 'Call');
  const call = async () => {
    result.textContent = 'Calling…';
    delete result.dataset.status;
    let status = 0;
    let outcome = 'error';
    let detail = '';
    try {
      const { res, step, ended } = await callEndpoint(cfg, endpoint);
      if (ended) {
        result.replaceChildren(el('span', { class: 'badge error' }, 'not sent'), el('span', { class: 'detail' }, 'your session ended: sign in again'));
        result.dataset.outcome = 'ended';
        result.dataset.status = '0';
        return 'ended';
      }
      status = res.status;
      outcome = res.ok ? 'allowed' : status === 401 || status === 403 ? 'denied' : 'error';
      detail = [await errorCode(res), step].filter(Boolean).join(' · ');
      // Netlify answers whoever no role rule lets through with the
      // fallback rule's page, not a JSON error: say which rule refused.
      if (!detail && endpoint.credential === 'cookie' && status === 401) detail = 'no role rule let you in: fallback page';
    } catch {
      // A fetch rejects without a status when the browser blocks the
      // answer (CORS) or cannot reach the server; it says which in the
      // console, which a page cannot read.
      detail = 'no answer: blocked by CORS or unreachable';
    }
    result.replaceChildren(
      el('span', { class: `badge ${outcome}` }, status ? `${status} ${outcome}` : 'failed'),
      el('span', { class: 'detail' }, detail));
    result.dataset.outcome = outcome;
    result.dataset.status = String(status);
    return outcome;
  };
  button.addEventListener('click', () => call());
  const attrs = { role: 'row', 'data-endpoint': label, 'data-credential': endpoint.credential };
  if (endpoint.grant) attrs['data-token-path'] = endpoint.grant.tokenPath;
  const row = el('tr', attrs,
    el('th', { scope: 'row', role: 'rowheader' }, el('code', {}, label)),
    el('td', { class: 'who', role: 'cell', 'data-label': 'Who may call' }, endpoint.who),
    el('td', { class: 'call', role: 'cell' }, button),
    result);
  row.call = call;
  row.result = result;
  return row;
}

// notCalled is what a result cell shows before its first call: a dash to
// the eye, words to a screen reader.
function notCalled() {
  return el('span', { class: 'none' }, el('span', { 'aria-hidden': 'true' }, '—'), el('span', { class: 'visually-hidden' }, 'not called'));
}

// callEveryEndpoint presses every row's button at once and announces one
// summary when all have answered, instead of one announcement per row.
async function callEveryEndpoint() {
  const rows = [...document.querySelectorAll('#strategies tr[data-endpoint]')];
  for (const row of rows) row.result.setAttribute('aria-live', 'off');
  $('call-all').disabled = true;
  $('summary').textContent = '';
  try {
    const outcomes = await Promise.all(rows.map((row) => row.call()));
    const count = (o) => outcomes.filter((x) => x === o).length;
    const parts = [`${count('allowed')} allowed`, `${count('denied')} denied`];
    if (count('error')) parts.push(`${count('error')} failed`);
    if (count('ended')) parts.push(`${count('ended')} not sent (your session ended)`);
    $('summary').textContent = `Called ${rows.length} endpoints: ${parts.join(', ')}.`;
  } finally {
    for (const row of rows) row.result.setAttribute('aria-live', 'polite');
    $('call-all').disabled = false;
  }
}

// errorCode returns the "error" field of a JSON error body, if any.
async function errorCode(res) {
  if (res.ok || !(res.headers.get('Content-Type') || '').includes('json')) return '';
  try {
    const body = await res.json();
    return typeof body.error === 'string' ? body.error : '';
  } catch {
    return '';
  }
}

// Netlify's proxy-level rules read an HS256 Identity token from the nf_jwt
// cookie only: the RS256 access token would verify nowhere, so the page
// trades it at url for an Identity token of the same user and roles, and
// puts that in the cookie until the token expires. The cookie cannot be
// HttpOnly because a script sets it; SameSite=Strict keeps other sites
// from sending it. Returns what went wrong, for the status line, or ''.
async function setProxyCookie(url, accessToken) {
  let res;
  try {
    res = await fetch(url, {
      method: 'POST', headers: { Authorization: `Bearer ${accessToken}` }, cache: 'no-store', credentials: 'omit',
    });
  } catch {
    return 'The proxy-level rows will be denied: the nf_jwt token could not be fetched.';
  }
  if (!res.ok) return `The proxy-level rows will be denied: the nf_jwt token request answered ${res.status}.`;
  const { token, expires_at: expiresAt } = await res.json();
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `nf_jwt=${token}; Path=/; Expires=${new Date(expiresAt).toUTCString()}; SameSite=Strict${secure}`;
  return '';
}

function clearProxyCookie() {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `nf_jwt=; Path=/; Max-Age=0; SameSite=Strict${secure}`;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

main().catch((err) => setStatus(`The page could not start: ${err.message}`));
