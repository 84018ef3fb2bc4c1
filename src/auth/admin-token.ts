import type { Config } from '../config.js';
import { OperatorError } from '../errors.js';
import type { Store } from '../store/store.js';
import { newAdminToken, sameDigest, sha256Hex } from './secrets.js';

/** The `meta` key holding the SHA-256 of the generated admin token (the token itself is never stored). */
export const ADMIN_TOKEN_KEY = 'admin_token_sha256';

/**
 * The `meta` key saying where the last gateway started took its admin token: `environment` or
 * `store`. The CLI runs in another environment than the gateway's, so only the store can tell it
 * that a rotation would not be the token in force.
 */
export const ADMIN_TOKEN_SOURCE_KEY = 'admin_token_source';

/**
 * Makes sure an admin token exists. With `SWITCHBOARD_ADMIN_TOKEN` set nothing but that fact is
 * stored; else, on the first start, a token is generated, its hash stored, and the token returned
 * so the caller can print it once. Returns undefined when no new token was made.
 */
export async function ensureAdminToken(store: Store, config: Config): Promise<string | undefined> {
  await store.meta.set(ADMIN_TOKEN_SOURCE_KEY, config.adminToken !== undefined ? 'environment' : 'store');
  if (config.adminToken !== undefined) return undefined;
  if ((await store.meta.get(ADMIN_TOKEN_KEY)) !== undefined) return undefined;
  const token = newAdminToken();
  // Two processes starting together on one database: only the one whose write lands prints.
  return (await store.meta.setIfAbsent(ADMIN_TOKEN_KEY, sha256Hex(token))) ? token : undefined;
}

/**
 * Replaces the stored admin token with a new one and returns it (`switchboard admin-token`);
 * refused while the gateway takes its token from its environment, where the new one would get 401.
 */
export async function rotateAdminToken(store: Store): Promise<string> {
  if ((await store.meta.get(ADMIN_TOKEN_SOURCE_KEY)) === 'environment') {
    throw new OperatorError(
      409,
      'admin_token_from_environment',
      'the gateway takes its admin token from SWITCHBOARD_ADMIN_TOKEN in its environment: change that variable and restart the gateway (or unset it, restart, and run admin-token again)',
    );
  }
  const token = newAdminToken();
  await store.meta.set(ADMIN_TOKEN_KEY, sha256Hex(token));
  return token;
}

/**
 * The SHA-256 of the admin token in force: `SWITCHBOARD_ADMIN_TOKEN` when set, else the stored one
 * (read on every call, so a rotation by the CLI takes effect at once).
 */
export async function adminTokenDigest(store: Store, config: Config): Promise<string | undefined> {
  return config.adminToken !== undefined ? sha256Hex(config.adminToken) : store.meta.get(ADMIN_TOKEN_KEY);
}

/** Whether `presented` is the admin token in force. Digests compared in constant time. */
export async function isAdminToken(store: Store, config: Config, presented: string): Promise<boolean> {
  const expected = await adminTokenDigest(store, config);
  return expected !== undefined && sameDigest(sha256Hex(presented), expected);
}
