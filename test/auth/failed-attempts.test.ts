import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey, createAuthFailures, FailedAttempts, retryAfterSeconds } from '../../src/auth/failed-attempts.js';

function clockAt(start: number) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

describe('FailedAttempts', () => {
  test('a credential from an address is refused once it has failed the limit within its minute, until the minute ends', () => {
    const clock = clockAt(1_000_000);
    const failures = new FailedAttempts(3, clock);
    for (let i = 0; i < 3; i++) {
      assert.equal(failures.attempt('192.0.2.1', 'app'), 0, `attempt ${i + 1}`);
      clock.t += 1000;
    }
    assert.equal(failures.attempt('192.0.2.1', 'app'), 57_000);
    assert.equal(failures.attempt('192.0.2.2', 'app'), 0, 'another address is not touched');
    assert.equal(failures.attempt('192.0.2.1', 'other-app'), 0, 'nor another credential from the address');
    failures.release('192.0.2.1', 'other-app');
    clock.t = 1_000_000 + 59_999;
    assert.equal(failures.attempt('192.0.2.1', 'app'), 1);
    clock.t = 1_000_000 + 60_000;
    assert.equal(failures.attempt('192.0.2.1', 'app'), 0, 'a new minute');
    assert.equal(failures.attempt('192.0.2.1', 'app'), 0);
    assert.equal(failures.attempt('192.0.2.1', 'app'), 0);
    assert.equal(failures.attempt('192.0.2.1', 'app'), 60_000, 'counted again from the new minute');
  });

  test('checks under way count before they end: a burst cannot run past the limit', () => {
    const failures = new FailedAttempts(30, clockAt(0));
    const taken = Array.from({ length: 200 }, () => failures.attempt('192.0.2.1', 'app')).filter((wait) => wait === 0);
    assert.equal(taken.length, 30);
  });

  test('a released check no longer counts: right credentials never lock an address out', () => {
    const failures = new FailedAttempts(2, clockAt(0));
    for (let i = 0; i < 10; i++) {
      assert.equal(failures.attempt('192.0.2.1', 'app'), 0, `check ${i + 1}`);
      failures.release('192.0.2.1', 'app');
    }
    assert.equal(failures.attempt('192.0.2.1', 'app'), 0);
    assert.equal(failures.attempt('192.0.2.1', 'app'), 0);
    assert.ok(failures.attempt('192.0.2.1', 'app') > 0, 'two failures');
    failures.release('192.0.2.9', 'app');
    assert.equal(failures.attempt('192.0.2.9', 'app'), 0, 'a release without a check gives nothing away');
  });

  test('check: a failed verdict counts, a right one and a throw do not; past the limit verify is not run', async () => {
    const failures = new FailedAttempts(2, clockAt(0));
    let runs = 0;
    const verify = (verdict: boolean | Error) => async () => {
      runs++;
      if (verdict instanceof Error) throw verdict;
      return verdict;
    };
    assert.deepEqual(await failures.check('192.0.2.1', 'app', verify(true)), { wait: 0, ok: true });
    await assert.rejects(failures.check('192.0.2.1', 'app', verify(new Error('store down'))), /store down/);
    assert.deepEqual(await failures.check('192.0.2.1', 'app', verify(false)), { wait: 0, ok: false });
    assert.deepEqual(await failures.check('192.0.2.1', 'app', verify(false)), { wait: 0, ok: false });
    const refused = await failures.check('192.0.2.1', 'app', verify(true));
    assert.equal(refused.ok, false);
    assert.equal(refused.wait, 60_000);
    assert.equal(runs, 4, 'not run once refused');
  });

  test('join: a check sharing a running check\'s verdict takes no attempt and is never refused; its failed verdict counts', async () => {
    const failures = new FailedAttempts(2, clockAt(0));
    assert.equal(failures.attempt('192.0.2.1', 'app'), 0, 'the running check');
    const joined = await Promise.all(Array.from({ length: 5 }, () => failures.join('192.0.2.1', 'app', Promise.resolve(true))));
    assert.deepEqual(joined, Array(5).fill({ wait: 0, ok: true }));
    failures.release('192.0.2.1', 'app');
    assert.equal(failures.attempt('192.0.2.1', 'app'), 0, 'the right joins counted nothing: a failure');
    assert.deepEqual(await failures.join('192.0.2.1', 'app', Promise.resolve(false)), { wait: 0, ok: false });
    assert.ok(failures.attempt('192.0.2.1', 'app') > 0, 'the failed join counted: two failures');
    assert.deepEqual(await failures.join('192.0.2.1', 'app', Promise.resolve(false)), { wait: 0, ok: false }, 'past the limit, a join is still not refused');
    const off = new FailedAttempts(0, clockAt(0));
    await off.join('192.0.2.1', 'app', Promise.resolve(false));
    assert.equal(off.attempt('192.0.2.1', 'app'), 0, 'a limit of 0 counts nothing');
  });

  test('one client_id\'s failures never refuse another\'s from the same address (apps behind one NAT)', () => {
    const failures = new FailedAttempts(2, clockAt(0), { addressCeiling: 20 });
    assert.equal(failures.attempt('192.0.2.1', 'app-a'), 0);
    assert.equal(failures.attempt('192.0.2.1', 'app-a'), 0);
    assert.equal(failures.attempt('192.0.2.1', 'app-a'), 60_000);
    for (let i = 0; i < 100; i++) assert.equal(failures.attempt('192.0.2.1', 'app-a'), 60_000, 'refusals count nothing');
    assert.equal(failures.attempt('192.0.2.1', 'app-b'), 0);
    assert.equal(failures.attempt('192.0.2.1', 'app-b'), 0);
    assert.equal(failures.attempt('192.0.2.1', 'app-c'), 0);
  });

  test('the address ceiling: client_ids made up one after another get no more checks than it, then every client_id waits', () => {
    const clock = clockAt(0);
    const failures = new FailedAttempts(3, clock, { addressCeiling: 30 });
    const taken = Array.from({ length: 100 }, (_, i) => failures.attempt('192.0.2.1', `made-up-${i}`)).filter((wait) => wait === 0);
    assert.equal(taken.length, 30);
    clock.t = 10_000;
    assert.equal(failures.attempt('192.0.2.1', 'the-real-app'), 50_000, 'the cost of one address is bounded, whoever it claims to be');
    assert.equal(failures.attempt('192.0.2.9', 'the-real-app'), 0, 'another address is not touched');
    failures.release('192.0.2.1', 'made-up-0');
    assert.equal(failures.attempt('192.0.2.1', 'the-real-app'), 0, 'a released check frees its place under the ceiling too');
    clock.t = 60_000;
    assert.equal(failures.attempt('192.0.2.1', 'made-up-100'), 0, 'a new minute');
  });

  test('a client_id of any length is one credential, and only that one', () => {
    const failures = new FailedAttempts(1, clockAt(0));
    const long = 'x'.repeat(100_000);
    assert.equal(failures.attempt('192.0.2.1', long), 0);
    assert.ok(failures.attempt('192.0.2.1', long) > 0);
    assert.equal(failures.attempt('192.0.2.1', `${long}y`), 0);
    assert.equal(failures.attempt('192.0.2.1', ''), 0);
  });

  test('failures spread over windows never add up', () => {
    const clock = clockAt(0);
    const failures = new FailedAttempts(2, clock);
    for (let i = 0; i < 10; i++) {
      assert.equal(failures.attempt('192.0.2.1', 'app'), 0);
      clock.t += 60_000;
    }
  });

  test('a limit of 0 counts nothing', () => {
    const failures = new FailedAttempts(0, clockAt(0));
    for (let i = 0; i < 100; i++) assert.equal(failures.attempt('192.0.2.1', 'app'), 0);
  });

  test('memory stays bounded: with 100,000 addresses counted, ended windows go first, then the oldest', () => {
    const clock = clockAt(0);
    const failures = new FailedAttempts(1, clock);
    failures.attempt('10.0.0.0', 'app');
    clock.t = 30_000;
    for (let i = 1; i < 100_000; i++) failures.attempt(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 'app');
    clock.t = 60_000;
    assert.equal(failures.attempt('192.0.2.1', 'app'), 0, 'room made by the window that ended');
    assert.ok(failures.attempt('10.0.0.5', 'app') > 0, 'the others stay');
    assert.equal(failures.attempt('10.0.0.0', 'app'), 0, 'forgotten');
    assert.ok(failures.attempt('192.0.2.1', 'app') > 0);
    assert.ok(failures.attempt('10.0.0.2', 'app') > 0);
    assert.equal(failures.attempt('10.0.0.1', 'app'), 0, 'none had ended: the oldest went to make room for 10.0.0.0');
  });
});

describe('createAuthFailures', () => {
  test('app secrets and the admin token are counted apart; the apps of one address have ten client_ids\' worth in all', () => {
    const failures = createAuthFailures(2, clockAt(0));
    for (let i = 0; i < 2; i++) assert.equal(failures.adminToken.attempt('192.0.2.1', ''), 0);
    assert.ok(failures.adminToken.attempt('192.0.2.1', '') > 0);
    const taken = Array.from({ length: 50 }, (_, i) => failures.appSecrets.attempt('192.0.2.1', `app-${i % 25}`)).filter((wait) => wait === 0);
    assert.equal(taken.length, 20, 'the ceiling: 10 × 2');
    assert.ok(failures.adminToken.attempt('192.0.2.1', '') > 0, 'still refused, neither more nor less');
    const off = createAuthFailures(0, clockAt(0));
    for (let i = 0; i < 100; i++) assert.equal(off.appSecrets.attempt('192.0.2.1', `app-${i}`) + off.adminToken.attempt('192.0.2.1', ''), 0);
  });
});

describe('addressKey', () => {
  test('IPv4 as it is, also when IPv4-mapped; IPv6 by its /64', () => {
    assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('2001:db8:0:1:aaaa::1'), '2001:db8:0:1::/64');
    assert.equal(addressKey('2001:DB8:0:1:bbbb:cccc:dddd:eeee'), '2001:db8:0:1::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey('fe80::1:2:3:4'), 'fe80:0:0:0::/64');
  });
});

test('retryAfterSeconds: whole seconds, at least 1', () => {
  assert.equal(retryAfterSeconds(1), 1);
  assert.equal(retryAfterSeconds(0), 1);
  assert.equal(retryAfterSeconds(1000), 1);
  assert.equal(retryAfterSeconds(1001), 2);
  assert.equal(retryAfterSeconds(60_000), 60);
});
