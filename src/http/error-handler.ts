import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError, OAuthError, OperatorError, operatorCode } from '../errors.js';
import { errorAnswer } from '../console/layout.js';
import { AppGoneError, StoreUnavailableError } from '../store/store.js';
import { appGoneRefusal } from './api-auth.js';
import { asciiJson, flavourOf, JSON_TYPE, sendRepresentation, sendText, type Flavour } from './representation.js';

/**
 * The error body of a flavour. AT&T RESTful: PascalCase keys and `Variables` one string;
 * OneAPI: lower-camel keys and `variables` an array (contract.md §1.3).
 */
export function errorEnvelope(flavour: 'att' | 'oneapi', err: ApiError): Record<string, unknown> {
  if (flavour === 'oneapi') {
    const key = err.exception === 'Service' ? 'serviceException' : 'policyException';
    return { requestError: { [key]: { messageId: err.id, text: err.text, variables: [...err.variables] } } };
  }
  const key = err.exception === 'Service' ? 'ServiceException' : 'PolicyException';
  return { RequestError: { [key]: { MessageId: err.id, Text: err.attText, Variables: err.variables.join(',') } } };
}

function fieldOfValidation(error: FastifyError): string {
  const first = error.validation?.[0];
  if (first === undefined) return 'Body';
  const params = first.params;
  if (typeof params.missingProperty === 'string') return params.missingProperty;
  const path = first.instancePath.split('/').filter(Boolean);
  return path.at(-1) ?? error.validationContext ?? 'Body';
}

/**
 * The operator surfaces' message for a schema violation. Fastify's names neither the allowed
 * values (`body/realm must be equal to one of the allowed values`) nor the unknown field
 * (`body must NOT have additional properties`); an operator needs both to mend the request.
 */
function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (first === undefined) return error.message;
  const where = `${error.validationContext ?? 'body'}${first.instancePath}`;
  const { allowedValues, additionalProperty } = first.params as { allowedValues?: unknown; additionalProperty?: unknown };
  if (Array.isArray(allowedValues)) return `${where} must be one of ${allowedValues.map(String).join(', ')}`;
  if (typeof additionalProperty === 'string') return `${where} has no field "${additionalProperty}"`;
  return error.message;
}

/** What a store outage is called where the answer has text of its own (a server's or file's name is not for clients). */
export const STORE_UNAVAILABLE_TEXT = 'the store cannot be reached for now; retry later';

/** Maps anything thrown during a request to the API error of the client's mistake, or a 5xx. */
function toApiError(error: FastifyError): ApiError | undefined {
  if (error instanceof ApiError) return error;
  // The database is unreachable for now: a retryable 503, not an internal error.
  if (error instanceof StoreUnavailableError) return new ApiError('SVC1000', [], { headers: { 'retry-after': '1' } });
  if (error.validation !== undefined) return new ApiError('SVC0002', [fieldOfValidation(error)]);
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('SVC0002', ['Body'], { status: 413 });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_TYPE':
      return new ApiError('POL0011', [], { status: 415 });
    default:
      break;
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ApiError('SVC0002', ['Body'], { status });
  return undefined;
}

/**
 * The RFC 6749 error code of a failure that is not the client's credentials or grant: the
 * request's (4xx), or ours — `temporarily_unavailable` (503), `server_error` (any other 5xx).
 * RFC 6749 defines those two for the authorization endpoint's redirect (§4.1.2.1) and gives the
 * token endpoint (§5.2) no code for a failure of the server; `invalid_request` would tell the
 * client to mend a request that was right, so the token endpoint answers them too.
 */
function oauthErrorOf(status: number): 'invalid_request' | 'temporarily_unavailable' | 'server_error' {
  if (status < 500) return 'invalid_request';
  return status === 503 ? 'temporarily_unavailable' : 'server_error';
}

/** The answer to an API error on the surfaces whose body does not depend on Accept. */
export function plainErrorAnswer(flavour: 'oauth' | 'operator' | 'console', err: ApiError): { type: string; text: string; headers: Record<string, string> } {
  if (flavour === 'oauth') {
    return { type: JSON_TYPE, text: asciiJson({ error: oauthErrorOf(err.status), error_description: err.plainText }), headers: { 'cache-control': 'no-store' } };
  }
  const operator = OperatorError.of(err);
  if (flavour === 'console') return errorAnswer(operator.status, operator.message);
  return { type: JSON_TYPE, text: asciiJson({ error: { code: operator.code, message: operator.message } }), headers: {} };
}

export function sendApiError(request: FastifyRequest, reply: FastifyReply, flavour: Flavour, err: ApiError): FastifyReply {
  for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
  if (flavour === 'att' || flavour === 'oneapi') return sendRepresentation(request, reply, err.status, errorEnvelope(flavour, err));
  const answer = plainErrorAnswer(flavour, err);
  return sendText(reply.code(err.status).headers(answer.headers), answer.type, answer.text);
}

/**
 * One error handler for every surface: the client's mistakes get the documented body of the path's
 * flavour in the representation it asked for; anything else is logged and answered 500 without a
 * stack trace.
 */
export const errorHandler = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const flavour = flavourOf(request.url);
    if (error instanceof OAuthError) {
      return reply.code(error.status).headers(error.headers).header('cache-control', 'no-store').send({ error: error.error, error_description: error.description });
    }
    if (error instanceof OperatorError) {
      return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
    }
    const apiError = error instanceof AppGoneError ? appGoneRefusal(request) : toApiError(error);
    if (apiError === undefined) {
      request.log.error({ err: error }, 'request failed');
      const internal = new ApiError('SVC0001', ['Internal'], { status: 500, description: 'internal error' });
      return sendApiError(request, reply, flavour, internal);
    }
    // The headers the error carries (Retry-After of a store outage), whatever the flavour's body.
    for (const [name, value] of Object.entries(apiError.headers)) reply.header(name, value);
    const unavailable = error instanceof StoreUnavailableError ? STORE_UNAVAILABLE_TEXT : undefined;
    if (flavour === 'operator' && !(error instanceof ApiError)) {
      return reply.code(apiError.status).send({ error: { code: operatorCode(apiError.status), message: unavailable ?? validationMessage(error) } });
    }
    if (flavour === 'oauth' && !(error instanceof ApiError)) {
      return reply.code(apiError.status).header('cache-control', 'no-store').send({ error: oauthErrorOf(apiError.status), error_description: unavailable ?? error.message });
    }
    return sendApiError(request, reply, flavour, apiError);
  });
});
