/**
 * The API's error catalogue, keyed by the wire id (contract.md §14). Text templates keep `%1`/`%2`
 * unsubstituted: AT&T clients substitute them with `Variables` themselves.
 */
export const CATALOGUE = {
  SVC0001: { exception: 'Service', status: 400, text: 'A service error occurred. Error code is %1' },
  SVC0002: { exception: 'Service', status: 400, text: 'Invalid input value for message part %1' },
  SVC0003: { exception: 'Service', status: 400, text: 'Invalid input value for message part %1, valid values are %2' },
  // AT&T's live gateway said "in the message part" (HTML5 SDK tests); OneAPI says "in message part".
  SVC0004: { exception: 'Service', status: 400, text: 'No valid addresses provided in message part %1', attText: 'No valid addresses provided in the message part %1' },
  SVC0005: { exception: 'Service', status: 409, text: 'Correlator %1 specified in message part %2 is a duplicate' },
  SVC0006: { exception: 'Service', status: 400, text: 'Group %1 in message part %2 is not a valid group' },
  SVC0280: { exception: 'Service', status: 400, text: 'Message too long. Maximum length is %1 characters.' },
  SVC0283: { exception: 'Service', status: 400, text: 'Delivery receipt notification not supported.' },
  SVC1000: { exception: 'Service', status: 503, text: 'No resources' },
  POL0001: { exception: 'Policy', status: 403, text: 'A policy error occurred. Error code is %1' },
  POL0002: { exception: 'Policy', status: 403, text: 'Privacy verification failed for address %1, request is refused' },
  POL0003: { exception: 'Policy', status: 400, text: 'Too many addresses specified in message part %1' },
  POL0004: { exception: 'Policy', status: 403, text: 'Unlimited notification request not supported' },
  POL0006: { exception: 'Policy', status: 403, text: 'Group specified in message part %1 not allowed' },
  POL0007: { exception: 'Policy', status: 403, text: 'Nested groups specified in message part %1 not allowed' },
  POL0008: { exception: 'Policy', status: 403, text: 'Charging is not supported' },
  POL0010: { exception: 'Policy', status: 404, text: 'Requested information unavailable as the retention time interval has expired' },
  POL0011: { exception: 'Policy', status: 403, text: 'Media type not supported' },
  POL0013: { exception: 'Policy', status: 400, text: 'Duplicated addresses %1' },
  POL1009: { exception: 'Policy', status: 403, text: 'User has not been provisioned for %1' },
  POL1010: { exception: 'Policy', status: 403, text: 'User has been suspended from %1' },
} as const satisfies Record<string, { exception: 'Service' | 'Policy'; status: number; text: string; attText?: string }>;

export type ErrorId = keyof typeof CATALOGUE;

export interface ApiErrorOptions {
  /** HTTP status when it differs from the catalogue's (POL0001 is 400, 401 or 403). */
  status?: number;
  headers?: Record<string, string>;
  /**
   * What the error says on the surfaces without the API's envelope (/oauth, the operator APIs, the
   * console), for an error the framework raises on every path: the catalogue's templates are the
   * API's wording ("Invalid input value for message part Header").
   */
  description?: string;
}

/**
 * A client-facing API error. Thrown anywhere below the HTTP layer; the error plugin renders it in
 * the envelope of the path's flavour (AT&T PascalCase or OneAPI lower-camel), in JSON or XML.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly #description: string | undefined;

  constructor(readonly id: ErrorId, readonly variables: readonly string[] = [], options: ApiErrorOptions = {}) {
    super(`${id}: ${CATALOGUE[id].text}${variables.length ? ` (${variables.join(', ')})` : ''}`);
    this.name = 'ApiError';
    this.status = options.status ?? CATALOGUE[id].status;
    this.headers = options.headers ?? {};
    this.#description = options.description;
  }

  get exception(): 'Service' | 'Policy' {
    return CATALOGUE[this.id].exception;
  }

  get text(): string {
    return CATALOGUE[this.id].text;
  }

  /** The text as the AT&T RESTful paths word it, where that differs from OneAPI's. */
  get attText(): string {
    const entry: { text: string; attText?: string } = CATALOGUE[this.id];
    return entry.attText ?? entry.text;
  }

  /** The text with the variables in place of `%1`, `%2`: for bodies that carry no `Variables`. */
  get filledText(): string {
    return this.text.replace(/%(\d)/g, (_, n: string) => this.variables[Number(n) - 1] ?? '');
  }

  /** The text for the surfaces without the API's envelope: the description given, else filledText. */
  get plainText(): string {
    return this.#description ?? this.filledText;
  }
}

/** An error of the operator surfaces (admin API, simulator API): `{"error":{"code","message"}}`. */
export class OperatorError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'OperatorError';
  }

  /**
   * The operator surfaces' error for an API error thrown below them (a body parser's, a path the
   * router cannot read): their own codes (README "Admin API"), not the API's wire ids.
   */
  static of(err: ApiError): OperatorError {
    return new OperatorError(err.status, operatorCode(err.status), err.plainText);
  }
}

/** The operator surfaces' code of an error status that has no more specific one. */
export function operatorCode(status: number): string {
  switch (status) {
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 413:
      return 'body_too_large';
    case 415:
      return 'unsupported_media_type';
    case 503:
      return 'unavailable';
    default:
      // The gateway's own failure is not the operator's mistake to mend.
      return status >= 500 ? 'internal_error' : 'invalid_request';
  }
}

/** RFC 6749 §5.2 error of the token endpoints. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope',
    readonly description: string,
    /** Headers the answer carries (Retry-After of a refusal). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}
