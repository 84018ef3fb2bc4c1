import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { systemClock } from './clock.js';
import { checkSettingNames, ConfigError, loadConfig, localGatewayUrl, readSetting, refusalLines } from './config.js';
import { OperatorError } from './errors.js';
import { HttpAdminClient, StoreAdminClient, type AdminClient } from './cli/admin-client.js';
import { COMMANDS, refusedValue, UsageError, type Command, type CommandInput } from './cli/commands.js';
import { GatewayClient } from './cli/gateway-client.js';
import { openStore, sqliteFile } from './store/open.js';
import { StoreRefusedError } from './store/store.js';

const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  'admin-token': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** The global options as they are spelled on the command line. */
const KNOWN_GLOBAL = new Set(['--url', '--admin-token', '--help', '-h']);

const WHERE = [
  'Where it acts:',
  '  By default on the store of this machine: SQLite under SWITCHBOARD_DATA_DIR (default ./data),',
  '  or PostgreSQL when SWITCHBOARD_DATABASE_URL is set. The gateway may be running meanwhile.',
  '  --url URL             act on a running gateway through its admin API instead',
  '  --admin-token TOKEN   the admin token for --url (default: $SWITCHBOARD_ADMIN_TOKEN)',
  '',
  'Output: the result as JSON on stdout (the admin API\'s bodies); errors as one line on stderr.',
  'Exit status: 0 done, 1 failed (not found, conflict, unreachable), 2 bad usage (an unknown option,',
  '  a missing or bad value) or configuration,',
  '  3 done but its output could not be written (stdout closed).',
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'Usage: switchboard <command> [arguments] [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    ...WHERE,
    '',
    'Run "switchboard <command> --help" for a command\'s arguments, e.g. switchboard app create --help',
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  const lines = [`Usage: switchboard ${command.name}${command.args === '' ? '' : ` ${command.args}`}`, '', `${command.summary.charAt(0).toUpperCase()}${command.summary.slice(1)}.`];
  if (command.details !== undefined) lines.push('', 'Options:', ...command.details.map((d) => `  ${d}`));
  if (command.action.kind === 'admin') lines.push('', ...WHERE);
  else if (command.action.kind === 'store') lines.push('', 'Acts on SWITCHBOARD_DATA_DIR (default ./data) or SWITCHBOARD_DATABASE_URL.');
  else lines.push('', 'Settings come from the environment; see the configuration table in README.md.');
  return `${lines.join('\n')}\n`;
}

/**
 * The command named by the first words of argv (`app create` before `app`); global options may
 * come before it (`switchboard --url URL app list`). `rest` is argv without the command's words.
 */
function findCommand(argv: readonly string[]): { command: Command | undefined; rest: string[]; group: string | undefined; words: string[] } {
  let i = 0;
  while (i < argv.length && argv[i]?.startsWith('-')) i += argv[i] === '--url' || argv[i] === '--admin-token' ? 2 : 1;
  const first = argv[i];
  const second = argv[i + 1];
  const words = [first, second].filter((w): w is string => w !== undefined && !w.startsWith('-'));
  const pair = COMMANDS.find((c) => c.name === `${first} ${second}`);
  const command = pair ?? COMMANDS.find((c) => c.name === first);
  if (command === undefined) {
    const group = COMMANDS.some((c) => c.name.startsWith(`${first} `)) ? first : undefined;
    return { command, rest: [], group, words };
  }
  const rest = [...argv.slice(0, i), ...argv.slice(i + (pair === undefined ? 1 : 2))];
  return { command, rest, group: undefined, words };
}

function groupHelp(group: string): string {
  const members = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  return [`Usage: switchboard ${group} <${members.map((c) => c.name.split(' ')[1]).join('|')}> …`, '', ...members.map((c) => `  switchboard ${c.name} ${c.args}`.trimEnd()), '', `Run "switchboard ${group} <subcommand> --help" for details.`, ''].join('\n');
}

/**
 * `--rate-per-second -3` as `--rate-per-second=-3`: parseArgs refuses a value that starts with '-'
 * as ambiguous, so the option's own check ("expects a whole number …") never saw it.
 */
function joinNegativeValues(args: readonly string[], options: Readonly<Record<string, { readonly type: string }>>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const next = args[i + 1];
    if (arg.startsWith('--') && options[arg.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function parse(command: Command, args: string[]): CommandInput & { help: boolean; url?: string; adminToken?: string } {
  let parsed;
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  try {
    parsed = parseArgs({ args: joinNegativeValues(args, options), options, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs explains at length how to pass a positional that starts with '-'; the first sentence is enough.
    const message = err instanceof Error ? err.message : String(err);
    throw new UsageError(`${command.name}: ${message.split(/\.\s/)[0] ?? message}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const help = values.help === true;
  const expected = command.positionals ?? [];
  if (!help && parsed.positionals.length < expected.length) {
    throw new UsageError(`${command.name} needs ${expected.slice(parsed.positionals.length).join(' ')} (see switchboard ${command.name} --help)`);
  }
  if (!help && parsed.positionals.length > expected.length) {
    throw new UsageError(`${command.name}: unexpected argument "${parsed.positionals[expected.length]}"`);
  }
  return {
    values,
    positionals: parsed.positionals,
    help,
    ...(typeof values.url === 'string' ? { url: values.url } : {}),
    ...(typeof values['admin-token'] === 'string' ? { adminToken: values['admin-token'] } : {}),
  };
}

/**
 * The gateway URL of `--url` or SWITCHBOARD_URL (`from`), refused when it is not one the CLI
 * should call. A user name or password in it is refused unechoed: fetch refused it anyway, and its
 * error, which the CLI printed, quoted the whole URL, password included.
 */
function gatewayUrl(raw: string, from: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not echoed: what could not be parsed cannot be stripped of a password.
    throw new UsageError(`${from} is not a URL (expected http://host:port or https://host:port)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${from} must be an http:// or https:// URL, got "${url.protocol}"`);
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(`${from} must not carry a user name or password (user:password@); the admin API takes --admin-token, the SMS API an app's key and secret`);
  }
  return raw;
}

/** stdout did not take the output: its reader went away (`… | head -c0`, a closed pipe). */
class OutputLostError extends Error {
  constructor(cause: Error) {
    super(`done, but its output could not be written (${cause.message}); whatever it shows only once (a secret, a token) is lost`, { cause });
    this.name = 'OutputLostError';
  }
}

/** Writes to stdout; rejects with OutputLostError when stdout cannot take it. */
function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const lost = (err: Error) => reject(new OutputLostError(err));
    // A failed write is told to its callback and also as an 'error' event, which, unheard, ends
    // the process with a stack trace.
    process.stdout.once('error', lost);
    process.stdout.write(text, (err) => {
      if (err !== undefined && err !== null) return lost(err);
      process.stdout.off('error', lost);
      resolve();
    });
  });
}

function print(value: unknown): Promise<void> {
  return value === undefined ? Promise.resolve() : write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Runs an admin command. A value the admin layer refuses (400) is a usage error (exit 2), worded
 * with the option's name; a missing app, a taken short code or an unreachable gateway stay failures.
 */
async function runAdmin(action: Extract<Command['action'], { kind: 'admin' }>, client: AdminClient, input: CommandInput): Promise<unknown> {
  try {
    return await action.run(client, input);
  } catch (err) {
    if (err instanceof OperatorError && err.status === 400) throw refusedValue(err.message);
    throw err;
  }
}

/** Runs one CLI invocation; resolves to the exit status, or to undefined for `serve` (which keeps running). */
export async function runCli(argv: readonly string[]): Promise<number | undefined> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    await write(mainHelp());
    return argv.length === 0 ? 2 : 0;
  }
  const { command, rest, group, words } = findCommand(argv);
  if (command === undefined) {
    if (group !== undefined) {
      if (words.length < 2 && (argv.includes('--help') || argv.includes('-h'))) {
        await write(groupHelp(group));
        return 0;
      }
      throw new UsageError(words.length < 2 ? `${group} needs a subcommand; try switchboard ${group} --help` : `unknown command "${group} ${words[1]}"; try switchboard ${group} --help`);
    }
    if (words[0] === undefined) {
      // `switchboard --bogus`: name the option, not the command that is not there.
      const unknown = argv.find((a) => a.startsWith('-') && !KNOWN_GLOBAL.has(a.split('=')[0] ?? a));
      throw new UsageError(unknown !== undefined ? `unknown option "${unknown.split('=')[0]}"; try switchboard --help` : 'no command given; try switchboard --help');
    }
    throw new UsageError(`unknown command "${words[0]}"; try switchboard --help`);
  }
  const input = parse(command, rest);
  if (input.help) {
    await write(commandHelp(command));
    return 0;
  }
  // Every command reads settings (the store's, the gateway's address, an admin token or app secret).
  checkSettingNames(process.env);
  const action = command.action;
  if (action.kind === 'serve') {
    if (input.url !== undefined) throw new UsageError('serve does not take --url');
    // main.ts is the server's process entry (config, start, graceful stop): serve runs exactly it.
    await import('./main.js');
    return undefined;
  }
  if (action.kind === 'process') {
    if (input.url !== undefined) throw new UsageError(`${command.name} does not take --url`);
    await action.run(input);
    return undefined;
  }
  if (action.kind === 'gateway') {
    const fromEnv = readSetting(process.env, 'SWITCHBOARD_URL');
    const url = input.url !== undefined ? gatewayUrl(input.url, '--url') : fromEnv !== undefined ? gatewayUrl(fromEnv, 'SWITCHBOARD_URL') : localGatewayUrl();
    await print(await action.run(new GatewayClient(url), input));
    return 0;
  }
  if (action.kind === 'admin' && input.url !== undefined) {
    const token = input.adminToken ?? readSetting(process.env, 'SWITCHBOARD_ADMIN_TOKEN');
    if (token === undefined || token === '') throw new UsageError('--url needs --admin-token TOKEN (or SWITCHBOARD_ADMIN_TOKEN)');
    await print(await runAdmin(action, new HttpAdminClient(gatewayUrl(input.url, '--url'), token), input));
    return 0;
  }
  if (input.url !== undefined) throw new UsageError(`${command.name} works on the store only, not with --url`);
  const config = loadConfig();
  if (action.kind === 'store' && action.existingStore === true && config.databaseUrl === undefined && !existsSync(sqliteFile(config))) {
    throw new UsageError(`no store in ${config.dataDir} (SWITCHBOARD_DATA_DIR)`);
  }
  const store = await openStore(config);
  try {
    const applied = await store.migrate();
    if (action.kind === 'store') {
      await print(await action.run(store, config, (line) => process.stderr.write(`switchboard: ${line}\n`), input, applied));
    } else {
      await print(await runAdmin(action, new StoreAdminClient(store, systemClock), input));
    }
  } finally {
    await store.close();
  }
  return 0;
}

/**
 * Maps a failure to its stderr lines and exit status: 2 for usage and configuration (a store this
 * code cannot use as configured among it), 3 for a command that was done but whose output was
 * lost, 1 otherwise. One line, but for several unknown settings refused at once.
 */
function failure(err: unknown): { lines: string[]; status: number } {
  if (err instanceof OutputLostError) return { lines: [err.message], status: 3 };
  if (err instanceof UsageError) return { lines: [err.message], status: 2 };
  if (err instanceof ConfigError) return { lines: refusalLines(err), status: 2 };
  if (err instanceof StoreRefusedError) return { lines: [err.message], status: 2 };
  if (err instanceof OperatorError) return { lines: [err.message], status: 1 };
  return { lines: [err instanceof Error ? err.message : String(err)], status: 1 };
}

runCli(process.argv.slice(2)).then(
  (status) => {
    if (status !== undefined) process.exit(status);
  },
  (err: unknown) => {
    const { lines, status } = failure(err);
    process.stderr.write(lines.map((line) => `switchboard: ${line}\n`).join(''), () => process.exit(status));
  },
);
