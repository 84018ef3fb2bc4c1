/** The scope of the SMS API (contract.md §1.2): Send SMS, delivery status, Get SMS, notifications. */
export const SMS_SCOPE = 'SMS';

/**
 * The AT&T API platform's scope names an app may be given: `SMS` (the only one this gateway
 * serves), and those of the platform's other APIs that codekits and SDKs register beside it and
 * ask for in one token request (the HTML5 SDK's `SMS,MMS,SPEECH,STTC,TTS,ADS,PAYMENT`, the Java
 * samples' `SMS,MMS,WAP,DC,TL,PAYMENT,MOBO,MIM`, the in-app messaging samples' `IMMN,MIM`, the
 * JavaScript samples' `SMS,MMS,WAP,SPEECH,ADS,CCS`, and `CMS`): a token request names every one,
 * so an app must be able to hold them all. Any other name is a typo that would give an app no API.
 */
export const PLATFORM_SCOPES: readonly string[] = [SMS_SCOPE, 'MMS', 'IMMN', 'MIM', 'SPEECH', 'STTC', 'TTS', 'ADS', 'PAYMENT', 'WAP', 'DC', 'TL', 'MOBO', 'CCS', 'CMS'];

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

/** The names in `scopes` (as parseScopes gives them) that are not PLATFORM_SCOPES. */
export function unknownScopes(scopes: readonly string[]): string[] {
  return scopes.filter((s) => !PLATFORM_SCOPES.includes(s));
}

/** The requested scopes the app was not given. */
export function missingScopes(requested: readonly string[], granted: readonly string[]): string[] {
  return requested.filter((s) => !granted.includes(s));
}
