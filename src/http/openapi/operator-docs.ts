import { SHORT_CODE_DIGITS } from '../../sms/address.js';
import { arr, bool, int, nullable, obj, str, type OperationDoc, type ParamDoc } from './model.js';

/* OAuth, the admin API, the simulated network and the gateway's own endpoints. */

const APP_ID = 'cff8d7c0-002a-461c-bee1-a8992815ad07';
const NUMBER = '4255550100';
const CODE = '22627000';
const STAMP = '2026-11-25T21:02:42.270Z';
const HANDSET_MESSAGE = '15523e60f93a91c4-8c4e1f0a93b2d675';

const OAUTH = ['OAuth'];
const ADMIN = ['Admin'];
const SIM = ['Simulated network'];
const OPERATOR = ['Operator'];

const tokenBody = obj(
  {
    grant_type: str('`client_credentials` or `refresh_token`.', { enum: ['client_credentials', 'refresh_token'] }),
    client_id: str('The App Key (or HTTP Basic).'),
    client_secret: str('The App Secret (or HTTP Basic).'),
    scope: str('Space- or comma-separated scopes, e.g. `SMS`; default all of the app\'s.'),
    refresh_token: str('With grant_type=refresh_token: the refresh token (rotated on use).'),
  },
  ['grant_type'],
);

const token: OperationDoc = {
  summary: 'Get an access token',
  description:
    'OAuth 2.0 token endpoint (RFC 6749): client_credentials and refresh_token grants. Client credentials in the form body, a JSON body or HTTP Basic. Answers carry `Cache-Control: no-store`. Served at /oauth/v4/token and the legacy /oauth/token and /oauth/access_token.',
  tags: OAUTH,
  flavour: 'oauth',
  security: 'client',
  body: {
    schema: tokenBody,
    form: 'client_id=621fda06de3a2f49d755e28405991137&client_secret=e3489734a0f89d6741a9d69f&grant_type=client_credentials&scope=SMS',
    json: { client_id: '621fda06de3a2f49d755e28405991137', client_secret: 'e3489734a0f89d6741a9d69f', grant_type: 'client_credentials', scope: 'SMS' },
  },
  responses: {
    '200': {
      description: 'A token pair.',
      schema: obj({ access_token: str('Bearer token for the API.'), token_type: str('`bearer`.'), expires_in: int('Seconds (SWITCHBOARD_TOKEN_TTL_S).'), refresh_token: str('For grant_type=refresh_token.') }),
      json: { access_token: '3de45f0639100df5f1eeb6ffabadecfb014dabcb61b5cf37', token_type: 'bearer', expires_in: 172800, refresh_token: '96bca9d130f54e24324831aaeb64724cb5bbf1a8c92023b6' },
    },
  },
  errors: [400, 401],
};

const revoke: OperationDoc = {
  summary: 'Revoke a token',
  description: 'RFC 7009: 200 even for an unknown token; revoking a refresh token also revokes the access tokens minted with it.',
  tags: OAUTH,
  flavour: 'oauth',
  security: 'client',
  body: {
    schema: obj({ token: str('The access or refresh token.'), token_type_hint: str('`access_token` or `refresh_token` (a hint only).'), client_id: str('App Key.'), client_secret: str('App Secret.') }, ['token']),
    form: 'client_id=621fda06de3a2f49d755e28405991137&client_secret=e3489734a0f89d6741a9d69f&token=96bca9d130f54e24324831aaeb64724cb5bbf1a8c92023b6&token_type_hint=refresh_token',
    json: { client_id: '621fda06de3a2f49d755e28405991137', client_secret: 'e3489734a0f89d6741a9d69f', token: '96bca9d130f54e24324831aaeb64724cb5bbf1a8c92023b6' },
  },
  responses: { '200': { description: 'Revoked (or unknown).', schema: obj({}), json: {} } },
  errors: [400, 401],
};

const shortCodeView = obj({
  shortCode: str('Digits.'),
  appId: str('Owner.'),
  moDelivery: str('`poll` (inbox) or `callback` (listener).', { enum: ['poll', 'callback'] }),
  listenerUrl: nullable(str('Where MO messages are POSTed (callback).')),
  createdAt: str('ISO 8601.'),
});

const appProps = {
  id: str('App id.'),
  name: str('Name.'),
  appKey: str('OAuth client_id.'),
  scopes: arr(str('Scope name.')),
  realm: str('`sandbox` (http listeners allowed) or `production` (https only).', { enum: ['sandbox', 'production'] }),
  deliveryStatusUrl: nullable(str('Where AT&T delivery status notifications go.')),
  suspended: bool('A suspended app gets 403 POL1010.'),
  signingSecret: str('HMAC key of the webhook signatures (X-Switchboard-Signature).'),
  ratePerSecond: nullable(int('Send throttle per second (null: unlimited).')),
  ratePerDay: nullable(int('Send throttle per UTC day (null: unlimited).')),
  createdAt: str('ISO 8601.'),
  updatedAt: str('ISO 8601.'),
};
const appView = obj(appProps);
const appWithSecret = obj({ ...appProps, appSecret: str('The App Secret: shown only in this answer.') });
const appExample = {
  id: APP_ID,
  name: 'demo',
  appKey: '621fda06de3a2f49d755e28405991137',
  scopes: ['SMS'],
  realm: 'sandbox',
  deliveryStatusUrl: null,
  suspended: false,
  signingSecret: 'edcd247290708022c7e372f3a12fef767ec53ee988d25a248494cb2d9c55cd84',
  ratePerSecond: null,
  ratePerDay: null,
  createdAt: STAMP,
  updatedAt: STAMP,
};
const appWithSecretExample = { ...appExample, appSecret: 'e3489734a0f89d6741a9d69f' };
const shortCodeExample = { shortCode: CODE, appId: APP_ID, moDelivery: 'poll', listenerUrl: null, createdAt: STAMP };

const replayedDoc = obj({
  id: str('Event id.'),
  url: nullable(str('Where it goes; null when it went to the inbox.')),
  state: str('`pending` (sent again), or `inbox` (an MO whose short code polls now).'),
});

const idParam: ParamDoc = { description: 'App id.', example: APP_ID };
const admin = (doc: Omit<OperationDoc, 'tags' | 'flavour' | 'security'>): OperationDoc => ({ tags: ADMIN, flavour: 'operator', security: 'admin', ...doc });

const appFields = {
  name: str('1 to 100 characters.'),
  scopes: arr(str('Scope name.'), 'Default ["SMS"]; a comma-joined string is accepted too.'),
  deliveryStatusUrl: nullable(str('http(s) URL for delivery status notifications.')),
  ratePerSecond: nullable(int('At least 1, or null.')),
  ratePerDay: nullable(int('At least 1, or null.')),
};

const deadLetterView = obj({
  id: str('The event id (X-Switchboard-Event-Id).'),
  kind: str('`mo` or `dlr`.'),
  url: str('Where it was POSTed.'),
  shortCode: nullable(str('The short code it concerns.')),
  attempts: int('POSTs made.'),
  lastError: nullable(str('Why the last one failed.')),
  createdAt: str('ISO 8601.'),
  contentType: str('Body media type.'),
  body: str('The notification body.'),
});

const handsetMessage = obj({ id: str('Orders the messages; `after` takes it.'), from: str('Sender short code.'), text: str('Reassembled text.'), encoding: str('GSM7, LATIN1 or UCS2.'), segments: int('Parts on the air.'), receivedAt: str('ISO 8601.') });
const numberParam: ParamDoc = { description: 'The handset, in any address form (`tel%3A%2B14255550100`, `14255550100`, `4255550100`).', example: NUMBER };

export const OPERATOR_DOCS: Readonly<Record<string, OperationDoc>> = {
  'POST /oauth/v4/token': token,
  'POST /oauth/token': { ...token, summary: 'Get an access token (legacy path)' },
  'POST /oauth/access_token': { ...token, summary: 'Get an access token (legacy path)' },
  'POST /oauth/v4/revoke': revoke,
  'POST /oauth/revoke': { ...revoke, summary: 'Revoke a token (legacy path)' },

  'POST /admin/v1/apps': admin({
    summary: 'Create an app',
    description: 'The answer carries the App Secret, the only time it is shown; only its hash is kept.',
    body: {
      schema: obj({ ...appFields, realm: str('`sandbox` (default) or `production`.', { enum: ['sandbox', 'production'] }) }, ['name']),
      json: { name: 'demo', scopes: ['SMS'], realm: 'sandbox' },
    },
    responses: { '201': { description: 'Created.', schema: appWithSecret, json: appWithSecretExample } },
    errors: [400, 401, 415],
  }),
  'GET /admin/v1/apps': admin({
    summary: 'List apps',
    responses: { '200': { description: 'Every app, oldest first.', schema: obj({ apps: arr(appView) }), json: { apps: [appExample] } } },
    errors: [401],
  }),
  'GET /admin/v1/apps/:id': admin({
    summary: 'Show an app',
    params: { id: idParam },
    responses: { '200': { description: 'The app with its short codes.', schema: obj({ ...appProps, shortCodes: arr(shortCodeView) }), json: { ...appExample, shortCodes: [shortCodeExample] } } },
    errors: [401, 404],
  }),
  'PATCH /admin/v1/apps/:id': admin({
    summary: 'Update an app',
    description: 'Name, scopes, suspension, delivery status URL and throttles; absent fields are left alone.',
    params: { id: idParam },
    body: { schema: obj({ ...appFields, suspended: bool('Suspend (true) or resume (false).') }), json: { suspended: true, ratePerSecond: 10 } },
    responses: { '200': { description: 'The updated app.', schema: appView, json: { ...appExample, suspended: true, ratePerSecond: 10 } } },
    errors: [400, 401, 404, 415],
  }),
  'DELETE /admin/v1/apps/:id': admin({
    summary: 'Delete an app',
    description: 'With its tokens and short codes.',
    params: { id: idParam },
    responses: { '204': { description: 'Deleted.' } },
    errors: [401, 404],
  }),
  'POST /admin/v1/apps/:id/secret': admin({
    summary: 'Rotate the App Secret',
    description: 'A new secret, shown once; the old one stops working and every token of the app is revoked.',
    params: { id: idParam },
    responses: { '200': { description: 'The app with its new secret.', schema: appWithSecret, json: { ...appWithSecretExample, appSecret: '0b8f3c2d4e5a6f708192a3b4' } } },
    errors: [401, 404],
  }),
  'POST /admin/v1/apps/:id/short-codes': admin({
    summary: 'Add a short code',
    description: "A short code belongs to one app. `callback` needs a listener URL (https in the production realm; not the gateway's own port nor an IP in SWITCHBOARD_WEBHOOK_BLOCKED_ADDRESSES); `poll` keeps MO messages in the inbox.",
    params: { id: idParam },
    body: {
      schema: obj({ shortCode: str(`${SHORT_CODE_DIGITS.min} to ${SHORT_CODE_DIGITS.max} digits.`), moDelivery: str('`poll` or `callback` (default: callback when a listenerUrl is given).'), listenerUrl: nullable(str('http(s) URL.')) }, ['shortCode']),
      json: { shortCode: '22627001', moDelivery: 'callback', listenerUrl: 'https://app.example/mo' },
    },
    responses: { '201': { description: 'Claimed.', schema: shortCodeView, json: { ...shortCodeExample, shortCode: '22627001', moDelivery: 'callback', listenerUrl: 'https://app.example/mo' } } },
    errors: [400, 401, 404, 409, 415],
  }),
  'GET /admin/v1/apps/:id/short-codes': admin({
    summary: "List an app's short codes",
    params: { id: idParam },
    responses: { '200': { description: 'In code order.', schema: obj({ shortCodes: arr(shortCodeView) }), json: { shortCodes: [shortCodeExample] } } },
    errors: [401, 404],
  }),
  'DELETE /admin/v1/apps/:id/short-codes/:code': admin({
    summary: 'Remove a short code',
    params: { id: idParam, code: { description: 'The short code.', example: CODE } },
    responses: { '204': { description: 'Released.' } },
    errors: [401, 404],
  }),
  'GET /admin/v1/apps/:id/dead-letters': admin({
    summary: "List an app's dead letters",
    description: 'Notifications whose retry window (SWITCHBOARD_WEBHOOK_RETRY_WINDOW_S) ended without a 2xx, oldest first.',
    params: { id: idParam },
    query: { limit: { description: '1 to 1000 (default 100).', example: 100 } },
    responses: {
      '200': {
        description: 'The dead letters.',
        schema: obj({ deadLetters: arr(deadLetterView) }),
        json: {
          deadLetters: [
            {
              id: 'evt_3c1f0e9a8b7d6c5e',
              kind: 'mo',
              url: 'https://app.example/mo',
              shortCode: CODE,
              attempts: 14,
              lastError: 'HTTP 503',
              createdAt: STAMP,
              contentType: 'application/json',
              body: '{"inboundSMSMessageNotification":{"inboundSMSMessage":{"message":"Hello"}}}',
            },
          ],
        },
      },
    },
    errors: [400, 401, 404],
  }),
  'POST /admin/v1/apps/:id/dead-letters/:eventId/replay': admin({
    summary: 'Replay a dead letter',
    description: "Sent again with a fresh retry window, to the short code's or app's current URL. An MO whose short code (still the app's) takes MO messages by polling now goes to its inbox instead (`state` `inbox`, no `url`).",
    params: { id: idParam, eventId: { description: 'The dead letter id.', example: 'evt_3c1f0e9a8b7d6c5e' } },
    responses: {
      '202': { description: 'Queued.', schema: replayedDoc, json: { id: 'evt_3c1f0e9a8b7d6c5e', url: 'https://app.example/mo', state: 'pending' } },
    },
    errors: [401, 404],
  }),
  'POST /admin/v1/apps/:id/dead-letters/replay': admin({
    summary: "Replay an app's dead letters",
    description: "The oldest `limit` dead letters sent again with a fresh retry window, each to the short code's or app's current URL (after a listener is mended), or to the inbox like a single replay.",
    params: { id: idParam },
    query: { limit: { description: '1 to 1000 (default 100).', example: 100 } },
    responses: {
      '202': {
        description: 'Queued.',
        schema: obj({ replayed: arr(replayedDoc) }),
        json: { replayed: [{ id: 'evt_3c1f0e9a8b7d6c5e', url: 'https://app.example/mo', state: 'pending' }] },
      },
    },
    errors: [400, 401, 404],
  }),
  'GET /admin/v1/unrouted': admin({
    summary: 'List unrouted MO messages',
    description: 'MO messages no app could take (unknown short code, or parts of a long message that never completed), newest first.',
    query: { limit: { description: '1 to 1000 (default 100).', example: 100 } },
    responses: {
      '200': {
        description: 'The messages.',
        schema: obj({ unrouted: arr(obj({ id: str('MO id.'), shortCode: str('Destination.'), senderAddress: str('tel: URI.'), message: str('Text.'), reason: str('`unknown-short-code` or `incomplete`.'), receivedAt: str('ISO 8601.') })) }),
        json: { unrouted: [{ id: 'MO5f1c2a9e03b7d412', shortCode: '22699999', senderAddress: 'tel:+14255550100', message: 'Hello?', reason: 'unknown-short-code', receivedAt: STAMP }] },
      },
    },
    errors: [400, 401],
  }),
  'GET /admin/v1/smsc-links': admin({
    summary: 'SMSC links',
    description: 'In smpp mode one entry per bind (window in use, queued, submitted, throttled, reconnects, last error) and the receipt counters; on the simulated network an empty list, plus its SMPP face when SWITCHBOARD_SIM_SMPP_PORT is set.',
    responses: {
      '200': {
        description: 'The links.',
        schema: obj({ network: str('`simulator` or `smpp`.'), smsc: str('host:port.'), defaultAlphabet: str('What data_coding 0 is written and read in: `gsm`, `ascii` or `latin1` (SWITCHBOARD_SMPP_DEFAULT_ALPHABET).'), links: arr(obj({ name: str('Link.'), bound: bool('Bound.'), windowSize: int('Window.'), windowInUse: int('In flight.'), reconnects: int('Re-binds.') })) }),
        json: { network: 'smpp', smsc: '127.0.0.1:2775', tls: false, defaultAlphabet: 'gsm', links: [{ name: '127.0.0.1:2775#1', mode: 'transceiver', bound: true, receiverBound: true, windowSize: 10, windowInUse: 2, queued: 0, submitted: 1204, refused: 0, lastRefusal: null, throttled: 3, reconnects: 1, pausedUntil: null, lastError: null }] },
      },
    },
    errors: [401],
  }),
  'GET /admin/v1/instances': admin({
    summary: 'Gateway instances on this database',
    description: 'Every gateway process that shares this database, live ones first: each refreshes its entry every 10 s while it runs and removes it when it stops; one not refreshed for 30 s has stopped without saying so (a crash). A gateway does not start beside live ones on another network (`SWITCHBOARD_NETWORK`).',
    responses: {
      '200': {
        description: 'The instances.',
        schema: obj({ instances: arr(obj({ id: str('Instance id.'), host: str('Host name.'), pid: int('Process id.'), network: str('`simulator` or `smpp`.'), smsc: str('host:port in smpp mode, else null.'), url: str('Its HTTP API.'), settings: obj({}), startedAt: str('ISO 8601.'), seenAt: str('ISO 8601: last refreshed.'), live: bool('Running.'), self: bool('The one answering.') })) }),
        json: { instances: [{ id: 'gw1-4242-a1b2c3', host: 'gw1', pid: 4242, network: 'smpp', smsc: 'smsc.example.net:2775', url: 'http://10.0.0.5:8080', settings: { SWITCHBOARD_INBOX_RETENTION_S: '1800' }, startedAt: STAMP, seenAt: STAMP, live: true, self: true }] },
      },
    },
    errors: [401],
  }),

  'GET /sim/v1/handsets/:number/messages': {
    summary: 'Messages a handset received',
    description:
      'The MT messages of a virtual handset, reassembled, oldest first, a page at a time: `limit` from the oldest, or from the one after the message `after`. While more follow, `next` is the path of the rest. Only with SWITCHBOARD_NETWORK=simulator.',
    tags: SIM,
    flavour: 'operator',
    security: 'none',
    params: { number: numberParam },
    query: {
      limit: { description: '1 to 1000 (default 1000).', example: 1000 },
      after: { description: 'The `id` of a message: the page starts after it.', example: HANDSET_MESSAGE },
    },
    responses: {
      '200': {
        description: 'Its messages.',
        schema: obj({ messages: arr(handsetMessage), next: str('Only while more follow: the path of the next page.') }, ['messages']),
        json: { messages: [{ id: HANDSET_MESSAGE, from: CODE, text: 'Hello from Switchboard', encoding: 'GSM7', segments: 1, receivedAt: STAMP }] },
      },
    },
    errors: [400],
  },
  'POST /sim/v1/handsets/:number/messages': {
    summary: 'Send an MO message from a handset',
    description: 'The handset texts a short code; the message is routed like any MO (inbox, listener, subscription or unrouted). JSON only; refused (403) when a browser sends it from a page of another origin.',
    tags: SIM,
    flavour: 'operator',
    security: 'none',
    params: { number: numberParam },
    body: { schema: obj({ to: str('A short code.'), text: str('Up to 4096 characters.') }, ['to', 'text']), json: { to: CODE, text: 'Hello back' } },
    responses: {
      '202': {
        description: 'Sent into the network.',
        schema: obj({ message: obj({ from: str('tel: URI.'), to: str('Short code.'), text: str('Text.'), receivedAt: str('ISO 8601.') }) }),
        json: { message: { from: 'tel:+14255550100', to: CODE, text: 'Hello back', receivedAt: STAMP } },
      },
    },
    errors: [400, 403, 409, 415, 503],
  },
  'PUT /sim/v1/handsets/:number': {
    summary: 'Switch a handset off or change what it is',
    description: '`online: false` powers it off (MTs wait and are retried until the network retry window ends); `kind` landline or offnet makes Send SMS refuse it (SVC0001).',
    tags: SIM,
    flavour: 'operator',
    security: 'none',
    params: { number: numberParam },
    body: { schema: obj({ online: bool('Powered on.'), kind: str('`mobile`, `landline` or `offnet`.', { enum: ['mobile', 'landline', 'offnet'] }) }), json: { online: false } },
    responses: {
      '200': { description: 'The handset now.', schema: obj({ number: str('tel: URI.'), online: bool('Powered on.'), kind: str('Kind.') }), json: { number: 'tel:+14255550100', online: false, kind: 'mobile' } },
    },
    errors: [400, 403, 415],
  },

  'GET /healthz': {
    summary: 'Health',
    description: '200 when the store answers and the network is up; 503 otherwise.',
    tags: OPERATOR,
    flavour: 'operator',
    security: 'none',
    responses: {
      '200': { description: 'Up (`degraded` in smpp mode when binds can submit but none can receive).', schema: obj({ status: str('`ok` or `degraded`.'), store: str('up/down.'), network: str('up/down.'), engine: str('sqlite or postgres.') }), json: { status: 'ok', store: 'up', network: 'up', engine: 'sqlite' } },
      '503': { description: 'The store or the network is down.', json: { status: 'degraded', store: 'up', network: 'down', engine: 'sqlite' } },
    },
  },
  'GET /metrics': {
    summary: 'Prometheus metrics',
    description: 'Requests by route and status, messages accepted, segments submitted, final states, dispatch backlog, webhooks, SMPP links, store latency (README: Metrics).',
    tags: OPERATOR,
    flavour: 'operator',
    security: 'none',
    responses: { '200': { description: 'Prometheus text format 0.0.4.', text: '# HELP switchboard_messages_accepted_total …\n# TYPE switchboard_messages_accepted_total counter\nswitchboard_messages_accepted_total{api="att-v3"} 12\n' } },
  },
  'GET /openapi.json': {
    summary: 'This document',
    description: 'OpenAPI 3.0 of every API path; the browsable form is at /docs.',
    tags: OPERATOR,
    flavour: 'operator',
    security: 'none',
    responses: { '200': { description: 'OpenAPI 3.0.3 JSON.', schema: obj({ openapi: str('3.0.3') }), json: { openapi: '3.0.3', info: { title: 'Switchboard' } } } },
  },
};
