import { SHORT_CODE_DIGITS } from '../../sms/address.js';
import { MEDIA, obj, str, type BodyDoc, type DocFlavour, type DocSecurity, type ErrorDoc, type JsonSchema, type OperationDoc, type ResponseDoc } from './model.js';

type Json = Record<string, unknown>;

/** `POST /2/smsmessaging/outbound/:senderAddress/requests` → `POST /{v}/smsmessaging/…`: one doc serves every OneAPI version. */
export function docKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${url.replace(/^\/\d+\/smsmessaging\//, '/{v}/smsmessaging/')}`;
}

/** Reusable schemas: the error envelope of each flavour (contract.md §1.3). */
export const COMPONENT_SCHEMAS: Record<string, JsonSchema> = {
  AttRequestError: {
    description: 'AT&T RESTful error: PascalCase keys; `Variables` one string; `%1` in `Text` left for the client to fill.',
    ...obj({
      RequestError: obj({
        ServiceException: obj({ MessageId: str('SVC…'), Text: str('Template.'), Variables: str('Comma-joined values.') }),
        PolicyException: obj({ MessageId: str('POL…'), Text: str('Template.'), Variables: str('Comma-joined values.') }),
      }),
    }),
  },
  OneApiRequestError: {
    description: 'GSMA OneAPI error: lower-camel keys; `variables` an array.',
    ...obj({
      requestError: obj({
        serviceException: obj({ messageId: str('SVC…'), text: str('Template.'), variables: { type: 'array', items: { type: 'string' } } }),
        policyException: obj({ messageId: str('POL…'), text: str('Template.'), variables: { type: 'array', items: { type: 'string' } } }),
      }),
    }),
  },
  OAuthError: { description: 'RFC 6749 §5.2 error.', ...obj({ error: str('invalid_request, invalid_client, invalid_grant, unsupported_grant_type, invalid_scope; server_error (500) and temporarily_unavailable (503) for a failure of the gateway.'), error_description: str('Why.') }) },
  OperatorError: { description: 'Admin and simulator error.', ...obj({ error: obj({ code: str('Machine-readable code.'), message: str('Why.') }) }) },
};

export const SECURITY_SCHEMES = {
  oauth: {
    type: 'oauth2',
    description: 'Access token from /oauth/v4/token, as `Authorization: Bearer …` (any scheme case; `OAuth …` too) or `?access_token=`.',
    flows: { clientCredentials: { tokenUrl: '/oauth/v4/token', scopes: { SMS: 'Send and receive SMS' } } },
  },
  admin: { type: 'http', scheme: 'bearer', description: 'The admin token (SWITCHBOARD_ADMIN_TOKEN, or the one printed at first start).' },
  client: { type: 'http', scheme: 'basic', description: 'App Key and App Secret; they may come in the body instead.' },
  appBasic: {
    type: 'http',
    scheme: 'basic',
    description:
      'App Key as user name, App Secret as password, on every call (what the GSMA OneAPI reference libraries send): the app with all its scopes. Prefer a token: a wrong secret is 401, and failed checks count with /oauth\'s.',
  },
} as const;

export function securityOf(security: DocSecurity): Json[] {
  switch (security) {
    case 'oauth':
      return [{ oauth: ['SMS'] }, { appBasic: [] }];
    case 'admin':
      return [{ admin: [] }];
    case 'client':
      return [{ client: [] }, {}];
    case 'none':
      return [];
  }
}

interface ErrorExample {
  readonly id: string;
  readonly exception: 'Service' | 'Policy';
  readonly text: string;
  readonly variables: readonly string[];
  readonly why: string;
}

const API_ERRORS: Record<number, ErrorExample> = {
  400: { id: 'SVC0002', exception: 'Service', text: 'Invalid input value for message part %1', variables: ['Message'], why: 'Invalid input (SVC0002), or POL0001 without a token.' },
  401: { id: 'POL0001', exception: 'Policy', text: 'A policy error occurred. Error code is %1', variables: ['Access token invalid or expired'], why: 'Unknown, expired or revoked access token; with HTTP Basic, an unknown App Key, a wrong secret or a malformed header (`WWW-Authenticate: Basic`).' },
  403: {
    id: 'POL0001',
    exception: 'Policy',
    text: 'A policy error occurred. Error code is %1',
    variables: ['Access token not valid for SMS'],
    why: 'Scope missing (POL0001), app suspended (POL1010) or, with HTTP Basic, too many failed checks of the App Key from this address (POL0001, with Retry-After).',
  },
  409: { id: 'SVC0005', exception: 'Service', text: 'Correlator %1 specified in message part %2 is a duplicate', variables: ['order-1234', 'clientCorrelator'], why: 'Idempotency key or clientCorrelator reused for a different request.' },
  413: { id: 'SVC0002', exception: 'Service', text: 'Invalid input value for message part %1', variables: ['Body'], why: 'Body over SWITCHBOARD_BODY_LIMIT_BYTES.' },
  415: { id: 'POL0011', exception: 'Policy', text: 'Media type not supported', variables: [], why: 'Not JSON, XML or form.' },
  503: { id: 'SVC1000', exception: 'Service', text: 'No resources', variables: [], why: 'The store cannot be reached for now (Retry-After).' },
};

const OPERATOR_ERRORS: Record<number, { code: string; message: string; why: string }> = {
  400: { code: 'invalid_request', message: `shortCode must be ${SHORT_CODE_DIGITS.min} to ${SHORT_CODE_DIGITS.max} digits`, why: 'Invalid input.' },
  401: { code: 'unauthorized', message: 'a valid admin token is required (Authorization: Bearer <token>)', why: 'No or wrong admin token.' },
  403: { code: 'forbidden', message: 'a browser page of another origin may not drive the simulated network', why: 'A change sent by a browser from another origin (`Origin`, `Sec-Fetch-Site: cross-site`).' },
  404: { code: 'not_found', message: 'no app with id cff8d7c0-002a-461c-bee1-a8992815ad07', why: 'No such app or item.' },
  409: { code: 'short_code_taken', message: 'short code 22627000 already belongs to an app', why: 'Conflict with the current state.' },
  415: { code: 'unsupported_media_type', message: 'Unsupported Media Type: application/x-www-form-urlencoded', why: 'A body that is not JSON.' },
  429: { code: 'too_many_requests', message: 'too many failed admin token checks from this address; retry in 42 s', why: 'SWITCHBOARD_AUTH_FAILURES_PER_MINUTE failed checks from this address this minute (Retry-After).' },
  503: { code: 'network_down', message: 'the simulated network is down', why: 'The network is down.' },
};

const OAUTH_ERRORS: Record<number, { error: string; description: string; why: string }> = {
  400: { error: 'invalid_request', description: 'grant_type is required', why: 'Missing or bad parameter, unsupported grant, invalid grant or scope.' },
  401: {
    error: 'invalid_client',
    description: 'unknown client or wrong secret',
    why: 'Client authentication failed; or, with Retry-After and without a check, SWITCHBOARD_AUTH_FAILURES_PER_MINUTE failed ones for this client_id from this address this minute (ten times that for all its client_ids): "too many failed client authentications from this address; retry in 42 s".',
  },
};

function attXml(e: ErrorExample): string {
  const tag = `${e.exception}Exception`;
  return `<?xml version="1.0" encoding="UTF-8"?><RequestError><${tag}><MessageId>${e.id}</MessageId><Text>${e.text}</Text><Variables>${e.variables.join(',')}</Variables></${tag}></RequestError>`;
}

function oneapiXml(e: ErrorExample): string {
  const tag = `${e.exception === 'Service' ? 'service' : 'policy'}Exception`;
  const vars = e.variables.map((v) => `<variables>${v}</variables>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><requestError><${tag}><messageId>${e.id}</messageId><text>${e.text}</text>${vars}</${tag}></requestError>`;
}

function errorResponse(flavour: DocFlavour, status: number, own: ErrorDoc = {}): Json {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  if (flavour === 'att' || flavour === 'oneapi') {
    const typical = API_ERRORS[status] ?? API_ERRORS[400];
    if (typical === undefined) throw new Error(`no example for ${status}`);
    const e: ErrorExample = { ...typical, ...own };
    const json =
      flavour === 'att'
        ? { RequestError: { [`${e.exception}Exception`]: { MessageId: e.id, Text: e.text, Variables: e.variables.join(',') } } }
        : { requestError: { [`${e.exception === 'Service' ? 'service' : 'policy'}Exception`]: { messageId: e.id, text: e.text, variables: [...e.variables] } } };
    const schema = ref(flavour === 'att' ? 'AttRequestError' : 'OneApiRequestError');
    return {
      description: e.why,
      content: {
        [MEDIA.json]: { schema, example: json },
        [MEDIA.xml]: { schema, example: flavour === 'att' ? attXml(e) : oneapiXml(e) },
      },
    };
  }
  if (flavour === 'oauth') {
    const e = OAUTH_ERRORS[status] ?? OAUTH_ERRORS[400];
    if (e === undefined) throw new Error(`no example for ${status}`);
    return { description: e.why, content: { [MEDIA.json]: { schema: ref('OAuthError'), example: { error: e.error, error_description: e.description } } } };
  }
  const e = OPERATOR_ERRORS[status] ?? OPERATOR_ERRORS[400];
  if (e === undefined) throw new Error(`no example for ${status}`);
  return { description: e.why, content: { [MEDIA.json]: { schema: ref('OperatorError'), example: { error: { code: e.code, message: e.message } } } } };
}

function successResponse(flavour: DocFlavour, r: ResponseDoc): Json {
  const out: Json = { description: r.description };
  if (r.headers !== undefined) {
    out.headers = Object.fromEntries(Object.entries(r.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]));
  }
  const content: Json = {};
  const schema = r.schema ?? { type: 'object' };
  if (r.json !== undefined) content[MEDIA.json] = { schema, example: r.json };
  // Every AT&T and OneAPI answer also comes as XML when Accept asks for it.
  if (r.xml !== undefined && (flavour === 'att' || flavour === 'oneapi')) content[MEDIA.xml] = { schema, example: r.xml };
  if (r.text !== undefined) content[MEDIA.text] = { schema: { type: 'string' }, example: r.text };
  if (Object.keys(content).length > 0) out.content = content;
  return out;
}

/**
 * The schema of an XML body: the element the example's root names, with its children. Swagger UI
 * sends the example only under a schema that names its root element; else a comment.
 */
function xmlSchema(schema: JsonSchema, example: string): JsonSchema {
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<([A-Za-z_][\w.-]*)/.exec(example)?.[1];
  if (root === undefined) throw new Error(`no root element in ${example}`);
  const wrapped = (schema.properties as Record<string, JsonSchema> | undefined)?.[root];
  return { ...(wrapped ?? schema), xml: { name: root } };
}

/**
 * The schema of a form body: its flat keys, each with the value of the form example (repeated keys
 * comma-joined, as the gateway reads a list), or empty: Swagger UI fills each field with its
 * property's example, or "string" when there is none.
 */
function formSchema(body: BodyDoc, example: string): JsonSchema {
  const fields = body.formFields ?? body.schema;
  const values = new URLSearchParams(example);
  const properties = Object.fromEntries(Object.entries(fields.properties as Record<string, JsonSchema>).map(([key, p]) => [key, { ...p, example: values.getAll(key).join(',') }]));
  const unknown = [...values.keys()].filter((key) => !(key in properties));
  if (unknown.length > 0) throw new Error(`form example keys ${unknown.join(', ')} are not fields`);
  return { ...fields, properties };
}

/** The requestBody, responses and parameters of an operation, as OpenAPI 3.0 objects. */
export function operationParts(doc: OperationDoc): { requestBody?: Json; responses: Json; parameters: Json[] } {
  const responses: Json = {};
  for (const [status, r] of Object.entries(doc.responses)) responses[status] = successResponse(doc.flavour, r);
  const errors = [...(doc.errors ?? [])];
  // Where the admin token is checked, too many failures from one address are 429; /oauth answers
  // them 401 invalid_client, as AT&T clients know no 429 (contract §13).
  if (doc.flavour === 'operator' && errors.includes(401)) errors.push(429);
  for (const status of errors) responses[String(status)] = errorResponse(doc.flavour, status, doc.errorDocs?.[status]);

  const parameters: Json[] = [];
  for (const [name, p] of Object.entries(doc.params ?? {})) {
    parameters.push({ name, in: 'path', required: true, description: p.description, schema: { type: 'string' }, example: p.example });
  }
  for (const [name, p] of Object.entries(doc.query ?? {})) {
    parameters.push({ name, in: 'query', required: p.required === true, description: p.description, schema: { type: typeof p.example === 'number' ? 'integer' : 'string' }, example: p.example });
  }

  if (doc.body === undefined) return { responses, parameters };
  const { schema, json, xml, form, description } = doc.body;
  const content: Json = {};
  if (json !== undefined) content[MEDIA.json] = { schema, example: json };
  if (xml !== undefined) content[MEDIA.xml] = { schema: xmlSchema(schema, xml), example: xml };
  if (form !== undefined) content[MEDIA.form] = { schema: formSchema(doc.body, form), example: form };
  const requestBody: Json = { required: true, content };
  if (description !== undefined) requestBody.description = description;
  return { requestBody, responses, parameters };
}
