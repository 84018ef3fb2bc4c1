import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppAdmin, type AppDetailView, type AppPatch, type AppView, type AppWithSecretView } from '../../auth/apps.js';
import { OperatorError } from '../../errors.js';
import { isShortCode, SHORT_CODE_DIGITS, SHORT_CODE_PATTERN } from '../../sms/address.js';
import { formFlag, formValue, queryValue, seeOther, sessionOf, type ConsoleDeps } from '../context.js';
import { consoleUrl, html, type SafeHtml } from '../html.js';
import { actionForm, csrfField, time } from '../layout.js';

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/** Notices after a redirect, by a fixed code: the query string never carries text of its own. */
const NOTICES: Record<string, string> = {
  updated: 'Settings saved.',
  suspended: 'The app is suspended: its API calls get 403 POL1010.',
  resumed: 'The app is active again.',
  'code-added': 'Short code added.',
  'code-removed': 'Short code removed.',
  deleted: 'App deleted.',
};

function rate(value: string | undefined, field: string): number | null {
  if (value === undefined || value === '') return null;
  if (!/^\d{1,12}$/.test(value)) throw new OperatorError(400, 'invalid_request', `${field} must be a whole number (empty for unlimited)`);
  return Number(value);
}

function optionalUrl(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

function appRow(app: AppView): SafeHtml {
  return html`<tr>
    <td><a href="${consoleUrl(['apps', app.id])}">${app.name}</a></td>
    <td><code>${app.appKey}</code></td>
    <td>${app.realm}</td>
    <td>${app.scopes.join(', ')}</td>
    <td>${app.suspended ? html`<span class="badge bad">suspended</span>` : html`<span class="badge good">active</span>`}</td>
    <td>${time(Date.parse(app.createdAt))}</td>
  </tr>`;
}

function createForm(csrf: string): SafeHtml {
  return html`<form method="post" action="/console/apps" class="card form">
    <h2>New app</h2>
    ${csrfField(csrf)}
    <label>Name <input name="name" required maxlength="100" autocomplete="off"></label>
    <label>Realm <select name="realm"><option value="sandbox">sandbox (http listeners allowed)</option><option value="production">production (https only)</option></select></label>
    <label>Scopes <input name="scopes" value="SMS"></label>
    <label>Delivery status URL <input name="deliveryStatusUrl" type="url" placeholder="https://app.example/dr"></label>
    <div class="pair">
      <label>Messages per second <input name="ratePerSecond" inputmode="numeric" placeholder="unlimited"></label>
      <label>Messages per day <input name="ratePerDay" inputmode="numeric" placeholder="unlimited"></label>
    </div>
    <button type="submit">Create app</button>
  </form>`;
}

/** The one page that shows an App Secret: right after it was created or rotated. */
function secretCard(app: AppWithSecretView, rotated: boolean): SafeHtml {
  return html`<section class="card secret" aria-labelledby="secret-title">
    <h2 id="secret-title">${rotated ? 'New App Secret' : 'App credentials'}</h2>
    <p>Copy the secret now: it is shown only on this page, and only its hash is kept.${rotated ? ' The old secret and every token of the app no longer work.' : ''}</p>
    <dl>
      <dt>App Key (client_id)</dt><dd><code id="app-key">${app.appKey}</code></dd>
      <dt>App Secret (client_secret)</dt><dd><code id="app-secret">${app.appSecret}</code></dd>
    </dl>
    <p><a href="${consoleUrl(['apps', app.id])}">Continue to ${app.name}</a></p>
  </section>`;
}

/*
 * Earlier builds took codes of up to 15 digits, which nothing else in the gateway reads as a
 * short code. Such a code stays registered (and removable) but is marked, since it works nowhere.
 */
const UNUSABLE = `not ${SHORT_CODE_DIGITS.min} to ${SHORT_CODE_DIGITS.max} digits: no handset can text it and no app can poll it; remove it`;

function detail(app: AppDetailView, csrf: string): SafeHtml {
  const base = ['apps', app.id];
  const shortCodes = app.shortCodes.map(
    (sc) => html`<tr>
      <td><code>${sc.shortCode}</code>${!isShortCode(sc.shortCode) && html` <span class="badge bad unusable">unusable</span>`}</td>
      <td>${sc.moDelivery}</td>
      <td class="wrap">${sc.listenerUrl ?? html`<span class="muted">—</span>`}</td>
      <td>${isShortCode(sc.shortCode) ? html`<a href="${consoleUrl(['messages'], { view: 'inbound', app: app.id, shortCode: sc.shortCode })}">inbox</a>` : html`<span class="muted">${UNUSABLE}</span>`}</td>
      <td>${actionForm(consoleUrl([...base, 'short-codes', sc.shortCode, 'remove']), csrf, 'Remove', { danger: true })}</td>
    </tr>`,
  );
  return html`
  <p class="links">
    <a href="${consoleUrl(['messages'], { app: app.id })}">Outbound messages</a>
    <a href="${consoleUrl(['messages'], { view: 'inbound', app: app.id })}">Inbox</a>
    <a href="${consoleUrl(['messages'], { view: 'dead', app: app.id })}">Dead letters</a>
  </p>
  <section class="card">
    <h2>Credentials</h2>
    <dl>
      <dt>App id</dt><dd><code>${app.id}</code></dd>
      <dt>App Key (client_id)</dt><dd><code id="app-key">${app.appKey}</code></dd>
      <dt>App Secret</dt><dd>kept only as a hash — rotate it to get a new one ${actionForm(consoleUrl([...base, 'secret']), csrf, 'Rotate secret', { confirm: 'revoke every token of this app' })}</dd>
      <dt>Webhook signing secret</dt><dd><details><summary>Show</summary><code class="wrap">${app.signingSecret}</code></details></dd>
      <dt>Status</dt><dd>${
        app.suspended
          ? html`<span class="badge bad">suspended</span> ${actionForm(consoleUrl([...base, 'suspend']), csrf, 'Resume', { fields: { suspended: 'false' } })}`
          : html`<span class="badge good">active</span> ${actionForm(consoleUrl([...base, 'suspend']), csrf, 'Suspend', { fields: { suspended: 'true' }, danger: true })}`
      }</dd>
      <dt>Realm</dt><dd>${app.realm}</dd>
    </dl>
  </section>
  <form method="post" action="${consoleUrl([...base, 'settings'])}" class="card form">
    <h2>Settings</h2>
    ${csrfField(csrf)}
    <label>Name <input name="name" value="${app.name}" required maxlength="100"></label>
    <label>Scopes <input name="scopes" value="${app.scopes.join(',')}"></label>
    <label>Delivery status URL <input name="deliveryStatusUrl" type="url" value="${app.deliveryStatusUrl ?? ''}" placeholder="none"></label>
    <div class="pair">
      <label>Messages per second <input name="ratePerSecond" inputmode="numeric" value="${app.ratePerSecond ?? ''}" placeholder="unlimited"></label>
      <label>Messages per day <input name="ratePerDay" inputmode="numeric" value="${app.ratePerDay ?? ''}" placeholder="unlimited"></label>
    </div>
    <button type="submit">Save settings</button>
  </form>
  <section class="card">
    <h2>Short codes</h2>
    ${
      app.shortCodes.length === 0
        ? html`<p class="muted">No short code yet: the app cannot send until it has one.</p>`
        : html`<div class="scroll"><table><thead><tr><th>Short code</th><th>MO delivery</th><th>Listener URL</th><th></th><th></th></tr></thead><tbody>${shortCodes}</tbody></table></div>`
    }
    <form method="post" action="${consoleUrl([...base, 'short-codes'])}" class="form">
      <h3>Add a short code</h3>
      ${csrfField(csrf)}
      <label>Short code <input name="shortCode" required inputmode="numeric" pattern="${SHORT_CODE_PATTERN}" placeholder="22627000"></label>
      <fieldset><legend>MO delivery</legend>
        <label class="radio"><input type="radio" name="moDelivery" value="poll" checked> poll (inbox)</label>
        <label class="radio"><input type="radio" name="moDelivery" value="callback"> callback (listener URL)</label>
      </fieldset>
      <label>Listener URL <input name="listenerUrl" type="url" placeholder="https://app.example/mo"></label>
      <button type="submit">Add short code</button>
    </form>
  </section>
  <section class="card">
    <h2>Delete</h2>
    ${actionForm(consoleUrl([...base, 'delete']), csrf, 'Delete app', { danger: true, confirm: 'delete this app, its tokens and short codes' })}
  </section>`;
}

/** Apps: list and create (secret shown once), details, settings, suspension, rotation, short codes. */
export async function appPages(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { ctx } = deps;
  const admin = new AppAdmin(ctx);
  /** The admin API's rule (webhooks/admin-guard.ts): a URL the notification engine would not call is refused. */
  const checkUrl = (field: string, url: string | null, realm: string) => {
    if (url === null) return;
    const verdict = ctx.webhooks.checkListenerUrl(url, realm);
    if (!verdict.ok) throw new OperatorError(400, 'invalid_request', `${field}: ${verdict.reason}`);
  };
  const realmOf = async (id: string) => (await admin.getApp(id)).realm;

  const listPage = async (request: FastifyRequest, reply: FastifyReply, error?: string, status = 200) => {
    const apps = await admin.listApps();
    const csrf = sessionOf(request).csrfToken;
    const notice = NOTICES[queryValue(request.query, 'done') ?? ''];
    return deps.send(
      request,
      reply,
      {
        title: 'Apps',
        section: 'apps',
        notice,
        error,
        body: html`${
          apps.length === 0
            ? html`<p class="muted">No app yet.</p>`
            : html`<div class="scroll"><table><thead><tr><th>Name</th><th>App Key</th><th>Realm</th><th>Scopes</th><th>Status</th><th>Created (UTC)</th></tr></thead><tbody>${apps.map(appRow)}</tbody></table></div>`
        }${createForm(csrf)}`,
      },
      status,
    );
  };

  const detailPage = async (request: IdRequest, reply: FastifyReply, error?: string, status = 200) => {
    const view = await admin.getApp(request.params.id);
    const notice = NOTICES[queryValue(request.query, 'done') ?? ''];
    return deps.send(request, reply, { title: view.name, section: 'apps', notice, error, body: detail(view, sessionOf(request).csrfToken) }, status);
  };

  /** Runs a change; an operator mistake (400/409) shows the page again with its message. */
  const attempt = async (request: IdRequest, reply: FastifyReply, change: () => Promise<string>) => {
    try {
      return seeOther(reply, await change());
    } catch (err) {
      if (err instanceof OperatorError && (err.status === 400 || err.status === 409)) return detailPage(request, reply, err.message, err.status);
      throw err;
    }
  };

  app.get('/apps', (request, reply) => listPage(request, reply));

  app.post('/apps', async (request, reply) => {
    const body = request.body;
    try {
      const deliveryStatusUrl = optionalUrl(formValue(body, 'deliveryStatusUrl'));
      const realm = formValue(body, 'realm') ?? 'sandbox';
      checkUrl('deliveryStatusUrl', deliveryStatusUrl, realm);
      const created = await admin.createApp({
        name: formValue(body, 'name') ?? '',
        realm,
        scopes: formValue(body, 'scopes') || 'SMS',
        deliveryStatusUrl,
        ratePerSecond: rate(formValue(body, 'ratePerSecond'), 'Messages per second'),
        ratePerDay: rate(formValue(body, 'ratePerDay'), 'Messages per day'),
      });
      return deps.send(request, reply, { title: `App ${created.name} created`, section: 'apps', body: secretCard(created, false) }, 201);
    } catch (err) {
      if (err instanceof OperatorError && err.status === 400) return listPage(request, reply, err.message, 400);
      throw err;
    }
  });

  app.get<{ Params: { id: string } }>('/apps/:id', (request, reply) => detailPage(request, reply));

  app.post<{ Params: { id: string } }>('/apps/:id/settings', (request, reply) =>
    attempt(request, reply, async () => {
      const body = request.body;
      const patch: AppPatch = {
        name: formValue(body, 'name') ?? '',
        scopes: formValue(body, 'scopes') ?? '',
        deliveryStatusUrl: optionalUrl(formValue(body, 'deliveryStatusUrl')),
        ratePerSecond: rate(formValue(body, 'ratePerSecond'), 'Messages per second'),
        ratePerDay: rate(formValue(body, 'ratePerDay'), 'Messages per day'),
      };
      checkUrl('deliveryStatusUrl', patch.deliveryStatusUrl ?? null, await realmOf(request.params.id));
      await admin.updateApp(request.params.id, patch);
      return consoleUrl(['apps', request.params.id], { done: 'updated' });
    }),
  );

  app.post<{ Params: { id: string } }>('/apps/:id/suspend', (request, reply) =>
    attempt(request, reply, async () => {
      const suspended = formFlag(request.body, 'suspended');
      if (suspended === undefined) throw new OperatorError(400, 'invalid_request', 'suspended must be true or false.');
      await admin.updateApp(request.params.id, { suspended });
      return consoleUrl(['apps', request.params.id], { done: suspended ? 'suspended' : 'resumed' });
    }),
  );

  app.post<{ Params: { id: string } }>('/apps/:id/secret', async (request, reply) => {
    if (formValue(request.body, 'confirm') !== 'yes') return detailPage(request, reply, 'Tick the box to confirm the rotation.', 400);
    const rotated = await admin.rotateSecret(request.params.id);
    return deps.send(request, reply, { title: `${rotated.name}: secret rotated`, section: 'apps', body: secretCard(rotated, true) });
  });

  app.post<{ Params: { id: string } }>('/apps/:id/short-codes', (request, reply) =>
    attempt(request, reply, async () => {
      const body = request.body;
      const listenerUrl = optionalUrl(formValue(body, 'listenerUrl'));
      const moDelivery = formValue(body, 'moDelivery') ?? (listenerUrl === null ? 'poll' : 'callback');
      // A listener URL typed in while "poll" is chosen is dropped rather than refused: the mode decides.
      const listener = moDelivery === 'poll' ? null : listenerUrl;
      checkUrl('listenerUrl', listener, await realmOf(request.params.id));
      await admin.addShortCode(request.params.id, { shortCode: formValue(body, 'shortCode') ?? '', moDelivery, listenerUrl: listener });
      return consoleUrl(['apps', request.params.id], { done: 'code-added' });
    }),
  );

  app.post<{ Params: { id: string; code: string } }>('/apps/:id/short-codes/:code/remove', async (request, reply) => {
    await admin.removeShortCode(request.params.id, request.params.code);
    return seeOther(reply, consoleUrl(['apps', request.params.id], { done: 'code-removed' }));
  });

  app.post<{ Params: { id: string } }>('/apps/:id/delete', async (request, reply) => {
    if (formValue(request.body, 'confirm') !== 'yes') return detailPage(request, reply, 'Tick the box to confirm the deletion.', 400);
    await admin.deleteApp(request.params.id);
    return seeOther(reply, consoleUrl(['apps'], { done: 'deleted' }));
  });
}
