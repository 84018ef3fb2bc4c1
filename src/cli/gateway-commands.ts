import { readSetting } from '../config.js';
import type { Command, CommandInput } from './commands.js';
import type { GatewayClient } from './gateway-client.js';
import { parseAddress, parseShortCode, toE164 } from '../sms/address.js';
import { MAX_MESSAGE_CHARS } from '../sms/segment.js';
import { FINAL_STATUSES } from '../store/repos/messages.js';

const FINAL = new Set<string>(FINAL_STATUSES);
const WAIT_MS = 30_000;
const POLL_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const WHERE = '--url URL                     the running gateway (default $SWITCHBOARD_URL, else http://HOST:PORT of this environment, 127.0.0.1:8080 when unset)';

function text(input: CommandInput, name: string): string | undefined {
  const v = input.values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `--to` given once or repeated, each possibly a comma-joined list. */
function recipients(input: CommandInput): string[] {
  const raw: unknown = input.values.to;
  const given = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : [];
  return given.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

interface Recipient {
  readonly address: string;
  readonly status: string;
}

/** The states of a sent message, by the API generation that sent it. */
async function statuses(client: GatewayClient, token: string, messageId: string, from: string | undefined): Promise<Recipient[]> {
  if (from === undefined) {
    const { body } = await client.call('GET', `/sms/v3/messaging/outbox/${encodeURIComponent(messageId)}`, { token });
    const list = (body as { DeliveryInfoList?: { DeliveryInfo?: Array<{ Address: string; DeliveryStatus: string }> } }).DeliveryInfoList?.DeliveryInfo ?? [];
    return list.map((d) => ({ address: d.Address, status: d.DeliveryStatus }));
  }
  const path = `/2/smsmessaging/outbound/${encodeURIComponent(`tel:${from}`)}/requests/${encodeURIComponent(messageId)}/deliveryInfos`;
  const { body } = await client.call('GET', path, { token });
  const list = (body as { deliveryInfoList?: { deliveryInfo?: Array<{ address: string; deliveryStatus: string }> } }).deliveryInfoList?.deliveryInfo ?? [];
  return list.map((d) => ({ address: d.address, status: d.deliveryStatus }));
}

/**
 * `sms send` and `handset show|send`: a running gateway driven over its public surfaces, for
 * scripts and demos. `usage` makes the CLI's usage error (exit 2).
 */
export function gatewayCommands(usage: (message: string) => Error): Command[] {
  const required = (input: CommandInput, name: string, fallback?: string): string => {
    const v = text(input, name) ?? fallback;
    if (v === undefined || v === '') throw usage(`--${name} is required`);
    return v;
  };
  // Values are read here by the gateway's own rules (sms/address.ts, the message limit), so a
  // mistyped one is a usage error before any request; what only the gateway knows (the app's
  // secret and short codes, a landline) is its answer, exit 1.
  const handsetNumber = (input: CommandInput): string => {
    const number = input.positionals[0] ?? '';
    if (toE164(number) === null) throw usage(`NUMBER must be a ten-digit US number, got "${number}"`);
    return number;
  };
  /** The digits of a short code in any form the API takes (`22627000`, `tel:22627000`, `short:…`). */
  const shortCode = (value: string, name: string): string => {
    const code = parseShortCode(value);
    if (code === null) throw usage(`--${name} must be a short code such as 22627000, got "${value}"`);
    return code;
  };
  const messageText = (input: CommandInput): string => {
    const message = required(input, 'text');
    if (message.length > MAX_MESSAGE_CHARS) throw usage(`--text has ${message.length} characters; at most ${MAX_MESSAGE_CHARS}`);
    return message;
  };

  return [
    {
      name: 'sms send',
      args: '--app APP_KEY --to NUMBER --text TEXT',
      summary: 'send an SMS as an app through a running gateway (token, then Send SMS)',
      details: [
        "--app APP_KEY                 the app's App Key (OAuth client_id)",
        '--secret SECRET               its App Secret (default $SWITCHBOARD_APP_SECRET)',
        '--to NUMBER                   a recipient in any address form; repeat it or comma-join for several',
        '--text TEXT                   the message, up to 4096 characters',
        "--from SHORT_CODE             send from this short code of the app (OneAPI); default its first (AT&T v3)",
        '--wait                        wait (up to 30 s) for the final delivery states and print them',
        WHERE,
        '',
        'Prints {"messageId","resourceUrl"} (and "recipients" with --wait) as JSON.',
      ],
      options: { app: { type: 'string' }, secret: { type: 'string' }, to: { type: 'string', multiple: true }, text: { type: 'string' }, from: { type: 'string' }, wait: { type: 'boolean' } },
      action: {
        kind: 'gateway',
        run: async (client, input) => {
          const appKey = required(input, 'app');
          const secret = required(input, 'secret', readSetting(process.env, 'SWITCHBOARD_APP_SECRET'));
          const to = recipients(input);
          if (to.length === 0) throw usage('--to is required');
          const notNumber = to.find((address) => parseAddress(address).kind !== 'msisdn');
          if (notNumber !== undefined) throw usage(`--to must be US numbers (4255550100, tel:+14255550100 …), got "${notNumber}"`);
          const message = messageText(input);
          const fromValue = text(input, 'from');
          const from = fromValue === undefined ? undefined : shortCode(fromValue, 'from');
          const token = await client.token(appKey, secret);
          let messageId: string;
          let resourceUrl: string | undefined;
          if (from === undefined) {
            const { body } = await client.call('POST', '/sms/v3/messaging/outbox', {
              token,
              json: { outboundSMSRequest: { address: to.length === 1 ? to[0] : to, message } },
            });
            const response = (body as { outboundSMSResponse: { messageId: string; resourceReference?: { resourceURL: string } } }).outboundSMSResponse;
            messageId = response.messageId;
            resourceUrl = response.resourceReference?.resourceURL;
          } else {
            const { body } = await client.call('POST', `/2/smsmessaging/outbound/${encodeURIComponent(`tel:${from}`)}/requests`, {
              token,
              json: { outboundSMSMessageRequest: { address: to, senderAddress: `tel:${from}`, outboundSMSTextMessage: { message } } },
            });
            resourceUrl = (body as { resourceReference: { resourceURL: string } }).resourceReference.resourceURL;
            messageId = resourceUrl.split('/').pop() ?? '';
          }
          if (input.values.wait !== true) return { messageId, resourceUrl };
          // A final status is answered once (then removed), so the last answer read is the one printed.
          const deadline = Date.now() + WAIT_MS;
          let last = await statuses(client, token, messageId, from);
          while (!last.every((r) => FINAL.has(r.status)) && Date.now() < deadline) {
            await sleep(POLL_MS);
            last = await statuses(client, token, messageId, from);
          }
          return { messageId, resourceUrl, recipients: last };
        },
      },
    },
    {
      name: 'handset show',
      args: 'NUMBER',
      summary: 'the messages a virtual handset received (simulated network)',
      details: [
        'NUMBER                        any address form: 4255550100, 14255550100, tel:+14255550100',
        WHERE,
        '',
        'Prints {"number","messages"} as JSON: every message the handset holds, oldest first (read a page at a time).',
      ],
      positionals: ['NUMBER'],
      action: {
        kind: 'gateway',
        run: async (client, input) => {
          const number = handsetNumber(input);
          const messages: unknown[] = [];
          // A page holds at most 1000; `next` names the rest.
          let path: string | undefined = `/sim/v1/handsets/${encodeURIComponent(number)}/messages`;
          while (path !== undefined) {
            const { body } = await client.call('GET', path);
            const page = body as { messages: unknown[]; next?: string };
            messages.push(...page.messages);
            path = page.next;
          }
          return { number, messages };
        },
      },
    },
    {
      name: 'handset send',
      args: 'NUMBER --to SHORT_CODE --text TEXT',
      summary: 'a virtual handset texts a short code (MO, routed like any inbound message)',
      details: ['--to SHORT_CODE               the short code it texts', '--text TEXT                   the message', WHERE],
      positionals: ['NUMBER'],
      options: { to: { type: 'string' }, text: { type: 'string' } },
      action: {
        kind: 'gateway',
        run: async (client, input) => {
          const number = handsetNumber(input);
          const to = shortCode(required(input, 'to'), 'to');
          const message = messageText(input);
          const { body } = await client.call('POST', `/sim/v1/handsets/${encodeURIComponent(number)}/messages`, { json: { to, text: message } });
          return (body as { message: unknown }).message;
        },
      },
    },
  ];
}
