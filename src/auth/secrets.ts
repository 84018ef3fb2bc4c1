import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Credentials are hex strings: they survive form bodies and query strings unencoded (the 2012 C#
 * sample concatenates them raw into the token request).
 */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** The OAuth `client_id` of a new app. */
export const newAppKey = (): string => randomHex(16);
const APP_KEY = /^[0-9a-f]{32}$/;
/**
 * Whether `value` has the form of every App Key ever made (newAppKey): anything else is no app's,
 * and is not looked up (a NUL, say, which PostgreSQL refuses in a text parameter).
 */
export const isAppKey = (value: string): boolean => APP_KEY.test(value);
/**
 * A new App Secret (`client_secret`): 96 bits, so that `appKey:appSecret` is 57 bytes, whose
 * base64 (76 characters) is one line. The GSMA OneAPI reference Java and Python libraries build
 * their HTTP Basic header with MIME base64 (commons-codec 1.4, `base64.encodestring`), which
 * breaks longer values into lines: Java refuses to send such a header and Python raises.
 */
export const newAppSecret = (): string => randomHex(12);
/** A new access or refresh token. */
export const newToken = (): string => randomHex(24);
/** A new per-app HMAC key for webhook signatures. */
export const newSigningSecret = (): string => randomHex(32);
/** A new admin API token. */
export const newAdminToken = (): string => randomHex(24);

/** SHA-256 (hex): how tokens are stored. Tokens are long random values, so a fast hash suffices. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

// scrypt cost: ~16 MiB and a few tens of ms per check, run on libuv's pool (not the event loop).
const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(secret: string, salt: Buffer, n: number, r: number, p: number, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, length, { N: n, r, p, maxmem: 256 * n * r }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes an App Secret for storage: `scrypt$N$r$p$salt$hash` (salt and hash base64). */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, N, R, P, KEY_LENGTH);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Checks an App Secret against its stored hash in constant time; false for a malformed hash. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || n === undefined || r === undefined || p === undefined || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await derive(secret, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p), expected.length);
  return expected.length > 0 && timingSafeEqual(actual, expected);
}

/**
 * A hash no secret matches, checked when the client_id is unknown so that an unknown client and a
 * wrong secret take the same time.
 */
export const DUMMY_SECRET_HASH = `scrypt$${N}$${R}$${P}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_LENGTH).toString('base64')}`;
