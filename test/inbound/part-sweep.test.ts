import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { InboundService } from '../../src/inbound/service.js';
import type { InboxRepo } from '../../src/store/repos/inbox.js';
import { startTestGateway } from '../helpers/gateway.js';
import { ADMIN_AUTH } from '../helpers/apps.js';
import { waitUntil } from '../smpp/world.js';

/** `target` with `own` in place of some of its members (the others bound to it: they use private fields). */
function delegate<T extends object>(target: T, own: Partial<T>): T {
  return new Proxy(target, {
    get: (t, name) => {
      if (Object.hasOwn(own, name)) return own[name as keyof T];
      const value: unknown = Reflect.get(t, name, t);
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
}

/*
 * The inbound sweep over the gateway's store, with one part set whose move to unrouted always
 * fails (as a set whose text PostgreSQL refused once did, on every sweep). The gateway's own
 * sweeper is given an hour, so only the service under test expires sets; its clock is moved by hand.
 */
test('a part set that cannot be expired is logged and tried again a timeout later; the sets behind it and the unrouted retention go on', async (t) => {
  const gw = await startTestGateway({ SWITCHBOARD_MO_REASSEMBLY_TIMEOUT_S: '3600' });
  t.after(() => gw.close());
  const real = gw.gateway.ctx.store;
  let failing = 0;
  const expirePartSet: InboxRepo['expirePartSet'] = (set, ...rest) => {
    if (set.reference !== 1) return real.inbox.expirePartSet(set, ...rest);
    failing += 1;
    return Promise.reject(new Error('this set cannot be stored'));
  };
  const inbox = delegate(real.inbox, { expirePartSet });
  const store = delegate(real, { inbox });
  const t0 = Date.now();
  let now = t0;
  const config = { ...gw.gateway.ctx.config, moReassemblyTimeoutS: 1, unroutedRetentionS: 5 };
  const service = new InboundService({ store, clock: { now: () => now }, config, log: pino({ level: 'silent' }), notified: () => undefined });
  const part = (reference: number) => ({ from: '+14255550160', to: '22627600', reference, total: 2, seq: 1, payload: Buffer.from('half of it'), dataCoding: 3, receivedAt: t0 });
  // The failing set is the oldest: the scan finds it first.
  await service.acceptPart(part(1));
  await service.acceptPart({ ...part(2), receivedAt: t0 + 1 });
  await service.acceptPart({ ...part(3), receivedAt: t0 + 2 });
  const unrouted = async (): Promise<string[]> => (await gw.request('GET', '/admin/v1/unrouted', { headers: ADMIN_AUTH })).json().unrouted.map((u: { message: string }) => u.message);

  now = t0 + 2000;
  service.start();
  t.after(() => service.stop());
  await waitUntil(async () => (await unrouted()).length === 2, 5000, 'the two sets behind the failing one in unrouted');
  // The sweep runs every 250 ms: the failing set was tried once, not at each sweep.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(failing, 1);

  now = t0 + 3100;
  await waitUntil(() => failing === 2, 5000, 'the failing set tried again a reassembly timeout later');

  now = t0 + 6000;
  await waitUntil(async () => (await unrouted()).length === 0, 5000, 'the unrouted retention still swept');
  assert.ok(failing <= 4, `tried ${failing} times`);
});
