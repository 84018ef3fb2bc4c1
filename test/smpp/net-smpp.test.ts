/**
 * A third-party ESME — Net::SMPP (Debian's libnet-smpp-perl, installed by .ci/run) — against the
 * simulator SMSC of a real gateway: bind, submit_sm, the handset gets the text, the receipt comes
 * back as deliver_sm, unbind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { startTestGateway } from '../helpers/gateway.js';
import { repoFile } from '../helpers/root.js';

const script = repoFile('test/smpp/fixtures/net-smpp-esme.pl');

function perlHasNetSmpp(): boolean {
  try {
    execFileSync('perl', ['-MNet::SMPP', '-e', '1'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('Net::SMPP binds to the simulator SMSC, submits, gets the receipt as deliver_sm, unbinds', { skip: !perlHasNetSmpp() && 'Net::SMPP not installed (.ci/run installs libnet-smpp-perl)' }, async (t) => {
  const gw = await startTestGateway({ SWITCHBOARD_SIM_SMPP_PORT: '0', SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '20', SWITCHBOARD_SIM_SMPP_ID_FORM: 'hex' });
  t.after(() => gw.close());
  const port = gw.gateway.ctx.simSmsc?.port;
  assert.ok(port, 'simulator SMSC listening');

  const stdout = await new Promise<string>((resolve, reject) => {
    execFile('perl', [script, String(port), '14255550123', 'Hello from Net::SMPP'], { timeout: 20_000 }, (err, out, errOut) => {
      if (err) reject(new Error(`${err.message}\n${errOut}`));
      else resolve(out);
    });
  });
  const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
  assert.deepEqual(events.map((e) => e.event), ['bound', 'submit_sm_resp', 'deliver_sm', 'unbind_resp']);
  const [, resp, receipt, unbind] = events;
  assert.equal(resp?.status, '0');
  assert.match(resp?.message_id ?? '', /^[0-9a-f]+$/);
  assert.equal(Number(receipt?.esm_class) & 0x3c, 0x04, 'esm_class says SMSC delivery receipt');
  assert.match(receipt?.short_message ?? '', new RegExp(`^id:${resp?.message_id} sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000 text:Hello from Net::SMPP`));
  assert.equal((receipt?.receipted_message_id ?? '').replace(/\0+$/, ''), resp?.message_id);
  assert.equal(unbind?.status, '0');

  const inbox = await gw.request('GET', '/sim/v1/handsets/14255550123/messages');
  assert.equal(inbox.status, 200);
  const messages = inbox.json().messages as Array<{ from: string; text: string; encoding: string }>;
  assert.equal(messages.length, 1);
  assert.equal(messages[0]?.from, '22627000');
  assert.equal(messages[0]?.text, 'Hello from Net::SMPP');
});
