import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OperatorError } from '../../errors.js';
import { SimulatorError, type SimulatedNetwork } from '../../network/simulator/network.js';
import { parseShortCode, toE164, toTelUri } from '../../sms/address.js';
import { MAX_MESSAGE_CHARS } from '../../sms/segment.js';
import type { ThreadMessage } from '../../store/repos/console.js';
import type { HandsetKind, HandsetRecord } from '../../store/repos/handsets.js';
import { formFlag, formValue, queryValue, seeOther, sessionOf, type ConsoleDeps } from '../context.js';
import { consoleUrl, html, type SafeHtml } from '../html.js';
import { csrfField, time } from '../layout.js';
import { sendLive } from '../live.js';

const THREAD_SIZE = 100;
const KINDS: readonly HandsetKind[] = ['mobile', 'landline', 'offnet'];
type NumberRequest = FastifyRequest<{ Params: { number: string } }>;

/** The handset of a URL segment: E.164 digits without the `+` (any address form is accepted). */
function numberOf(raw: string): string {
  const e164 = toE164(raw);
  if (e164 === null) throw new OperatorError(404, 'not_found', `${raw} is not a US mobile number`);
  return e164;
}

const handsetUrl = (e164: string, ...rest: string[]) => consoleUrl(['handsets', e164.replace(/^\+/, ''), ...rest]);

function bubble(m: ThreadMessage): SafeHtml {
  const mt = m.direction === 'MT';
  return html`<li class="bubble ${mt ? 'mt' : 'mo'}" data-id="${m.id}">
    <p>${m.text}</p>
    <p class="meta">${mt ? `from ${m.peer}` : `to ${m.peer}`} · ${time(m.receivedAt)} · ${m.encoding}${m.segments > 1 ? ` · ${m.segments} parts` : ''}</p>
  </li>`;
}

/** The message thread: what the handset received (left) and sent (right), oldest first. */
function thread(messages: readonly ThreadMessage[]): SafeHtml {
  if (messages.length === 0) return html`<p class="muted empty">No messages yet.</p>`;
  return html`<ol class="thread-list">${messages.map(bubble)}</ol>`;
}

function stateLabel(h: HandsetRecord): SafeHtml {
  if (h.kind !== 'mobile') return html`<span class="badge bad">${h.kind === 'landline' ? 'landline' : 'off-net'}</span>`;
  return h.online ? html`<span class="badge good">on</span>` : html`<span class="badge wait">switched off</span>`;
}

/** Simulated network: handsets that look like a phone's message thread, with compose and switches. */
export async function handsetPages(app: FastifyInstance, deps: ConsoleDeps, sim: SimulatedNetwork): Promise<void> {
  const { ctx } = deps;

  const shortCodes = async (): Promise<string[]> => {
    const apps = await ctx.store.apps.list();
    const codes = await Promise.all(apps.map((a) => ctx.store.shortCodes.listByApp(a.id)));
    return codes.flat().map((c) => c.code);
  };

  const handsetPage = async (request: NumberRequest, reply: FastifyReply, error?: string, status = 200) => {
    const e164 = numberOf(request.params.number);
    const csrf = sessionOf(request).csrfToken;
    const [handset, messages, codes] = await Promise.all([sim.handset(e164), ctx.store.console.thread(e164, THREAD_SIZE), shortCodes()]);
    const lastTo = [...messages].reverse().find((m) => m.direction === 'MO')?.peer ?? [...messages].reverse().find((m) => m.direction === 'MT')?.peer;
    const to = formValue(request.body, 'to') ?? lastTo ?? codes[0] ?? '';
    const body = html`<div class="phone">
      <div class="phone-head">
        <strong>${toTelUri(e164)}</strong> ${stateLabel(handset)}
      </div>
      <section id="thread" class="thread" aria-live="polite" data-live="${handsetUrl(e164, 'thread')}" data-interval="1000" data-scroll="bottom">${thread(messages)}</section>
      <form method="post" action="${handsetUrl(e164, 'send')}" class="compose">
        ${csrfField(csrf)}
        <label>To <input name="to" list="short-codes" value="${to}" required inputmode="numeric" size="10"></label>
        <datalist id="short-codes">${codes.map((c) => html`<option value="${c}">`)}</datalist>
        <label class="grow">Message <textarea name="text" rows="2" required maxlength="${MAX_MESSAGE_CHARS}"></textarea></label>
        <button type="submit">Send</button>
      </form>
    </div>
    <section class="card switches">
      <h2>Switches</h2>
      <form method="post" action="${handsetUrl(e164, 'state')}" class="inline">
        ${csrfField(csrf)}<input type="hidden" name="online" value="${handset.online ? 'false' : 'true'}">
        <button type="submit" class="secondary">${handset.online ? 'Switch off' : 'Switch on'}</button>
      </form>
      <form method="post" action="${handsetUrl(e164, 'state')}" class="inline">
        ${csrfField(csrf)}
        <label>Number is <select name="kind">${KINDS.map((k) => html`<option value="${k}"${k === handset.kind ? html` selected` : ''}>${k === 'offnet' ? 'off-net' : k}</option>`)}</select></label>
        <button type="submit" class="secondary">Set</button>
      </form>
      <p class="muted">Switched off: messages wait and are retried until the network retry window ends. Landline or off-net: Send SMS refuses the number (SVC0001).</p>
    </section>`;
    return deps.send(request, reply, { title: 'Handset', section: 'handsets', error, body }, status);
  };

  app.get('/handsets', async (request, reply) => {
    const open = queryValue(request.query, 'number');
    if (open !== undefined) {
      const e164 = toE164(open);
      if (e164 !== null) return seeOther(reply, handsetUrl(e164));
    }
    const [recent, changed] = await Promise.all([ctx.store.console.recentHandsets(50), ctx.store.console.changedHandsets(50)]);
    const body = html`<form method="get" action="/console/handsets" class="filters">
        <label>Number <input name="number" inputmode="tel" required placeholder="4255550100" value="${open ?? ''}"></label>
        <button type="submit">Open handset</button>
      </form>
      <section class="card"><h2>Recently active</h2>${
        recent.length === 0
          ? html`<p class="muted">No handset has received or sent a message yet.</p>`
          : html`<ul class="handsets">${recent.map((n) => html`<li><a href="${handsetUrl(n)}">${toTelUri(n)}</a></li>`)}</ul>`
      }</section>
      <section class="card"><h2>Changed by an operator</h2>${
        changed.length === 0
          ? html`<p class="muted">Every number is an on-line AT&amp;T mobile.</p>`
          : html`<ul class="handsets">${changed.map((h) => html`<li><a href="${handsetUrl(h.number)}">${toTelUri(h.number)}</a> ${stateLabel(h)}</li>`)}</ul>`
      }</section>`;
    return deps.send(request, reply, { title: 'Handsets', section: 'handsets', error: open !== undefined ? `${open} is not a US mobile number` : undefined, body }, open !== undefined ? 400 : 200);
  });

  app.get<{ Params: { number: string } }>('/handsets/:number', (request, reply) => handsetPage(request, reply));

  app.get<{ Params: { number: string } }>('/handsets/:number/thread', async (request, reply) => {
    const messages = await ctx.store.console.thread(numberOf(request.params.number), THREAD_SIZE);
    return sendLive(request, reply, thread(messages));
  });

  app.post<{ Params: { number: string } }>('/handsets/:number/send', async (request, reply) => {
    const e164 = numberOf(request.params.number);
    const to = parseShortCode(formValue(request.body, 'to') ?? '');
    const text = formValue(request.body, 'text') ?? '';
    if (to === null) return handsetPage(request, reply, 'To must be a short code such as 22627000.', 400);
    if (text === '') return handsetPage(request, reply, 'Write a message first.', 400);
    if (text.length > MAX_MESSAGE_CHARS) return handsetPage(request, reply, `A message has at most ${MAX_MESSAGE_CHARS} characters.`, 400);
    try {
      await sim.sendMo(e164, to, text);
    } catch (err) {
      if (err instanceof SimulatorError) return handsetPage(request, reply, err.message, 409);
      throw err;
    }
    return seeOther(reply, handsetUrl(e164));
  });

  app.post<{ Params: { number: string } }>('/handsets/:number/state', async (request, reply) => {
    const e164 = numberOf(request.params.number);
    let online: boolean | undefined;
    try {
      online = formFlag(request.body, 'online');
    } catch (err) {
      if (err instanceof OperatorError) return handsetPage(request, reply, err.message, err.status);
      throw err;
    }
    const kindValue = formValue(request.body, 'kind');
    const kind = KINDS.find((k) => k === kindValue);
    if (kindValue !== undefined && kind === undefined) return handsetPage(request, reply, `kind must be one of ${KINDS.join(', ')}.`, 400);
    if (online === undefined && kind === undefined) return handsetPage(request, reply, 'Nothing to change.', 400);
    await sim.updateHandset(e164, { ...(online === undefined ? {} : { online }), ...(kind === undefined ? {} : { kind }) });
    return seeOther(reply, handsetUrl(e164));
  });
}
