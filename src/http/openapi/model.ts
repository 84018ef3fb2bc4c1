/**
 * How an operation is documented, independent of the route code: the route files keep their own
 * (validating) schemas, and openapi.ts joins each registered route to its `OperationDoc` by method
 * and path. Bodies are heterogeneous on this API (JSON, XML and form variants, case-insensitive
 * keys) and validated in domain code, so these schemas describe; they never validate.
 */

/** Which error envelope the operation answers with (see http/error-handler.ts). */
export type DocFlavour = 'att' | 'oneapi' | 'oauth' | 'operator';

/** OAuth access token (API), admin token (/admin), client credentials (/oauth), none (/sim, /healthz). */
export type DocSecurity = 'oauth' | 'admin' | 'client' | 'none';

export type JsonSchema = Record<string, unknown>;

export interface ParamDoc {
  readonly description: string;
  readonly example: string | number;
  readonly required?: boolean;
}

/**
 * A request body: the schema of its JSON form and a worked example per media type it takes. /docs
 * (Swagger UI) sends the JSON example as it is, the XML one only under a schema that names its
 * root element (taken from the example), and a form built field by field from the form schema's
 * properties, each pre-filled with its `example`: `formFields` are the flat keys the gateway reads
 * in a form (default: `schema`, when the JSON body is flat already), and each gets its example from
 * `form` (empty when `form` has none).
 */
export interface BodyDoc {
  readonly schema: JsonSchema;
  readonly json?: unknown;
  readonly xml?: string;
  readonly form?: string;
  readonly formFields?: JsonSchema;
  readonly description?: string;
}

export interface ResponseDoc {
  readonly description: string;
  readonly schema?: JsonSchema;
  readonly json?: unknown;
  readonly xml?: string;
  readonly text?: string;
  readonly headers?: Record<string, string>;
}

/** An operation's own account of an error status, where the flavour's typical one does not fit it. */
export interface ErrorDoc {
  /** Which refusals answer this status on this operation, with their ids. */
  readonly why?: string;
  /** The example's variables, as the gateway fills them on this operation. */
  readonly variables?: readonly string[];
}

export interface OperationDoc {
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly flavour: DocFlavour;
  readonly security: DocSecurity;
  readonly params?: Record<string, ParamDoc>;
  readonly query?: Record<string, ParamDoc>;
  readonly body?: BodyDoc;
  /** Success answers by status code. */
  readonly responses: Record<string, ResponseDoc>;
  /** Error statuses; each gets the envelope of the flavour with a typical example. */
  readonly errors?: readonly number[];
  /** Where this operation's refusals differ from the typical example of a status. */
  readonly errorDocs?: Readonly<Record<number, ErrorDoc>>;
}

export const MEDIA = {
  json: 'application/json',
  xml: 'application/xml',
  form: 'application/x-www-form-urlencoded',
  text: 'text/plain',
} as const;

/** A schema of plain strings with descriptions: the common shape of this API's objects. */
export function obj(properties: Record<string, JsonSchema>, required: readonly string[] = []): JsonSchema {
  return required.length === 0 ? { type: 'object', properties } : { type: 'object', properties, required: [...required] };
}

export const str = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'string', description, ...extra });
export const int = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'integer', description, ...extra });
export const bool = (description: string): JsonSchema => ({ type: 'boolean', description });
export const arr = (items: JsonSchema, description?: string): JsonSchema =>
  description === undefined ? { type: 'array', items } : { type: 'array', items, description };
export const nullable = (schema: JsonSchema): JsonSchema => ({ ...schema, nullable: true });
