import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError, OAuthError, OperatorError } from '../errors.js';
import { isStorable } from '../sms/storable-text.js';
import { flavourOf } from './representation.js';

/**
 * Text no store keeps (U+0000, a lone UTF-16 surrogate: see src/sms/storable-text.ts) is refused
 * wherever a request carries it — path, query or body, key or value — with 400 in the path's
 * envelope, naming the field: on PostgreSQL it failed the statement (a 500, or a lookup that could
 * never match), on SQLite it was stored. Headers cannot carry it: Node's parser refuses a NUL in
 * one (400, client-error.ts), and reads the rest as Latin-1, which has no surrogates.
 */

/**
 * Where in `value` the first text (or key) no store keeps is: the name of its field, '' when it is
 * `value` itself or a key at its top; undefined when all of it is storable.
 */
function unstorableField(value: unknown): string | undefined {
  // A stack, not recursion: a body nested thousands deep must not overflow it.
  const stack: Array<[unknown, string]> = [[value, '']];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, field] = next;
    if (typeof v === 'string') {
      if (!isStorable(v)) return field;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push([item, field]);
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        if (!isStorable(key)) return field;
        stack.push([item, key]);
      }
    }
  }
  return undefined;
}

/**
 * The refusal in the path's envelope: a field the client named as the flavour names fields (AT&T
 * PascalCase, OneAPI lower-camel), else the part of the request (`URI`, `Body`).
 */
function refusal(request: FastifyRequest, field: string, part: 'URI' | 'Body'): Error {
  const cased = (first: (c: string) => string) => (field === '' ? part : first(field.charAt(0)) + field.slice(1));
  const why = `${field === '' ? part : field} holds U+0000 or half of a UTF-16 surrogate pair, which cannot be stored`;
  switch (flavourOf(request.url)) {
    case 'att':
      return new ApiError('SVC0002', [cased((c) => c.toUpperCase())]);
    case 'oneapi':
      return new ApiError('SVC0002', [cased((c) => c.toLowerCase())]);
    case 'oauth':
      return new OAuthError(400, 'invalid_request', why);
    case 'operator':
    case 'console':
      return new OperatorError(400, 'invalid_request', why);
  }
}

export const storableInput = fp(async function storableInput(app: FastifyInstance): Promise<void> {
  // Path and query before the routes' own onRequest hooks (authentication reads `access_token`).
  app.addHook('onRequest', (request, _reply, done) => {
    // A path parameter's name is the route's, not the client's: the path is named as a whole.
    const field = unstorableField(request.params) === undefined ? unstorableField(request.query) : '';
    done(field === undefined ? undefined : refusal(request, field, 'URI'));
  });
  // The body once parsed, whatever its representation, before any schema or handler reads it.
  app.addHook('preValidation', (request, _reply, done) => {
    const field = unstorableField(request.body);
    done(field === undefined ? undefined : refusal(request, field, 'Body'));
  });
});
