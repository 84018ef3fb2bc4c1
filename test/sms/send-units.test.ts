import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConcatRefs } from '../../src/sms/concat-ref.js';
import { DLR_NOTIFY_KIND, dlrNotifyJob, type DlrNotifyPayload } from '../../src/sms/dlr-notify.js';
import { MESSAGE_ID, newMessageId, recipientLabel } from '../../src/sms/ids.js';
import { shownStatus } from '../../src/sms/status.js';
import type { MessageRecord, RecipientRecord } from '../../src/store/repos/messages.js';

test('message ids are SMS + 16 lowercase hex digits, and unique', () => {
  const ids = new Set(Array.from({ length: 1000 }, newMessageId));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, MESSAGE_ID);
  assert.equal(recipientLabel(0), 'msg0');
  assert.equal(recipientLabel(12), 'msg12');
});

test('concatenation references: per destination, consecutive, wrapping at 8 bits', () => {
  const refs = new ConcatRefs();
  const a = refs.next('+14255550100');
  assert.equal(refs.next('+14255550100'), (a + 1) % 256);
  const b = refs.next('+14255550101');
  assert.ok(b >= 0 && b < 256);
  const seen = Array.from({ length: 256 }, () => refs.next('+14255550102'));
  assert.equal(new Set(seen).size, 256, 'all 256 values before one repeats');
  const small = new ConcatRefs({ capacity: 2 });
  small.next('x');
  small.next('y');
  small.next('z');
  const wide = new ConcatRefs({ refBits: 16 });
  assert.ok(wide.next('x') < 65536);
});

test('status words: Pending reads DeliveredToNetwork on AT&T paths and MessageWaiting on OneAPI', () => {
  assert.equal(shownStatus('Pending', 'att'), 'DeliveredToNetwork');
  assert.equal(shownStatus('Pending', 'oneapi'), 'MessageWaiting');
  for (const s of ['DeliveredToNetwork', 'DeliveredToTerminal', 'DeliveryImpossible'] as const) {
    assert.equal(shownStatus(s, 'att'), s);
    assert.equal(shownStatus(s, 'oneapi'), s);
  }
});

test('the delivery notification job carries everything the notifier needs, only when asked for', () => {
  const message = {
    id: 'SMS0123456789abcdef',
    appId: 'app',
    notifyMode: 'oneapi',
    notifyUrl: 'http://127.0.0.1:1/dr',
    callbackData: 'cb',
  } as MessageRecord;
  const recipient = { id: 'SMS0123456789abcdef-0', e164: '+14255550100', addressOriginal: '425-555-0100', status: 'DeliveredToTerminal', finalAt: 1000 } as RecipientRecord;
  const job = dlrNotifyJob(5000)(message, recipient);
  assert.ok(job);
  assert.equal(job.kind, DLR_NOTIFY_KIND);
  assert.equal(job.ref, recipient.id);
  assert.equal(job.runAt, 1000);
  assert.equal(job.deadlineAt, 6000);
  const payload = JSON.parse(job.payload ?? '') as DlrNotifyPayload;
  assert.deepEqual(payload, {
    flavour: 'oneapi',
    appId: 'app',
    messageId: message.id,
    recipientId: recipient.id,
    address: 'tel:+14255550100',
    addressOriginal: '425-555-0100',
    deliveryStatus: 'DeliveredToTerminal',
    notifyUrl: 'http://127.0.0.1:1/dr',
    callbackData: 'cb',
    at: 1000,
  });
  assert.equal(dlrNotifyJob(5000)({ ...message, notifyMode: 'none' }, recipient), null);
});
