import { readFileSync } from 'node:fs';
import type { Server as HttpsServer } from 'node:https';
import type { Config } from '../config.js';

export interface TlsReloadLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Reads the HTTPS certificate and key again (SIGHUP, after a renewal) and serves new connections
 * with them; connections already open keep theirs. A pair that cannot be read or does not match
 * is refused and the one in use stays: a half-copied renewal must not take the API down.
 */
export function reloadCertificate(server: HttpsServer, tls: NonNullable<Config['tls']>, log: TlsReloadLog): boolean {
  try {
    server.setSecureContext({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) });
  } catch (err) {
    log.error({ cert: tls.certFile, key: tls.keyFile, reason: err instanceof Error ? err.message : String(err) }, 'https certificate not reloaded; the one in use stays');
    return false;
  }
  log.info({ cert: tls.certFile }, 'https certificate reloaded');
  return true;
}
