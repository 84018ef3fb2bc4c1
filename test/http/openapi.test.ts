import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileErrors, validate } from '@readme/openapi-parser';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let doc: any;

before(async () => {
  gw = await startTestGateway();
  const res = await gw.request('GET', '/openapi.json');
  assert.equal(res.status, 200, res.text);
  doc = res.json();
});
after(async () => {
  await gw.close();
});

/**
 * Every route fastify registered, from its own route table (`printRoutes`, a tree whose nodes are
 * path segments with their methods in parentheses) — not from the hook that builds the document.
 */
function registeredRoutes(): Array<{ method: string; path: string }> {
  const tree = gw.gateway.http.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: Array<{ method: string; path: string }> = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)[├└]── (.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (m === null) continue;
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(m[2] ?? '');
    if (m[3] === undefined) continue;
    for (const method of m[3].split(', ')) routes.push({ method, path: stack.join('') });
  }
  return routes;
}

const openapiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

test('every registered API route is in the document, with its method', () => {
  const api = registeredRoutes().filter((r) => r.method !== 'HEAD' && !/^\/(console|docs)(\/|\*|$)/.test(r.path));
  assert.ok(api.length >= 50, `found only ${api.length} routes`);
  const missing = api.filter((r) => doc.paths[openapiPath(r.path)]?.[r.method.toLowerCase()] === undefined);
  assert.deepEqual(missing, []);
  for (const path of ['/sms/v3/messaging/outbox', '/rest/sms/2/messaging/outbox', '/3/smsmessaging/outbound/{senderAddress}/requests', '/oauth/v4/token', '/admin/v1/apps', '/sim/v1/handsets/{number}/messages', '/metrics', '/healthz']) {
    assert.ok(doc.paths[path], path);
  }
  assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/console') || p.startsWith('/docs')), 'pages are not API');
});

test('it validates as OpenAPI 3 (@readme/openapi-parser)', async () => {
  assert.match(doc.openapi, /^3\.0\./);
  // validate() dereferences in place: give it a copy.
  const result = await validate(structuredClone(doc));
  assert.ok(result.valid, result.valid ? '' : compileErrors(result));
});

test('every operation has a summary, tags, a worked example and the error envelope of its flavour', () => {
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(op.summary, `${where}: summary`);
      assert.ok(op.tags?.length > 0, `${where}: tags`);
      const success = Object.entries<any>(op.responses).filter(([status]) => status.startsWith('2'));
      assert.ok(success.length > 0, `${where}: a 2xx answer`);
      for (const [status, r] of success) {
        if (status === '204') continue;
        const examples = Object.values<any>(r.content ?? {}).filter((m) => m.example !== undefined);
        assert.ok(examples.length > 0, `${where}: example of ${status}`);
      }
      if (op.requestBody) {
        for (const [type, media] of Object.entries<any>(op.requestBody.content)) assert.ok(media.example !== undefined, `${where}: example of its ${type} body`);
      }
      const errors = Object.entries<any>(op.responses).filter(([status]) => /^[45]/.test(status) && path !== '/healthz');
      const refs = new Set(errors.map(([, r]) => r.content?.['application/json']?.schema?.$ref));
      const expected = path.startsWith('/sms') || path.startsWith('/rest')
        ? '#/components/schemas/AttRequestError'
        : /^\/\d\/smsmessaging/.test(path)
          ? '#/components/schemas/OneApiRequestError'
          : path.startsWith('/oauth')
            ? '#/components/schemas/OAuthError'
            : '#/components/schemas/OperatorError';
      for (const ref of refs) assert.equal(ref, expected, `${where}: error envelope`);
    }
  }
});

test('API operations take JSON, XML and form bodies and answer JSON and XML', () => {
  const send = doc.paths['/sms/v3/messaging/outbox'].post;
  assert.deepEqual(Object.keys(send.requestBody.content).sort(), ['application/json', 'application/x-www-form-urlencoded', 'application/xml']);
  assert.deepEqual(Object.keys(send.responses['201'].content).sort(), ['application/json', 'application/xml']);
  assert.match(send.responses['400'].content['application/xml'].example, /<RequestError><ServiceException><MessageId>SVC0002<\/MessageId>/);
  const oneapi = doc.paths['/2/smsmessaging/outbound/{senderAddress}/requests'].post;
  assert.deepEqual(Object.keys(oneapi.requestBody.content).sort(), ['application/json', 'application/x-www-form-urlencoded', 'application/xml']);
  assert.deepEqual(oneapi.responses['400'].content['application/json'].example.requestError.serviceException.variables, ['Message']);
  assert.deepEqual(oneapi.security, [{ oauth: ['SMS'] }, { appBasic: [] }]);
  assert.equal(doc.components.securitySchemes.appBasic.scheme, 'basic');
  assert.deepEqual(send.security, oneapi.security, 'the AT&T paths too');
  assert.deepEqual(doc.paths['/admin/v1/apps'].post.security, [{ admin: [] }]);
  const param = oneapi.parameters.find((p: any) => p.name === 'senderAddress');
  assert.equal(param.in, 'path');
  assert.equal(param.required, true);
});

test('too many failed credentials: /oauth documents 401 invalid_client with Retry-After and no 429 (contract §13); the admin API its 429', () => {
  for (const path of ['/oauth/v4/token', '/oauth/v4/revoke']) {
    const op = doc.paths[path].post;
    assert.equal(op.responses['429'], undefined, path);
    assert.match(op.responses['401'].description, /Retry-After/, path);
    assert.equal(op.responses['401'].content['application/json'].example.error, 'invalid_client', path);
  }
  assert.equal(doc.paths['/admin/v1/apps'].get.responses['429'].content['application/json'].example.error.code, 'too_many_requests');
});

test('the docs UI is served at /docs', async () => {
  const page = await gw.request('GET', '/docs/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  assert.match(page.text, /swagger/i);
  const json = await gw.request('GET', '/docs/json');
  assert.equal(json.status, 200);
  assert.equal(json.json().info.title, doc.info.title);
});

test('documenting changed no validation: the admin API still refuses an unknown field, the send still takes a form body', async () => {
  const bad = await gw.request('POST', '/admin/v1/apps', { headers: { authorization: 'Bearer test-admin-token-0123456789' }, body: { name: 'x', colour: 'red' } });
  assert.equal(bad.status, 400);
  const noAuth = await gw.request('POST', '/sms/v3/messaging/outbox', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'address=tel%3A%2B14255550100&message=hi' });
  assert.equal(noAuth.status, 400);
  assert.equal(noAuth.json().RequestError.PolicyException.MessageId, 'POL0001');
});
