import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, refusalLines } from './config.js';
import { startGateway } from './gateway.js';
import { JoinRefusedError } from './instances/registry.js';
import { StoreRefusedError } from './store/store.js';

const USAGE = 'usage: node dist/main.js — the gateway, set up by its environment alone (README "Configuration"); `switchboard --help` for the command line\n';

/**
 * Whether this module is the process's entry (`node dist/main.js`), not imported by `switchboard
 * serve`, whose arguments are the CLI's.
 */
function isProcessEntry(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** Process entry: a bad setting is one line and exit 2; SIGTERM/SIGINT stop gracefully. */
async function main(): Promise<void> {
  // It takes no arguments: `--help` answered by a start would make ./data and spend the one-time
  // printing of the admin token (the operator trial), and an argument is a mistake to name.
  const args = isProcessEntry() ? process.argv.slice(2) : [];
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (args.length > 0) {
    process.stderr.write(`switchboard: the gateway takes no arguments, got "${args[0]}"; ${USAGE}`);
    process.exit(2);
  }
  let gateway;
  try {
    gateway = await startGateway(loadConfig());
  } catch (err) {
    // Also a data dir or an address that turns out unusable only when the gateway starts.
    if (err instanceof ConfigError) {
      process.stderr.write(refusalLines(err).map((line) => `switchboard: ${line}\n`).join(''));
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
