import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { createApp, type TestApp } from '../helpers/apps.js';
import { runCli, type CliResult } from './run.js';

let gw: TestGateway;
let app: TestApp;

before(async () => {
  gw = await startTestGateway({ SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '10' });
  app = await createApp(gw, { shortCodes: [{ shortCode: '22627400', moDelivery: 'poll' }, { shortCode: '22627401', moDelivery: 'poll' }] });
});
after(async () => {
  await gw.close();
});

/** The CLI against the test gateway, as a script on another machine would run it: no store settings. */
const cli = (...args: string[]) => runCli([...args, '--url', gw.url], { SWITCHBOARD_APP_SECRET: '', SWITCHBOARD_URL: '' });

// The tests use their own handsets and short codes (the errors test sends nothing that arrives):
// they run side by side on the one gateway.
describe('sms and handset commands', { concurrency: true }, () => {
  test('sms send → handset show → handset send → the app polls the reply', async () => {
    const sent = await cli('sms', 'send', '--app', app.appKey, '--secret', app.appSecret, '--to', '4255550190', '--text', 'Hello from the CLI', '--wait');
    assert.equal(sent.status, 0, sent.stderr);
    const out = sent.json();
    assert.match(out.messageId, /^SMS[0-9a-f]{16}$/);
    assert.equal(out.resourceUrl, `${gw.url}/sms/v3/messaging/outbox/${out.messageId}`);
    assert.deepEqual(out.recipients, [{ address: '4255550190', status: 'DeliveredToTerminal' }]);

    const shown = await cli('handset', 'show', '4255550190');
    assert.equal(shown.status, 0, shown.stderr);
    assert.equal(shown.json().number, '4255550190');
    assert.deepEqual(
      shown.json().messages.map((m: any) => [m.from, m.text, m.encoding, m.segments]),
      [['22627400', 'Hello from the CLI', 'GSM7', 1]],
    );

    const reply = await cli('handset', 'send', 'tel:+14255550190', '--to', '22627400', '--text', 'Got it');
    assert.equal(reply.status, 0, reply.stderr);
    assert.deepEqual({ ...reply.json(), receivedAt: undefined }, { from: 'tel:+14255550190', to: '22627400', text: 'Got it', receivedAt: undefined });
    const inbox = await gw.request('GET', '/sms/v3/messaging/inbox/22627400', { headers: app.auth });
    assert.deepEqual(inbox.json().InboundSmsMessageList.InboundSmsMessage.map((m: any) => m.Message), ['Got it']);
  });

  test('sms send to several recipients from a chosen short code (OneAPI), secret from the environment', async () => {
    const res = await runCli(['sms', 'send', '--url', gw.url, '--app', app.appKey, '--to', '4255550191,4255550192', '--to', 'tel:+14255550193', '--from', '22627401', '--text', 'Привет', '--wait'], {
      SWITCHBOARD_APP_SECRET: app.appSecret,
    });
    assert.equal(res.status, 0, res.stderr);
    const out = res.json();
    assert.match(out.resourceUrl, /\/2\/smsmessaging\/outbound\/tel%3A22627401\/requests\/SMS[0-9a-f]{16}$/);
    assert.deepEqual(out.recipients.map((r: any) => r.status), ['DeliveredToTerminal', 'DeliveredToTerminal', 'DeliveredToTerminal']);
    const handset = (await cli('handset', 'show', '4255550193')).json();
    assert.deepEqual(handset.messages.map((m: any) => [m.from, m.text, m.encoding]), [['22627401', 'Привет', 'UCS2']]);
  });

  test('the AT&T seed\'s sample numbers: sms send --to 555-555-5555,444-555-5555, handset show and send', async () => {
    const sent = await cli('sms', 'send', '--app', app.appKey, '--secret', app.appSecret, '--to', '555-555-5555,444-555-5555', '--text', 'seed', '--wait');
    assert.equal(sent.status, 0, sent.stderr);
    assert.deepEqual(sent.json().recipients, [
      { address: '555-555-5555', status: 'DeliveredToTerminal' },
      { address: '444-555-5555', status: 'DeliveredToTerminal' },
    ]);
    const [shown, reply] = await Promise.all([
      cli('handset', 'show', '4445555555'),
      cli('handset', 'send', '5555555555', '--to', '22627401', '--text', 'seed reply'),
    ]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.deepEqual(shown.json().messages.map((m: any) => [m.from, m.text]), [['22627400', 'seed']]);
    assert.equal(reply.status, 0, reply.stderr);
    assert.equal(reply.json().from, 'tel:+15555555555');
  });

  test('errors: one line on stderr — API errors with their id, usage mistakes exit 2, an unreachable gateway exit 1', async () => {
    const landline = await gw.request('PUT', '/sim/v1/handsets/4255550194', { body: { kind: 'landline' } });
    assert.equal(landline.status, 200);
    // Independent runs, side by side: each is a process start.
    const [wrongSecret, refused, noText, noNumber, badNumber, down, notOwned] = await Promise.all([
      cli('sms', 'send', '--app', app.appKey, '--secret', 'nope', '--to', '4255550190', '--text', 'x'),
      cli('sms', 'send', '--app', app.appKey, '--secret', app.appSecret, '--to', '4255550194', '--text', 'x'),
      cli('sms', 'send', '--app', app.appKey, '--secret', app.appSecret, '--to', '4255550190'),
      cli('handset', 'show'),
      cli('handset', 'show', '12345'),
      runCli(['handset', 'show', '4255550190', '--url', 'http://127.0.0.1:9']),
      cli('sms', 'send', '--app', app.appKey, '--secret', app.appSecret, '--to', '4255550190', '--text', 'x', '--from', '22627499'),
    ]);
    assert.equal(wrongSecret.status, 1);
    assert.match(wrongSecret.stderr, /^switchboard: invalid_client: /);
    assert.equal(refused.status, 1);
    assert.equal(refused.stderr, 'switchboard: SVC0001: A service error occurred. Error code is Address\n');
    assert.equal(noText.status, 2);
    assert.equal(noText.stderr, 'switchboard: --text is required\n');
    assert.equal(noNumber.status, 2);
    // A mistyped value is read by the gateway's own rules before any request: a usage error (it was
    // the gateway's 400, exit 1).
    assert.equal(badNumber.status, 2);
    assert.equal(badNumber.stderr, 'switchboard: NUMBER must be a ten-digit US number, got "12345"\n');
    assert.equal(down.status, 1);
    assert.match(down.stderr, /^switchboard: cannot reach http:\/\/127\.0\.0\.1:9: /);
    // What only the gateway knows stays its refusal: a short code the app does not hold.
    assert.equal(notOwned.status, 1);
    assert.match(notOwned.stderr, /^switchboard: POL0002: /);
  });

  test('bad values of every option: exit 2, one line naming the option, nothing sent (they were the API\'s 400, exit 1)', async () => {
    const send = (...args: string[]) => cli('sms', 'send', '--app', app.appKey, '--secret', app.appSecret, ...args);
    const cases: Array<[Promise<CliResult>, string]> = [
      [send('--to', 'abc', '--text', 'x'), '--to must be US numbers (4255550100, tel:+14255550100 …), got "abc"'],
      [send('--to', '4255550180,22627400', '--text', 'x'), '--to must be US numbers (4255550100, tel:+14255550100 …), got "22627400"'],
      [send('--to', '4255550180', '--text', 'x', '--from', '4255550100'), '--from must be a short code such as 22627000, got "4255550100"'],
      [send('--to', '4255550180', '--text', 'x'.repeat(4097)), '--text has 4097 characters; at most 4096'],
      [send('--to', '4255550180', '--text', 'x', '--wait=yes'), "sms send: Option '--wait' does not take an argument"],
      [send('--to', '4255550180', '--text', 'x', '--colour', 'red'), "sms send: Unknown option '--colour'"],
      [cli('handset', 'send', '4255550181', '--to', 'abc', '--text', 'x'), '--to must be a short code such as 22627000, got "abc"'],
      [cli('handset', 'send', 'abc', '--to', '22627400', '--text', 'x'), 'NUMBER must be a ten-digit US number, got "abc"'],
      [cli('handset', 'send', '4255550181', '--to', '22627400'), '--text is required'],
      [cli('handset', 'show', '4255550181', '--colour'), "handset show: Unknown option '--colour'"],
    ];
    for (const [run, line] of cases) {
      const res = await run;
      assert.equal(res.status, 2, `${line}: ${res.stderr}`);
      assert.equal(res.stderr, `switchboard: ${line}\n`);
      assert.equal(res.stdout, '');
    }
    assert.deepEqual((await gw.request('GET', '/sim/v1/handsets/4255550180/messages')).json().messages, []);
  });

  test('without --url or SWITCHBOARD_URL the commands go to HOST:PORT of their environment, the gateway that environment serves', async () => {
    const port = new URL(gw.url).port;
    const show = (env: Record<string, string>) => runCli(['handset', 'show', '4255550199'], { SWITCHBOARD_URL: '', SWITCHBOARD_TLS_CERT: '', ...env });
    const [same, anyAddress, fromUrl, anyPort] = await Promise.all([
      show({ HOST: '127.0.0.1', PORT: port }),
      // A gateway bound to every address is reached on loopback.
      show({ HOST: '0.0.0.0', PORT: port }),
      show({ HOST: '127.0.0.1', PORT: port, SWITCHBOARD_URL: 'http://127.0.0.1:9' }),
      show({ HOST: '127.0.0.1', PORT: '0' }),
    ]);
    assert.equal(same.status, 0, same.stderr);
    assert.equal(same.json().number, '4255550199');
    assert.equal(anyAddress.status, 0, anyAddress.stderr);
    assert.equal(fromUrl.status, 1);
    assert.match(fromUrl.stderr, /^switchboard: cannot reach http:\/\/127\.0\.0\.1:9: /);
    assert.equal(anyPort.status, 2);
    assert.equal(anyPort.stderr, 'switchboard: invalid configuration: PORT: 0 (any free port) names no gateway to reach: give --url or SWITCHBOARD_URL\n');
  });

  test('--help of the new commands', async () => {
    const commands = [['sms', 'send'], ['handset', 'show'], ['handset', 'send']];
    const [main, ...results] = await Promise.all([runCli(['--help']), ...commands.map((words) => runCli([...words, '--help']))]);
    results.forEach((res, i) => {
      assert.equal(res.status, 0);
      assert.match(res.stdout, new RegExp(`^Usage: switchboard ${commands[i]?.join(' ')}`));
      assert.match(res.stdout, /--url URL/);
    });
    for (const name of ['sms send', 'handset show', 'handset send']) assert.ok(main?.stdout.includes(`  ${name} `), name);
  });
});
