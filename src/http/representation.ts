import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import JSON5 from 'json5';
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { ApiError } from '../errors.js';
import { LIST_FIELDS, charsetParam, decodeText, documentInBody, parseFormBody, xmlDeclaredCharset } from './body-text.js';

/**
 * Which error envelope a path speaks: AT&T RESTful (PascalCase), GSMA OneAPI (lower-camel),
 * RFC 6749 on /oauth, the operator surfaces' plain JSON, or the console's HTML.
 */
export type Flavour = 'att' | 'oneapi' | 'oauth' | 'operator' | 'console';

/**
 * The path of a request URL as the router matches it (app.ts `routerOptions`): without the query,
 * duplicate slashes collapsed, no trailing slash. `//admin/v1/apps/` reaches the admin routes, so
 * its errors must be the admin API's too.
 */
export function routePath(url: string): string {
  const path = (url.split('?')[0] ?? '').replace(/\/{2,}/g, '/');
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path || '/';
}

export function flavourOf(url: string): Flavour {
  const path = routePath(url);
  if (/^\/\d+\/smsmessaging(\/|$)/.test(path)) return 'oneapi';
  if (path.startsWith('/oauth')) return 'oauth';
  if (path.startsWith('/admin') || path.startsWith('/sim') || path === '/healthz') return 'operator';
  if (path === '/console' || path.startsWith('/console/')) return 'console';
  return 'att';
}

/**
 * True when the client wants XML: it names an XML type (any naming `xml`) at a quality above 0,
 * no JSON type (any naming `json`) at a higher quality, or at the same quality before it, and no
 * wildcard (any type, or any `application/` type) above 0: JSON is the default, so a client that
 * takes anything takes JSON. JSON without an Accept, or without XML in it. Substrings, not exact
 * types: a client of the doc's own example sends `appication/json`.
 */
export function wantsXml(request: Pick<FastifyRequest, 'headers'>): boolean {
  const accept = request.headers.accept?.toLowerCase();
  // Most clients name no XML at all: answered without reading the qualities, on every request.
  if (accept === undefined || !accept.includes('xml')) return false;
  const xml = { q: -1, at: Infinity };
  const json = { q: -1, at: Infinity };
  let wildcard = false;
  accept
    .split(',')
    .forEach((entry, at) => {
      const [type = '', ...params] = entry.split(';').map((part) => part.trim());
      const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
      if (Number.isNaN(q)) return;
      // AT&T's Ruby codekit sends rest-client 1.x's `*/*; q=0.5, application/xml`, then parses every
      // answer as JSON: XML ranked above the wildcard is only a preference among what it takes.
      if (type === '*/*' || type === 'application/*') {
        wildcard ||= q > 0;
        return;
      }
      const family = type.includes('xml') ? xml : type.includes('json') ? json : undefined;
      if (family === undefined) return;
      if (q > family.q) family.q = q;
      if (at < family.at) family.at = at;
    });
  return !wildcard && xml.q > 0 && (xml.q > json.q || (xml.q === json.q && xml.at < json.at));
}

/**
 * Characters XML 1.0 cannot carry, not even as a character reference (C0 controls other than tab,
 * CR and LF, lone surrogates, U+FFFE/U+FFFF): a handset's UCS-2 text may hold them, and one in a
 * polled batch would make the whole document unreadable after the read removed the messages.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const builder = new XMLBuilder({
  ignoreAttributes: true,
  format: false,
  suppressEmptyNode: false,
  suppressBooleanAttributes: false,
  tagValueProcessor: (_name, value) => (typeof value === 'string' ? value.replace(NOT_XML_CHAR, '\uFFFD') : value),
});

/**
 * Serialises a body as an XML document. A body of one key (`{ outboundSMSResponse: {...} }`) is
 * its own root; `root` wraps one that has none (v2's `{ Id, ResourceReference }`), since a
 * document with two top-level elements is not XML any client can read. A CR (a handset's CRLF)
 * is written as `&#13;`: every XML parser turns a raw CR into LF (XML 1.0 §2.11), so the client
 * would read another text than a JSON client does. Replaced after the builder, which would escape
 * the `&`, and writes no CR of its own (`format: false`).
 */
export function toXml(body: Record<string, unknown>, root?: string): string {
  const rooted = root !== undefined || Object.keys(body).length !== 1 ? { [root ?? 'Response']: body } : body;
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(rooted).replace(/\r/g, '&#13;')}`;
}

/**
 * The media types of our bodies, without a charset parameter: JSON has none (RFC 8259 §11), an XML
 * document declares its own, AT&T's documented answers carry none, and the GSMA reference Java
 * library reads a body only when its Content-Type is exactly `application/json`.
 */
export const JSON_TYPE = 'application/json';
export const XML_TYPE = 'application/xml';
/** What fastify writes for the objects it serialises itself (OAuth, admin, health). */
const FASTIFY_JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Sends `text` with exactly `type`. fastify appends `; charset=utf-8` to a JSON type sent with a
 * string; the onSend hook below takes it off, but no hook runs on the replies fastify makes for
 * `frameworkErrors` (app.ts: they belong to no route). The type of a Buffer is left as given.
 */
export function sendText(reply: FastifyReply, type: string, text: string): FastifyReply {
  return reply.type(type).send(Buffer.from(text));
}

const NOT_ASCII = /[\u0080-\uffff]/g;

/**
 * `value` as JSON in ASCII only: every other character as a `\uXXXX` escape, which any JSON reader
 * turns back into the same text. Our JSON goes out as `application/json` without a charset (the
 * GSMA reference Java library reads no other type), and readers left to guess decode it wrong:
 * AT&T's C# and VB sample listeners decode bodies as ASCII, Java servlets and older builds of the
 * Java codekit as ISO-8859-1.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(NOT_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Sets `Location` spelled so, where fastify writes every header name in lower case: the GSMA
 * reference PHP library finds it with a case-sensitive `Location:` match, and its `getLocation()`
 * was always empty. Call it just before sending: the header goes on the raw response, past
 * fastify's own headers.
 */
export function setLocation(reply: FastifyReply, url: string): void {
  reply.raw.setHeader('Location', url);
}

/** Sends `body` in the representation the client asked for; `xmlRoot` as in toXml. */
export function sendRepresentation(request: FastifyRequest, reply: FastifyReply, status: number, body: Record<string, unknown>, xmlRoot?: string): FastifyReply {
  reply.code(status);
  if (wantsXml(request)) return sendText(reply, XML_TYPE, toXml(body, xmlRoot));
  return sendText(reply, JSON_TYPE, asciiJson(body));
}

/**
 * Elements whose text is the client's own, kept exactly as sent (as JSON keeps it): the SMS text
 * and OneAPI's opaque callbackData. Every other value is trimmed, so pretty-printed XML reads the
 * same as compact XML.
 */
const VERBATIM = new Set(['message', 'callbackdata']);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: true,
  trimValues: false,
  // OMA-style clients prefix the elements (`<sms:outboundSMSMessageRequest xmlns:sms="…">`).
  removeNSPrefix: true,
  tagValueProcessor: (name, value) => (VERBATIM.has(name.toLowerCase()) ? value : value.trim()),
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Repeated recipients and one recipient must look the same to the domain.
  isArray: (name) => LIST_FIELDS.has(name.toLowerCase()),
});

/**
 * Parses an XML request body. A DOCTYPE (and so any external or custom entity) is refused before
 * the parser sees the text, so no entity expansion can be triggered.
 */
export function parseXmlBody(text: string): Record<string, unknown> {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new ApiError('SVC0002', ['DOCTYPE'], { status: 400 });
  if (text.trim() === '') return {};
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new ApiError('SVC0002', ['Body']);
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch {
    // Valid XML the parser still will not take (nesting past its limit of 100): the body's fault.
    throw new ApiError('SVC0002', ['Body']);
  }
  if (parsed === null || typeof parsed !== 'object') throw new ApiError('SVC0002', ['Body']);
  return parsed as Record<string, unknown>;
}

/**
 * Parses a JSON request body. Strict JSON first; then JSON5, because the 2012 AT&T C# sample posts
 * single-quoted pseudo-JSON (`{'Address':'tel:…','Message':'hi'}`) with a JSON content type.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON5.parse(text);
    } catch {
      throw new ApiError('SVC0002', ['Body']);
    }
  }
}

/** Case-insensitive own-property lookup: clients vary the casing of keys and XML element names. */
export function field(obj: unknown, ...names: string[]): unknown {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const record = obj as Record<string, unknown>;
  for (const name of names) {
    if (Object.hasOwn(record, name)) return record[name];
  }
  const wanted = names.map((n) => n.toLowerCase());
  for (const key of Object.keys(record)) {
    if (wanted.includes(key.toLowerCase())) return record[key];
  }
  return undefined;
}

/**
 * Makes the calling (encapsulated) plugin take JSON bodies only: any other media type, fastify's
 * own `text/plain` included, is 415 before the body is read. For the operator surfaces, which
 * document JSON only; a form is also the one body another site's page can post without a CORS
 * preflight, and forms were read there.
 *
 * @example jsonBodiesOnly(app) // in `simRoutes`, before its routes
 */
export function jsonBodiesOnly(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/xml', 'text/xml', 'application/x-www-form-urlencoded', 'text/plain']);
}

/**
 * Registers the body parsers: JSON (strict, then lenient), XML (application/xml, text/xml),
 * form-urlencoded (repeated keys become arrays) and plain text, each read in the character set the
 * client declared (see body-text.ts). Media-type matching is case-insensitive. On the AT&T and
 * OneAPI paths a "form" or plain text that is a JSON object or an XML document is read as one
 * (documentInBody); /oauth and the console take forms as they come; the operator surfaces take
 * JSON only (jsonBodiesOnly).
 */
export const representation = fp(async (app: FastifyInstance) => {
  const parse = (read: (body: Buffer, contentType: string | undefined, url: string) => unknown) => (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
    try {
      // A compressed body is not read (nor inflated past the body limit): 415, not a parse error.
      const coding = request.headers['content-encoding'];
      if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') throw new ApiError('POL0011', [], { status: 415 });
      done(null, read(body, request.headers['content-type'], request.url));
    } catch (err) {
      done(err as Error, undefined);
    }
  };
  const readJson = (body: Buffer, type: string | undefined): unknown => parseJsonBody(decodeText(body, charsetParam(type)));
  const readXml = (body: Buffer, type: string | undefined): unknown => parseXmlBody(decodeText(body, charsetParam(type) ?? xmlDeclaredCharset(body)));
  /** On the API paths, a JSON object or an XML document under another label is read as one; else `otherwise`. */
  const readLabelled = (otherwise: (body: Buffer, charset: string | undefined) => unknown) => (body: Buffer, type: string | undefined, url: string): unknown => {
    const flavour = flavourOf(url);
    const document = flavour === 'att' || flavour === 'oneapi' ? documentInBody(body) : undefined;
    if (document === 'json') return readJson(body, type);
    if (document === 'xml') return readXml(body, type);
    return otherwise(body, charsetParam(type));
  };
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parse(readJson));
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer' }, parse(readXml));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, parse(readLabelled(parseFormBody)));
  // fetch() labels a string body `text/plain;charset=UTF-8` unless told otherwise: other text stays
  // a string, as fastify's own parser left it, which no route takes for a request.
  app.addContentTypeParser('text/plain', { parseAs: 'buffer' }, parse(readLabelled(decodeText)));
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (reply.getHeader('content-type') === FASTIFY_JSON_TYPE) reply.header('content-type', JSON_TYPE);
    done(null, payload);
  });
});
