import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../context.js';
import { OperatorError } from '../../errors.js';
import { SimulatorError } from '../../network/simulator/network.js';
import { HANDSET_MESSAGE_ID, type HandsetKind } from '../../store/repos/handsets.js';
import { parseShortCode, toE164, toTelUri } from '../../sms/address.js';
import { MAX_MESSAGE_CHARS } from '../../sms/segment.js';
import { listLimit, MAX_LIST_LIMIT } from '../list-limit.js';
import { jsonBodiesOnly } from '../representation.js';
import { fromOwnOrigin } from '../same-origin.js';

const KINDS: readonly HandsetKind[] = ['mobile', 'landline', 'offnet'];

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `{number}` in any address form the API accepts (`tel%3A%2B14255550100`, `14255550100`, …). */
function handsetNumber(raw: string): string {
  const e164 = toE164(raw);
  if (e164 === null) throw new OperatorError(400, 'invalid_number', `not a ten-digit US number: ${raw}`);
  return e164;
}

function simulatorRefusal(err: unknown): never {
  if (err instanceof SimulatorError) {
    throw new OperatorError(err.code === 'network_down' ? 503 : 409, err.code, err.message);
  }
  throw err;
}

/**
 * `/sim/v1`: drive the simulated network's virtual handsets (design.md §3). Registered only when
 * the gateway runs on the simulated network.
 *
 * It takes no token, so a browser must not be made to drive it: bodies are JSON only (a JSON
 * post from another origin needs a CORS preflight, which the gateway never grants), and a change
 * a browser sends from another site's page is refused outright.
 */
export async function simRoutes(app: FastifyInstance, { ctx }: { ctx: GatewayContext }): Promise<void> {
  const sim = ctx.outbound.simulator;
  if (sim === undefined) return;

  jsonBodiesOnly(app);
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && !fromOwnOrigin(ctx.config, request)) {
      throw new OperatorError(403, 'forbidden', 'a browser page of another origin may not drive the simulated network');
    }
  });

  /**
   * The MT messages the handset received, reassembled, oldest first: `limit` (default and at most
   * 1000) from the oldest, or from the one after `after`; `next` is the path of the rest, when
   * there is more.
   */
  app.get<{ Params: { number: string }; Querystring: Record<string, unknown> }>('/sim/v1/handsets/:number/messages', async (request) => {
    const number = handsetNumber(request.params.number);
    const limit = listLimit(request.query, MAX_LIST_LIMIT);
    const after = request.query.after;
    if (after !== undefined && (typeof after !== 'string' || !HANDSET_MESSAGE_ID.test(after))) {
      throw new OperatorError(400, 'invalid_request', '"after" must be the id of a message in this list');
    }
    const page = await sim.receivedMessages(number, { after, limit });
    const last = page.messages.at(-1);
    return {
      messages: page.messages.map((m) => ({
        id: m.id,
        from: m.peer,
        text: m.text,
        encoding: m.encoding,
        segments: m.segments,
        receivedAt: new Date(m.receivedAt).toISOString(),
      })),
      ...(page.more && last !== undefined ? { next: `/sim/v1/handsets/${encodeURIComponent(number)}/messages?after=${last.id}&limit=${limit}` } : {}),
    };
  });

  /** The handset texts a short code: `{"to":"22627000","text":"Hello"}` → 202. */
  app.post<{ Params: { number: string } }>('/sim/v1/handsets/:number/messages', async (request, reply) => {
    const from = handsetNumber(request.params.number);
    const body = request.body;
    if (!isObject(body)) throw new OperatorError(400, 'invalid_request', 'expected a JSON object {"to","text"}');
    const to = typeof body.to === 'string' || typeof body.to === 'number' ? parseShortCode(String(body.to)) : null;
    if (to === null) throw new OperatorError(400, 'invalid_request', '"to" must be a short code such as "22627000"');
    const text = body.text;
    if (typeof text !== 'string' || text === '') throw new OperatorError(400, 'invalid_request', '"text" must be a non-empty string');
    if (text.length > MAX_MESSAGE_CHARS) throw new OperatorError(400, 'invalid_request', `"text" is longer than ${MAX_MESSAGE_CHARS} characters`);
    const mo = await sim.sendMo(from, to, text).catch(simulatorRefusal);
    return reply.code(202).send({ message: { from: toTelUri(mo.from), to: mo.to, text: mo.text, receivedAt: new Date(mo.receivedAt).toISOString() } });
  });

  /** `{"online":false}` switches the handset off; `{"kind":"landline"|"offnet"|"mobile"}` changes what it is. */
  app.put<{ Params: { number: string } }>('/sim/v1/handsets/:number', async (request) => {
    const number = handsetNumber(request.params.number);
    const body = request.body;
    if (!isObject(body)) throw new OperatorError(400, 'invalid_request', 'expected a JSON object {"online"?, "kind"?}');
    const unknown = Object.keys(body).filter((k) => k !== 'online' && k !== 'kind');
    if (unknown.length > 0) throw new OperatorError(400, 'invalid_request', `unknown field ${unknown.join(', ')}`);
    const changes: { online?: boolean; kind?: HandsetKind } = {};
    if (body.online !== undefined) {
      if (typeof body.online !== 'boolean') throw new OperatorError(400, 'invalid_request', '"online" must be true or false');
      changes.online = body.online;
    }
    if (body.kind !== undefined) {
      const kind = KINDS.find((k) => k === body.kind);
      if (kind === undefined) throw new OperatorError(400, 'invalid_request', `"kind" must be one of ${KINDS.join(', ')}`);
      changes.kind = kind;
    }
    if (changes.online === undefined && changes.kind === undefined) throw new OperatorError(400, 'invalid_request', 'nothing to change');
    const handset = await sim.updateHandset(number, changes);
    return { number: toTelUri(handset.number), online: handset.online, kind: handset.kind };
  });
}
