import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OperatorError } from '../../errors.js';
import { parseShortCode, toE164, toTelUri } from '../../sms/address.js';
import type { ConsoleFilter, OutboundView } from '../../store/repos/console.js';
import type { InboxMessage, UnroutedMo } from '../../store/repos/inbox.js';
import { FINAL_STATUSES, type DeliveryStatus } from '../../store/repos/messages.js';
import type { DeadLetter } from '../../store/repos/notifications.js';
import { formValue, queryValue, safeNext, seeOther, sessionOf, type ConsoleDeps } from '../context.js';
import { consoleUrl, html, type SafeHtml } from '../html.js';
import { actionForm, time } from '../layout.js';
import { sendLive } from '../live.js';

const PAGE_SIZE = 100;
const VIEWS = ['outbound', 'inbound', 'dead'] as const;
type View = (typeof VIEWS)[number];
const STATUSES: readonly DeliveryStatus[] = ['Pending', 'DeliveredToNetwork', ...FINAL_STATUSES];

interface Filters {
  readonly view: View;
  /** The query as given, to fill the form again. */
  readonly raw: Record<string, string | undefined>;
  readonly filter: ConsoleFilter;
}

/** `2026-11-25T21:02` (a datetime-local field, read as UTC) or a full ISO time. */
function instant(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(/Z$|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(ms)) throw new OperatorError(400, 'invalid_request', `${name} is not a time (use YYYY-MM-DDTHH:MM, UTC)`);
  return ms;
}

function filtersOf(query: unknown): Filters {
  const raw = Object.fromEntries(['view', 'app', 'shortCode', 'number', 'status', 'since', 'until'].map((k) => [k, queryValue(query, k)]));
  const view = VIEWS.find((v) => v === raw.view) ?? 'outbound';
  const filter: { -readonly [K in keyof ConsoleFilter]: ConsoleFilter[K] } = { limit: PAGE_SIZE };
  if (raw.app !== undefined) filter.appId = raw.app;
  if (raw.shortCode !== undefined) {
    const code = parseShortCode(raw.shortCode);
    if (code === null) throw new OperatorError(400, 'invalid_request', 'Short code must be digits, e.g. 22627000');
    filter.shortCode = code;
  }
  if (raw.number !== undefined) {
    const e164 = toE164(raw.number);
    if (e164 === null) throw new OperatorError(400, 'invalid_request', 'Number must be a US mobile number, e.g. 4255550100');
    filter.number = e164;
  }
  if (raw.status !== undefined) {
    const status = STATUSES.find((s) => s === raw.status);
    if (status === undefined) throw new OperatorError(400, 'invalid_request', `Status must be one of ${STATUSES.join(', ')}`);
    filter.status = status;
  }
  const since = instant(raw.since, 'From');
  const until = instant(raw.until, 'Until');
  if (since !== undefined) filter.since = since;
  if (until !== undefined) filter.until = until;
  return { view, raw, filter };
}

/** Final ones in their colours (uncertain in the badge's own grey: the network never said); open ones wait. */
const TONES: Record<DeliveryStatus, string> = { Pending: 'wait', DeliveredToNetwork: 'wait', DeliveredToTerminal: 'good', DeliveryImpossible: 'bad', DeliveryUncertain: '' };

function statusBadge(status: DeliveryStatus): SafeHtml {
  return html`<span class="badge ${TONES[status]}">${status}</span>`;
}

function outboundTable(messages: readonly OutboundView[], apps: ReadonlyMap<string, string>): SafeHtml {
  if (messages.length === 0) return html`<p class="muted">No outbound message matches.</p>`;
  return html`<div class="scroll"><table class="messages"><thead><tr><th>Sent (UTC)</th><th>App</th><th>From</th><th>Recipients</th><th>Text</th><th>Encoding</th><th>Segments</th><th>Id</th></tr></thead><tbody>
  ${messages.map(
    (m) => html`<tr>
      <td>${time(m.createdAt)}</td>
      <td><a href="${consoleUrl(['apps', m.appId])}">${apps.get(m.appId) ?? m.appId}</a><br><span class="muted">${m.api}</span></td>
      <td><code>${m.sender}</code></td>
      <td><ul class="recipients">${m.recipients.map((r) => html`<li><a href="${consoleUrl(['handsets', r.e164.slice(1)])}">${r.addressOriginal}</a> ${statusBadge(r.status)}</li>`)}</ul></td>
      <td class="text">${m.text}</td>
      <td>${m.encoding}</td>
      <td>${m.segments}</td>
      <td><code>${m.id}</code></td>
    </tr>`,
  )}</tbody></table></div>`;
}

function inboxTable(messages: readonly InboxMessage[], apps: ReadonlyMap<string, string>): SafeHtml {
  if (messages.length === 0) return html`<p class="muted">No MO message waits in a poll inbox.</p>`;
  return html`<div class="scroll"><table class="messages"><thead><tr><th>Received (UTC)</th><th>App</th><th>Short code</th><th>From</th><th>Text</th><th>Id</th></tr></thead><tbody>
  ${messages.map(
    (m) => html`<tr>
      <td>${time(m.receivedAt)}</td>
      <td><a href="${consoleUrl(['apps', m.appId])}">${apps.get(m.appId) ?? m.appId}</a></td>
      <td><code>${m.shortCode}</code></td>
      <td><a href="${consoleUrl(['handsets', m.sender.slice(1)])}">${toTelUri(m.sender)}</a></td>
      <td class="text">${m.text}</td>
      <td><code>${m.id}</code></td>
    </tr>`,
  )}</tbody></table></div>`;
}

function unroutedTable(messages: readonly UnroutedMo[]): SafeHtml {
  if (messages.length === 0) return html`<p class="muted">None.</p>`;
  return html`<div class="scroll"><table class="messages"><thead><tr><th>Received (UTC)</th><th>Short code</th><th>From</th><th>Text</th><th>Why</th></tr></thead><tbody>
  ${messages.map((m) => html`<tr><td>${time(m.receivedAt)}</td><td><code>${m.shortCode}</code></td><td>${toTelUri(m.sender)}</td><td class="text">${m.text}</td><td>${m.reason}</td></tr>`)}
  </tbody></table></div>`;
}

function deadTable(letters: readonly DeadLetter[], apps: ReadonlyMap<string, string>, csrf: string, back: string): SafeHtml {
  if (letters.length === 0) return html`<p class="muted">No dead-lettered notification.</p>`;
  return html`<div class="scroll"><table class="messages"><thead><tr><th>Created (UTC)</th><th>App</th><th>Kind</th><th>Short code</th><th>URL</th><th>Attempts</th><th>Last error</th><th>Body</th><th></th></tr></thead><tbody>
  ${letters.map(
    (d) => html`<tr class="dead-letter">
      <td>${time(d.createdAt)}</td>
      <td><a href="${consoleUrl(['apps', d.appId])}">${apps.get(d.appId) ?? d.appId}</a></td>
      <td>${d.kind === 'mo' ? 'MO message' : 'delivery status'}</td>
      <td>${d.shortCode ?? ''}</td>
      <td class="wrap">${d.url}</td>
      <td>${d.attempts}</td>
      <td class="wrap">${d.lastError ?? ''}</td>
      <td><details><summary>${d.contentType}</summary><pre>${d.body}</pre></details></td>
      <td>${actionForm('/console/dead-letters/replay', csrf, 'Replay', { fields: { app: d.appId, id: d.id, back } })}</td>
    </tr>`,
  )}</tbody></table></div>`;
}

function filterForm(f: Filters, apps: ReadonlyMap<string, string>): SafeHtml {
  const { raw, view } = f;
  return html`<form method="get" action="/console/messages" class="filters">
    <input type="hidden" name="view" value="${view}">
    <label>App <select name="app"><option value="">any</option>${[...apps].map(([id, name]) => html`<option value="${id}"${raw.app === id ? html` selected` : ''}>${name}</option>`)}</select></label>
    <label>Short code <input name="shortCode" value="${raw.shortCode ?? ''}" inputmode="numeric" size="10"></label>
    <label>Number <input name="number" value="${raw.number ?? ''}" inputmode="tel" size="14"></label>
    ${view === 'outbound' && html`<label>Status <select name="status"><option value="">any</option>${STATUSES.map((s) => html`<option${raw.status === s ? html` selected` : ''}>${s}</option>`)}</select></label>`}
    <label>From (UTC) <input type="datetime-local" name="since" value="${raw.since ?? ''}"></label>
    <label>Until (UTC) <input type="datetime-local" name="until" value="${raw.until ?? ''}"></label>
    <button type="submit">Filter</button>
  </form>`;
}

/** What a replay's redirect (`done=`) tells the operator. */
const NOTICES: ReadonlyMap<string, string> = new Map([
  ['replayed', 'Replayed: the notification is being sent again with a fresh retry window.'],
  ['inbox', 'Replayed: the short code takes MO messages by polling now, so the message is in its inbox.'],
]);

/** Messages: outbound with per-recipient states, inbound waiting in inboxes (and unrouted), dead letters with replay. */
export async function messagePages(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { ctx } = deps;

  const appNames = async () => new Map((await ctx.store.apps.list()).map((a) => [a.id, a.name] as const));

  /** The list part of the page (also served alone for live updates). */
  const list = async (f: Filters, apps: ReadonlyMap<string, string>, csrf: string, back: string): Promise<SafeHtml> => {
    switch (f.view) {
      case 'outbound':
        return outboundTable(await ctx.store.console.outbound(f.filter), apps);
      case 'inbound': {
        const waiting = inboxTable(await ctx.store.console.inbox(f.filter), apps);
        // Unrouted messages belong to no app; they show when no app is picked.
        if (f.filter.appId !== undefined) return waiting;
        return html`${waiting}<h2>Unrouted</h2>${unroutedTable(await ctx.store.console.unrouted(f.filter))}`;
      }
      case 'dead':
        return deadTable(await ctx.store.console.deadLetters(f.filter), apps, csrf, back);
    }
  };

  app.get('/messages', async (request: FastifyRequest, reply: FastifyReply) => {
    const apps = await appNames();
    const csrf = sessionOf(request).csrfToken;
    let f: Filters;
    try {
      f = filtersOf(request.query);
    } catch (err) {
      if (!(err instanceof OperatorError)) throw err;
      const fallback = { view: 'outbound' as const, raw: {}, filter: { limit: PAGE_SIZE } };
      return deps.send(request, reply, { title: 'Messages', section: 'messages', error: err.message, body: filterForm(fallback, apps) }, 400);
    }
    // Where a replay returns to: this page, never its live fragment.
    const back = consoleUrl(['messages'], { ...f.raw, view: f.view });
    const content = await list(f, apps, csrf, back);
    if (queryValue(request.query, 'fragment') === 'list') return sendLive(request, reply, content);
    const tabs = VIEWS.map((v) => {
      const label = v === 'outbound' ? 'Outbound' : v === 'inbound' ? 'Inbound' : 'Dead letters';
      const href = consoleUrl(['messages'], { ...f.raw, view: v, status: v === 'outbound' ? f.raw.status : undefined });
      return html`<a href="${href}"${v === f.view ? html` aria-current="page"` : ''}>${label}</a>`;
    });
    const liveUrl = consoleUrl(['messages'], { ...f.raw, view: f.view, fragment: 'list' });
    const appName = f.filter.appId === undefined ? undefined : apps.get(f.filter.appId);
    const title = appName === undefined ? 'Messages' : `Messages of ${appName}`;
    const notice = NOTICES.get(queryValue(request.query, 'done') ?? '');
    return deps.send(request, reply, {
      title,
      section: 'messages',
      notice,
      body: html`<nav class="tabs" aria-label="Message lists">${tabs}</nav>
        ${filterForm(f, apps)}
        <div id="list" data-live="${liveUrl}" data-interval="2000">${content}</div>`,
    });
  });

  app.post('/dead-letters/replay', async (request, reply) => {
    const appId = formValue(request.body, 'app') ?? '';
    const id = formValue(request.body, 'id') ?? '';
    const replayed = await ctx.webhooks.replay(appId, id);
    if (replayed === undefined) throw new OperatorError(404, 'not_found', 'No such dead letter (already replayed?)');
    // Only back to a console page: the field is the form's own, but a forged one must not redirect
    // elsewhere. It is sent as checked, never normalised: as a URL's path `/console/..//evil.example/`
    // became `//evil.example/`, another host to a browser.
    const back = safeNext(formValue(request.body, 'back'), consoleUrl(['messages'], { view: 'dead' }));
    return seeOther(reply, `${back}${back.includes('?') ? '&' : '?'}done=${replayed.state === 'inbox' ? 'inbox' : 'replayed'}`);
  });
}
