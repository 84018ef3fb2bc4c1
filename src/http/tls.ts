import type { Server as HttpsServer } from 'node:https';
import { certificateSummary, type Config, readCertAndKey } from '../config.js';

export interface TlsLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** At start: which certificate the API is served with, and a warning when it is not valid now. */
export function logCertificate(tls: NonNullable<Config['tls']>, log: TlsLog): void {
  const summary = certificateSummary(tls.cert);
  if (summary.valid) log.info({ cert: tls.certFile, ...summary }, 'https certificate');
  else log.warn({ cert: tls.certFile, ...summary }, 'https certificate is not valid now (expired or not yet valid): clients will refuse it');
}

/**
 * Reads the HTTPS certificate and key again (SIGHUP, after a renewal) and serves new connections
 * with them; connections already open keep theirs. A pair that cannot be read, does not match
 * (the checks of the start) or is not valid now is refused, and the one in use stays: a
 * half-copied renewal, or last year's file copied back, must not take the API down.
 */
export function reloadCertificate(server: HttpsServer, tls: NonNullable<Config['tls']>, log: TlsLog): boolean {
  try {
    const { cert, key } = readCertAndKey({ certFile: tls.certFile, keyFile: tls.keyFile, certName: 'SWITCHBOARD_TLS_CERT', keyName: 'SWITCHBOARD_TLS_KEY' });
    const summary = certificateSummary(cert);
    if (!summary.valid) throw new Error(`SWITCHBOARD_TLS_CERT: ${tls.certFile} is not valid now (valid to ${summary.validTo})`);
    server.setSecureContext({ cert, key });
    log.info({ cert: tls.certFile, ...summary }, 'https certificate reloaded');
    return true;
  } catch (err) {
    log.error({ cert: tls.certFile, key: tls.keyFile, reason: err instanceof Error ? err.message : String(err) }, 'https certificate not reloaded; the one in use stays');
    return false;
  }
}
