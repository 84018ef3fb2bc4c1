import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReceiptText, isReceipt, parseReceipt, parseReceiptText, type ReceiptFields } from '../../../src/network/smpp/dlr.js';

const RECEIPT = 0x04;

function fields(text: string, extra: Partial<ReceiptFields> = {}): ReceiptFields {
  return { esmClass: RECEIPT, text, receiptedMessageId: undefined, messageState: undefined, networkErrorCode: undefined, ...extra };
}

test('the Appendix B text: every field', () => {
  const r = parseReceipt(
    fields('id:1891273321 sub:001 dlvrd:001 submit date:1305050826 done date:1305050826 stat:DELIVRD err:000 text:DLVRD TO MOBILE'),
  );
  assert.ok(r);
  assert.deepEqual(r.ids, ['1891273321']);
  assert.equal(r.state, 'delivered');
  assert.equal(r.final, true);
  assert.equal(r.stat, 'DELIVRD');
  assert.equal(r.errorCode, '000');
  assert.equal(r.submitDate, '1305050826');
  assert.equal(r.doneDate, '1305050826');
  assert.equal(r.text, 'DLVRD TO MOBILE');
});

// Real receipts, quoted with the place they were reported.
test('Clickatell: 32-hex id and dates with seconds (jookies/jasmin tests, test_is_delivery_clickatell_70, issue #70)', () => {
  const r = parseReceipt(
    fields(
      'id:a29f6845555647139e5c8f3b817f2c9a sub:001 dlvrd:001 submit date:141023215253 done date:141023215259 stat:DELIVRD err:000 text:HOLA',
    ),
  );
  assert.ok(r);
  assert.deepEqual(r.ids, ['a29f6845555647139e5c8f3b817f2c9a']);
  assert.equal(r.submitDate, '141023215253');
  assert.equal(r.doneDate, '141023215259');
  assert.equal(r.text, 'HOLA');
  assert.equal(r.state, 'delivered');
});

test('Jasmin: UUID id and text "-" (jookies/jasmin issue #153)', () => {
  const r = parseReceipt(
    fields('id:4a38dc46-5125-4969-90be-72104c340d5c sub:001 dlvrd:001 submit date:150519232657 done date:150519232657 stat:DELIVRD err:000 text:-'),
  );
  assert.ok(r);
  assert.deepEqual(r.ids, ['4a38dc46-5125-4969-90be-72104c340d5c']);
  assert.equal(r.text, '-');
});

test('no sub, dlvrd or text (jookies/jasmin issue #195)', () => {
  const r = parseReceipt(fields('id:c87c2273-7edb-4bc7-8d3a-7f57f21b625e submit date:201506201641 done date:201506201641 stat:DELIVRD err:000'));
  assert.ok(r);
  assert.deepEqual(r.ids, ['c87c2273-7edb-4bc7-8d3a-7f57f21b625e']);
  assert.equal(r.state, 'delivered');
  assert.equal(r.text, undefined);
});

test('zero-padded decimal id, no sub/dlvrd (uudashr/jsmpp issue #67)', () => {
  const r = parseReceipt(fields('id:0654354026 submit date:2302101454 done date:2302101454 stat:DELIVRD err:000'));
  assert.ok(r);
  assert.deepEqual(r.ids, ['0654354026']);
  assert.equal(r.doneDate, '2302101454');
});

test("Sicap MMG: text is not Appendix B at all, the TLVs carry it (jookies/jasmin issue #224)", () => {
  const r = parseReceipt(fields('362d9701 2', { receiptedMessageId: '362d9701', messageState: 2 }));
  assert.ok(r);
  assert.deepEqual(r.ids, ['362d9701']);
  assert.equal(r.state, 'delivered');
  assert.equal(r.stat, 'DELIVRD');
});

test('TLVs win over the text, and both ids are kept when they differ (jookies/jasmin issue #427)', () => {
  const r = parseReceipt(
    fields('id:5000 submit date:201506201641 done date:201506201641 stat:DELIVRD err:000', { receiptedMessageId: '6000', messageState: 6 }),
  );
  assert.ok(r);
  assert.deepEqual(r.ids, ['6000', '5000']);
  assert.equal(r.stat, 'ACCEPTD');
  assert.equal(r.final, false);
  assert.equal(r.state, 'enroute');
});

test('odd spacing and case: Stat, spaces around colons, submit_date, tabs', () => {
  const r = parseReceipt(fields('ID : 00AbC sub:1  dlvrd:1 Submit_Date:2401011200 DONE DATE : 2401011201\tSTAT: undeliv Err:  034 Text:Hello there'));
  assert.ok(r);
  assert.deepEqual(r.ids, ['00AbC']);
  assert.equal(r.state, 'undeliverable');
  assert.equal(r.final, true);
  assert.equal(r.errorCode, '034');
  assert.equal(r.submitDate, '2401011200');
  assert.equal(r.doneDate, '2401011201');
  assert.equal(r.text, 'Hello there');
});

test('fields in another order; "id:" inside text: does not replace the id', () => {
  const r = parseReceipt(fields('stat:EXPIRED err:000 id:77 text:my id:99 stat:DELIVRD'));
  assert.ok(r);
  assert.deepEqual(r.ids, ['77']);
  assert.equal(r.state, 'expired');
  assert.equal(r.text, 'my id:99 stat:DELIVRD');
});

test('every stat word maps to a state; unknown words are not final', () => {
  const cases: Array<[string, string, boolean]> = [
    ['DELIVRD', 'delivered', true],
    ['EXPIRED', 'expired', true],
    ['DELETED', 'undeliverable', true],
    ['UNDELIV', 'undeliverable', true],
    ['UNKNOWN', 'undeliverable', true],
    ['REJECTD', 'rejected', true],
    ['ACCEPTD', 'enroute', false],
    ['ENROUTE', 'enroute', false],
    ['SOMETHING', 'enroute', false],
  ];
  for (const [stat, state, final] of cases) {
    const r = parseReceipt(fields(`id:1 stat:${stat} err:000`));
    assert.equal(r?.state, state, stat);
    assert.equal(r?.final, final, stat);
  }
});

test('message_state TLV values', () => {
  const expected: Record<number, string> = { 1: 'enroute', 2: 'delivered', 3: 'expired', 4: 'undeliverable', 5: 'undeliverable', 6: 'enroute', 7: 'undeliverable', 8: 'rejected' };
  for (const [ms, state] of Object.entries(expected)) {
    assert.equal(parseReceipt(fields('', { receiptedMessageId: 'x1', messageState: Number(ms) }))?.state, state, `message_state ${ms}`);
  }
});

test('missing fields: no id anywhere or no state anywhere → null', () => {
  assert.equal(parseReceipt(fields('sub:001 dlvrd:001 stat:DELIVRD err:000')), null);
  assert.equal(parseReceipt(fields('id:123 sub:001 dlvrd:001 err:000')), null);
  assert.equal(parseReceipt(fields('')), null);
  // the id from the TLV and the state from the text combine
  assert.equal(parseReceipt(fields('stat:DELIVRD', { receiptedMessageId: 'abc' }))?.state, 'delivered');
});

test('network_error_code TLV fills a missing or zero err', () => {
  const r = parseReceipt(fields('id:1 stat:UNDELIV err:000', { networkErrorCode: Uint8Array.from([0x03, 0x00, 0x22]) }));
  assert.equal(r?.errorCode, '34');
});

test('isReceipt: esm_class type, or TLV, or a receipt-shaped text when esm_class is 0', () => {
  assert.equal(isReceipt({ esmClass: 0x04, text: 'anything', receiptedMessageId: undefined }), true);
  assert.equal(isReceipt({ esmClass: 0x20, text: 'anything', receiptedMessageId: undefined }), true);
  assert.equal(isReceipt({ esmClass: 0x00, text: 'Hello, is this the id: you wanted?', receiptedMessageId: undefined }), false);
  assert.equal(isReceipt({ esmClass: 0x00, text: 'id:12 stat:DELIVRD', receiptedMessageId: undefined }), true);
  assert.equal(isReceipt({ esmClass: 0x00, text: '', receiptedMessageId: 'ab12' }), true);
  assert.equal(isReceipt({ esmClass: 0x40, text: 'hello', receiptedMessageId: undefined }), false);
  assert.equal(isReceipt({ esmClass: 0x08, text: 'id:12 stat:DELIVRD', receiptedMessageId: undefined }), false);
});

test('isReceipt with esm_class 0 and no TLV: the receipt format (opens with id:, a stat: word of the table), from SMSCs that send it so', () => {
  const receipt = (text: string) => isReceipt({ esmClass: 0x00, text, receiptedMessageId: undefined });
  assert.equal(receipt('id:1891273321 sub:001 dlvrd:001 submit date:1305050826 done date:1305050826 stat:DELIVRD err:000 text:DLVRD TO MOBILE'), true);
  assert.equal(receipt('ID : 00AbC sub:1 dlvrd:1 Submit_Date:2401011200 DONE DATE : 2401011201\tSTAT: undeliv Err: 034'), true);
  assert.equal(receipt('id:c87c2273-7edb-4bc7-8d3a-7f57f21b625e submit date:201506201641 done date:201506201641 stat:DELIVRD err:000'), true);
  assert.equal(receipt('id:77 stat:ACCEPTD'), true);
});

test('isReceipt: a subscriber\'s text that mentions id: and stat: is an MO, not a receipt', () => {
  const receipt = (text: string, esmClass = 0x00) => isReceipt({ esmClass, text, receiptedMessageId: undefined });
  assert.equal(receipt('Order id: 5512 stat: where is it?'), false, 'does not open with id:');
  assert.equal(receipt('id: 5512 stat: where is it?'), false, 'stat: is no word of the table');
  assert.equal(receipt('id:5512 please stat: asap'), false);
  assert.equal(receipt('Re: id:12 stat:DELIVRD'), false);
  // A part of a long MO (UDHI, the text beginning with its UDH): receipts are never concatenated.
  assert.equal(receipt('id:12 stat:DELIVRD', 0x40), false);
  assert.equal(receipt('\u0005\u0000\u0003\u0007\u0002\u0001Order id: 5512 stat: where is it?', 0x40), false);
});

test('formatReceiptText writes what parseReceiptText reads', () => {
  const at = Date.UTC(2026, 10, 24, 13, 5);
  const text = formatReceiptText({ id: '00b8be19', submitted: 1, delivered: 1, submitAt: at, doneAt: at + 60000, stat: 'DELIVRD', err: '000', text: 'Hello world, this is longer than twenty' });
  assert.equal(text, 'id:00b8be19 sub:001 dlvrd:001 submit date:2611241305 done date:2611241306 stat:DELIVRD err:000 text:Hello world, this is');
  const parsed = parseReceiptText(text);
  assert.equal(parsed.get('id'), '00b8be19');
  assert.equal(parsed.get('stat'), 'DELIVRD');
});
