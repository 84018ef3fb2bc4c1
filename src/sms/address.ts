/**
 * AT&T SMS addresses (contract §12): what clients put in `address`/`Address`, normalised to E.164
 * for NANP numbers or to digits for short codes.
 */
export type ParsedAddress =
  | { kind: 'msisdn'; e164: string; original: string }
  | { kind: 'shortcode'; code: string; original: string }
  | { kind: 'invalid'; reason: 'email' | 'group' | 'malformed'; original: string };

/** Recipients per Send SMS request (contract §13); configurable by the caller. */
export const DEFAULT_MAX_RECIPIENTS = 50;

/*
 * Short codes: the FAQ says five or six digits, but the Ruby codekit calls anything up to 8 digits
 * a short code and our own examples use 8-digit codes (22627000), so 3–8 digits. Every part of the
 * gateway reads a short code by this one rule: one the admin API took beyond it could be neither
 * texted nor polled (ten digits are a phone number).
 */
export const SHORT_CODE_DIGITS = { min: 3, max: 8 } as const;
/** The digits of a short code as a pattern source, also the console form's `pattern` attribute. */
export const SHORT_CODE_PATTERN = `[0-9]{${SHORT_CODE_DIGITS.min},${SHORT_CODE_DIGITS.max}}`;
const SHORT_CODE = new RegExp(`^${SHORT_CODE_PATTERN}$`);

/** Whether `digits` is a short code as it is (no scheme, no separators): `isShortCode('22627000')`. */
export function isShortCode(digits: string): boolean {
  return SHORT_CODE.test(digits);
}
/*
 * Ten digits, after an optional `+1`/`1`, are a US number: contract §12's "10 NANP digits" read as
 * a count, not as the numbering plan's shape. The seed's own examples send to `tel:1234567890`
 * and show `3500000992` and `+12071111111` (an area code starting with 1, an exchange 000 and an
 * N11 one), and AT&T's samples send to 555-555-5555; a client copying them must not get SVC0004.
 * Whether a number is in service is the network's answer, not the parser's.
 */
const NANP = /^(?:\+?1)?(\d{10})$/;

/** Trim, URL-decode (`tel%3A%2B1…`) and drop the separators people type: '-', whitespace, '(', ')', '.'. */
function clean(input: string): string | null {
  let s = input.trim();
  if (s.includes('%')) {
    try {
      s = decodeURIComponent(s);
    } catch {
      return null; // a stray '%' that is not an escape
    }
  }
  return s.replace(/[\s\-().]/g, '');
}

/** Drop a case-insensitive `scheme:` prefix when present. */
function stripScheme(s: string, scheme: string): string | null {
  return s.slice(0, scheme.length + 1).toLowerCase() === `${scheme}:` ? s.slice(scheme.length + 1) : null;
}

/**
 * Parse one address.
 *
 * @example parseAddress('tel:+1 (425) 555-0100') // { kind: 'msisdn', e164: '+14255550100', original: … }
 * @example parseAddress('short:22627000')        // { kind: 'shortcode', code: '22627000', original: … }
 */
export function parseAddress(original: string): ParsedAddress {
  const invalid = (reason: 'email' | 'group' | 'malformed'): ParsedAddress => ({ kind: 'invalid', reason, original });
  const s = clean(original);
  if (s === null || s === '') return invalid('malformed');
  if (s.includes('@')) return invalid('email'); // valid for MMS, not for SMS
  if (/^(?:map|group):/i.test(s) || s.toLowerCase() === 'group') return invalid('group');

  const short = stripScheme(s, 'short');
  if (short !== null) {
    return SHORT_CODE.test(short) ? { kind: 'shortcode', code: short, original } : invalid('malformed');
  }

  const body = stripScheme(s, 'tel') ?? s;
  const nanp = NANP.exec(body);
  if (nanp?.[1] !== undefined) {
    return { kind: 'msisdn', e164: `+1${nanp[1]}`, original };
  }
  // `tel:12345`, `12345` and the odd `tel:+22627000` are short codes.
  const code = body.startsWith('+') ? body.slice(1) : body;
  if (SHORT_CODE.test(code)) return { kind: 'shortcode', code, original };
  return invalid('malformed');
}

/** E.164 of a NANP address in any accepted spelling, else null. */
export function toE164(input: string): string | null {
  const a = parseAddress(input);
  return a.kind === 'msisdn' ? a.e164 : null;
}

/** Digits of a short-code address (`tel%3A12345`, `tel:12345`, `short:12345`, `12345`, `tel:+22627000`), else null. */
export function parseShortCode(input: string): string | null {
  const a = parseAddress(input);
  return a.kind === 'shortcode' ? a.code : null;
}

/** The form Switchboard writes on output (contract §12): `tel:+14255550100`. */
export function toTelUri(e164: string): string {
  return `tel:${e164}`;
}

/** Lists in lists in `address` that are still read; one level is all any client sends. */
const MAX_ADDRESS_NESTING = 2;

/**
 * Flatten whatever a request carried as `address` into single addresses: a bare string, a
 * comma-joined string (Worklight), an array of either, or repeated form keys. Empty entries are
 * dropped; values that are neither strings nor numbers are kept as text so they fail as malformed
 * instead of vanishing — so are lists nested deeper than `MAX_ADDRESS_NESTING`, which a body could
 * otherwise nest until the stack runs out.
 */
export function splitAddressList(input: unknown, depth = 0): string[] {
  if (input === undefined || input === null) return [];
  if (Array.isArray(input)) {
    return depth < MAX_ADDRESS_NESTING ? (input as unknown[]).flatMap((item) => splitAddressList(item, depth + 1)) : ['[nested list]'];
  }
  if (typeof input === 'number' || typeof input === 'bigint' || typeof input === 'boolean') return [String(input)];
  if (typeof input !== 'string') return [`[${typeof input}]`]; // one entry that parses as malformed
  return input
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

export interface Recipient {
  e164: string;
  /** The caller's own spelling, echoed in `DeliveryInfo.Address`. */
  original: string;
}

export type RecipientsResult =
  | { ok: true; recipients: Recipient[] }
  | { ok: false; code: 'SVC0004' | 'POL0003' | 'POL0013'; variables: string[] };

/**
 * Validate a Send SMS request's destinations (design.md §3, contract §3.1/§12/§14):
 * - none at all → SVC0004 `Address`
 * - more than `max` entries → POL0003 `Address` (checked before parsing, so a huge list costs nothing)
 * - any entry that is malformed, an email, a group (`map:group`) or a short code → SVC0004 `Address`
 *   (contract §12 gives SVC0004 for groups too; OneAPI's POL0006 is not used)
 * - the same number twice after normalisation → POL0013, Variables the duplicated numbers as `tel:+1…`
 */
export function parseRecipients(input: unknown, options: { max?: number } = {}): RecipientsResult {
  const max = options.max ?? DEFAULT_MAX_RECIPIENTS;
  const list = splitAddressList(input);
  if (list.length === 0) return { ok: false, code: 'SVC0004', variables: ['Address'] };
  if (list.length > max) return { ok: false, code: 'POL0003', variables: ['Address'] };

  const recipients: Recipient[] = [];
  for (const original of list) {
    const a = parseAddress(original);
    if (a.kind !== 'msisdn') return { ok: false, code: 'SVC0004', variables: ['Address'] };
    recipients.push({ e164: a.e164, original });
  }

  // Map keeps first-appearance order, so the duplicates are reported in the order the caller listed them.
  const counts = new Map<string, number>();
  for (const r of recipients) counts.set(r.e164, (counts.get(r.e164) ?? 0) + 1);
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([e164]) => toTelUri(e164));
  if (duplicated.length > 0) return { ok: false, code: 'POL0013', variables: duplicated };
  return { ok: true, recipients };
}
