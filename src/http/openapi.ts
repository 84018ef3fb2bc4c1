import { readFileSync } from 'node:fs';
import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { GatewayContext } from '../context.js';
import { API_DOCS } from './openapi/api-docs.js';
import { COMPONENT_SCHEMAS, docKey, operationParts, SECURITY_SCHEMES, securityOf } from './openapi/document.js';
import type { OperationDoc } from './openapi/model.js';
import { OPERATOR_DOCS } from './openapi/operator-docs.js';
import { packageFile } from '../package-files.js';

/** Every documented operation by `docKey(method, url)`. */
export const OPERATION_DOCS: Readonly<Record<string, OperationDoc>> = { ...API_DOCS, ...OPERATOR_DOCS };

/** Marks an operation with its doc key between `transform` (per route) and `transformObject`. */
const MARK = 'x-switchboard-doc';

/** Paths that are pages, not API: the console and the docs UI itself. */
const NOT_API = /^\/(console|docs)(\/|$)/;

const VERSION = (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;

type Json = Record<string, unknown>;

const DESCRIPTION = [
  'Switchboard serves the AT&T SMS API — AT&T RESTful v3 and v2, and GSMA OneAPI on /1, /2 and /3 — in front of a simulated network or SMSCs over SMPP 3.4.',
  '',
  'Requests take JSON (also single-quoted pseudo-JSON), XML or form bodies; keys and XML element names match in any case. Answers are JSON, or XML when `Accept` prefers XML to JSON and names no wildcard above q=0 (`*/*` takes JSON, the default). A JSON or XML document sent as a form is read as JSON or XML.',
  'Errors use the envelope of the path: AT&T paths `RequestError` (PascalCase), OneAPI paths `requestError` (lower-camel), /oauth RFC 6749, /admin and /sim `{"error":{"code","message"}}`.',
  'The `{v}`-less OneAPI paths are listed once per version (1, 2, 3) with the same behaviour.',
].join('\n');

/** Puts the hand-written parts of each marked operation in place of what was generated from the route. */
function fill(document: Json): Json {
  const paths = (document.paths ?? {}) as Record<string, Record<string, Json>>;
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item)) {
      const key = operation[MARK];
      if (typeof key !== 'string') continue;
      delete operation[MARK];
      const doc = OPERATION_DOCS[key];
      if (doc === undefined) continue;
      const parts = operationParts(doc);
      const documented = new Set(parts.parameters.map((p) => p.name));
      const generated = ((operation.parameters ?? []) as Json[]).filter((p) => !documented.has(p.name));
      const parameters = [...parts.parameters, ...generated];
      if (parameters.length > 0) operation.parameters = parameters;
      else delete operation.parameters;
      if (parts.requestBody !== undefined) operation.requestBody = parts.requestBody;
      operation.responses = parts.responses;
    }
  }
  return document;
}

/**
 * The OpenAPI 3 document of every registered API route (`GET /openapi.json`) and Swagger UI at
 * `/docs`. The document is generated from the routes as fastify registers them, so a route cannot
 * be missing from it; each one's text, media types, examples and error envelopes come from
 * `OPERATION_DOCS`, joined by method and path in @fastify/swagger's `transform`. The route
 * schemas themselves are left as they are: nothing here validates a request.
 */
export const openapi = fp(async (app: FastifyInstance, { ctx }: { ctx: GatewayContext }) => {
  const options: FastifyDynamicSwaggerOptions = {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Switchboard SMS API', version: VERSION, description: DESCRIPTION },
      // Relative unless SWITCHBOARD_PUBLIC_URL names the gateway: /docs then calls the origin it was loaded from (see public-url.ts).
      servers: [{ url: ctx.config.publicUrlSet ? ctx.config.publicUrl : '/' }],
      tags: [
        { name: 'AT&T RESTful', description: 'Send SMS, delivery status and Get SMS, v3 and v2.' },
        { name: 'GSMA OneAPI', description: 'Send SMS, delivery infos, inbound messages and subscriptions on /1, /2 and /3.' },
        { name: 'OAuth', description: 'Access tokens for the API.' },
        { name: 'Admin', description: 'Apps, short codes, dead letters, SMSC links (admin token).' },
        { name: 'Simulated network', description: 'Virtual handsets (SWITCHBOARD_NETWORK=simulator).' },
        { name: 'Operator', description: 'Health, metrics and this document.' },
      ],
      components: { schemas: COMPONENT_SCHEMAS, securitySchemes: SECURITY_SCHEMES },
    },
    transform: ({ schema, url, route }) => {
      if (NOT_API.test(url)) return { schema: { ...schema, hide: true }, url };
      const method = Array.isArray(route.method) ? String(route.method[0]) : String(route.method);
      const key = docKey(method, url);
      const doc = OPERATION_DOCS[key];
      // An undocumented route is still listed, with what its own schema says (a test flags it).
      if (doc === undefined) return { schema, url };
      const described: Json = { summary: doc.summary, tags: [...doc.tags], security: securityOf(doc.security), [MARK]: key };
      if (doc.description !== undefined) described.description = doc.description;
      return { schema: described, url };
    },
    transformObject: (object) => ('openapiObject' in object ? fill(object.openapiObject) : object.swaggerObject),
  };
  await app.register(swagger, options);
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true, docExpansion: 'list' } });
  app.get('/openapi.json', async () => app.swagger());
});
