/** The scope of the SMS API (contract.md §1.2): Send SMS, delivery status, Get SMS, notifications. */
export const SMS_SCOPE = 'SMS';

const SCOPE_NAME = /^[A-Z0-9][A-Z0-9_.:-]{0,63}$/;

/**
 * Splits a scope list as clients send it: `SMS`, `SMS,MMS`, `SMS MMS` (RFC 6749 uses spaces, AT&T
 * commas). Names are upper-cased (AT&T scopes are upper case), de-duplicated, empties dropped.
 */
export function parseScopes(input: string | readonly string[]): string[] {
  const parts = typeof input === 'string' ? [input] : input;
  const out: string[] = [];
  for (const part of parts) {
    for (const raw of part.split(/[\s,]+/)) {
      const name = raw.trim().toUpperCase();
      if (name !== '' && !out.includes(name)) out.push(name);
    }
  }
  return out;
}

/** The names in `scopes` that are not valid scope names (letters, digits, `_ . : -`). */
export function invalidScopeNames(scopes: readonly string[]): string[] {
  return scopes.filter((s) => !SCOPE_NAME.test(s));
}

/** The requested scopes the app was not given. */
export function missingScopes(requested: readonly string[], granted: readonly string[]): string[] {
  return requested.filter((s) => !granted.includes(s));
}
