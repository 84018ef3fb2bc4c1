import { ConfigError, loadConfig } from './config.js';
import { startGateway } from './gateway.js';
import { JoinRefusedError } from './instances/registry.js';
import { StoreRefusedError } from './store/store.js';

/** Process entry: a bad setting is one line and exit 2; SIGTERM/SIGINT stop gracefully. */
async function main(): Promise<void> {
  let gateway;
  try {
    gateway = await startGateway(loadConfig());
  } catch (err) {
    // Also a data dir or an address that turns out unusable only when the gateway starts.
    if (err instanceof ConfigError) {
      process.stderr.write(`switchboard: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof JoinRefusedError) {
      process.stderr.write(`switchboard: cannot start: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof StoreRefusedError) {
      process.stderr.write(`switchboard: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const { config } = gateway.ctx;
  const stop = (signal: string) => {
    gateway.ctx.log.info({ signal }, 'stopping');
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        gateway.ctx.log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // The reload signal of daemons (nginx, HAProxy): renewed certificates without a restart; without
  // TLS files there is nothing to reload, and a hangup must not end the gateway without its stop.
  process.on('SIGHUP', () => {
    if (gateway.reloadTls() === undefined) gateway.ctx.log.info({ signal: 'SIGHUP' }, 'nothing to reload (no SWITCHBOARD_TLS_CERT, SWITCHBOARD_SMPP_TLS_CA or SWITCHBOARD_SMPP_TLS_CERT)');
  });
  // Last: whoever waits for this line (a supervisor, a script, a test) may signal the process at
  // once, and a SIGHUP before its handler would end the gateway without its stop.
  gateway.ctx.log.info({ url: gateway.url, network: config.network, store: gateway.ctx.store.engine }, 'switchboard listening');
}

main().catch((err: unknown) => {
  process.stderr.write(`switchboard: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
