/** Socket-level failures: the server is down, restarting, or the network between us dropped. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs that mean "this connection is gone or cannot be used yet", not "this statement is
 * wrong": class 08 (connection exception), 57P01–57P03 (server shutting down, crashed, starting).
 */
function isConnectionSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
}

/**
 * SQLSTATEs of a server that answered and turned the connection away for what it was given: no such
 * database (3D000), no such role or not allowed in (28000), a wrong password (28P01). Waiting or
 * restarting does not help.
 */
const REFUSED_SQLSTATES = new Set(['3D000', '28000', '28P01']);

/** pg's own messages for a client whose socket closed or never opened. */
const LOST = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed and is not queryable/i;

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

/**
 * True when `err` says the database could not be reached or the connection was lost, as opposed to
 * an error in the statement itself. Node 20 reports a refused dual-stack connect as an
 * AggregateError with the real errors inside.
 */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof AggregateError) return err.errors.some(isConnectionError);
  const code = codeOf(err);
  if (code !== undefined && (SOCKET_CODES.has(code) || isConnectionSqlState(code))) return true;
  if (endsSession(err) && !isRefusedConnection(err)) return true;
  return err instanceof Error && LOST.test(err.message);
}

/**
 * A FATAL (or PANIC) error: the server ended or would not start the session, whatever the
 * statement. Beside the states above: a database not accepting connections (55000, `ALTER
 * DATABASE … ALLOW_CONNECTIONS false`, a maintenance switch), too many connections (53300), idle
 * timeouts. The same 55000 raised by a statement is an error of that statement, at ERROR severity.
 */
function endsSession(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('severity' in err)) return false;
  return err.severity === 'FATAL' || err.severity === 'PANIC';
}

/** pg's error for a statement that ran past `query_timeout` (the connection stays open). */
export function isQueryTimeout(err: unknown): boolean {
  return err instanceof Error && err.message === 'Query read timeout';
}

/** A one-line reason for logs and the start-up failure, e.g. `ECONNREFUSED`. */
export function reasonOf(err: unknown): string {
  if (err instanceof AggregateError) {
    const first: unknown = err.errors[0];
    if (first !== undefined) return reasonOf(first);
  }
  const message = err instanceof Error ? err.message : String(err);
  return message === '' ? (codeOf(err) ?? 'unknown error') : message;
}

/** Where the store connects, for messages: the URL without its password. */
export function redactedTarget(url: string): string {
  const u = new URL(url);
  const user = u.username === '' ? '' : `${decodeURIComponent(u.username)}@`;
  return `${user}${u.host}${u.pathname}`;
}

/** True when the server refused the connection for its database, role or password (see REFUSED_SQLSTATES). */
export function isRefusedConnection(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && REFUSED_SQLSTATES.has(code);
}
