import type { FastifyInstance } from 'fastify';
import type { LinkStats } from '../../network/smpp/link.js';
import { queryValue, type ConsoleDeps } from '../context.js';
import { html, type SafeHtml } from '../html.js';
import { time } from '../layout.js';
import { sendLive } from '../live.js';

/** Submits per second of each link between two looks at the page (or its live fragment). */
class Throughput {
  #last = new Map<string, { at: number; submitted: number }>();

  rate(link: LinkStats, now: number): number | undefined {
    const last = this.#last.get(link.name);
    this.#last.set(link.name, { at: now, submitted: link.submitted });
    if (last === undefined || now - last.at < 500 || link.submitted < last.submitted) return undefined;
    return ((link.submitted - last.submitted) * 1000) / (now - last.at);
  }
}

const yesNo = (v: boolean) => (v ? html`<span class="badge good">yes</span>` : html`<span class="badge bad">no</span>`);

/** Network links: SMPP binds with window, throughput and reconnects; the simulator and its SMPP face. */
export async function networkPages(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { ctx } = deps;
  const throughput = new Throughput();

  const content = async (): Promise<SafeHtml> => {
    const now = ctx.clock.now();
    const backlog = await ctx.store.jobs.backlog(now);
    const summary = html`<section class="card"><h2>Summary</h2><dl>
      <dt>Network</dt><dd>${ctx.config.network === 'smpp' ? 'SMPP 3.4 (SMSC)' : 'simulated network'}</dd>
      <dt>Link</dt><dd>${ctx.networkUp() ? html`<span class="badge good">up</span>` : html`<span class="badge bad">down</span>`}</dd>
      <dt>Jobs due</dt><dd>${backlog.ready}${backlog.ready > 0 ? ` (oldest waiting ${Math.round(backlog.oldestDueMs / 1000)} s)` : ''}</dd>
    </dl></section>`;

    let smpp: SafeHtml = html``;
    if (ctx.smpp !== undefined) {
      const report = await ctx.smpp.report();
      const limit = ctx.config.smpp.throughputPerSecond;
      smpp = html`<section class="card"><h2>SMSC ${report.smsc}</h2>
        <div class="scroll"><table><thead><tr><th>Link</th><th>Mode</th><th>Bound</th><th>Receiver</th><th>Window in use</th><th>Queued</th><th>Submitted</th><th>Throughput</th><th>Throttled</th><th>Refused</th><th>Reconnects</th><th>Timeouts</th><th>Paused until</th><th>Last error</th></tr></thead><tbody>
        ${report.links.map((l) => {
          const rate = throughput.rate(l, now);
          return html`<tr>
            <td><code>${l.name}</code></td><td>${l.mode}</td><td>${yesNo(l.bound)}</td><td>${yesNo(l.receiverBound)}</td>
            <td>${l.windowInUse} / ${l.windowSize}</td><td>${l.queued}</td><td>${l.submitted}</td>
            <td>${rate === undefined ? '—' : `${rate.toFixed(1)}/s`}${limit > 0 ? html` <span class="muted">(limit ${limit}/s)</span>` : ''}</td>
            <td>${l.throttled}</td><td>${l.refused}</td><td>${l.reconnects}</td><td>${l.responseTimeouts}</td>
            <td>${l.pausedUntil === null ? '' : time(l.pausedUntil)}</td><td class="wrap">${l.lastError ?? ''}</td>
          </tr>`;
        })}
        </tbody></table></div>
        <h3>Receipts</h3>
        <dl>
          <dt>Received</dt><dd>${report.receipts.received}</dd>
          <dt>Matched</dt><dd>${report.receipts.matched} (late ${report.receipts.matchedLate})</dd>
          <dt>Settled without receipt</dt><dd>${report.receipts.settledUncertain} uncertain, ${report.receipts.settledByGrace} delivered (part grace)</dd>
          <dt>Held, unmatched</dt><dd>${report.receipts.held}, ${report.receipts.unmatched}</dd>
          <dt>Unreadable</dt><dd>${report.receipts.unreadable}</dd>
          <dt>MO received</dt><dd>${report.mo}</dd>
        </dl>
      </section>`;
    }

    const face = ctx.simSmsc?.stats();
    const simFace =
      face === undefined
        ? html``
        : html`<section class="card"><h2>Simulated network's SMSC (SMPP port ${face.port})</h2>
          <dl><dt>submit_sm received</dt><dd>${face.submits}</dd><dt>Messages</dt><dd>${face.messages}</dd><dt>deliver_sm sent</dt><dd>${face.deliverSmSent}</dd></dl>
          ${
            face.binds.length === 0
              ? html`<p class="muted">No ESME bound.</p>`
              : html`<div class="scroll"><table><thead><tr><th>system_id</th><th>Bind</th><th>Peer</th></tr></thead><tbody>${face.binds.map(
                  (b) => html`<tr><td><code>${b.systemId}</code></td><td>${b.type}</td><td>${b.peer}</td></tr>`,
                )}</tbody></table></div>`
          }</section>`;
    return html`${summary}${smpp}${simFace}`;
  };

  app.get('/network', async (request, reply) => {
    const body = await content();
    if (queryValue(request.query, 'fragment') === 'links') return sendLive(request, reply, body);
    return deps.send(request, reply, {
      title: 'Network',
      section: 'network',
      body: html`<div data-live="/console/network?fragment=links" data-interval="2000">${body}</div>`,
    });
  });
}
