import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { addressOf, ESM_CLASS, STATUS, type SubmitSm } from '../../src/network/smpp/pdu.js';
import { buildConcatUdh } from '../../src/sms/segment.js';
import { ADMIN_AUTH } from '../helpers/apps.js';
import { HappySmsc } from './fake-smsc.js';
import { SHORT_CODE, smppGateway, waitUntil, type SmppWorld } from './world.js';

/*
 * SMPP 3.4 §5.2.19 leaves data_coding 0, "SMSC Default Alphabet", to each SMSC. An interop trial
 * against SMPPSim, which takes it as ASCII/Latin-1 like many US carriers: the gateway wrote `@` as
 * 0x00 and `_` as 0x11 (GSM 03.38 septets), and read an MO's `@_{}` (0x40 0x5F 0x7B 0x7D) as `¡§äñ`.
 * SWITCHBOARD_SMPP_DEFAULT_ALPHABET says which it is; each world here is a gateway bound to a fake
 * SMSC of its own, whose submit_sm bytes we read.
 */

interface AlphabetWorld {
  readonly smsc: HappySmsc;
  readonly world: SmppWorld;
}

async function bound(env: Record<string, string>): Promise<AlphabetWorld> {
  const smsc = await new HappySmsc().start();
  try {
    return { smsc, world: await smppGateway(smsc.port, env) };
  } catch (err) {
    await smsc.stop(); // or its listener keeps the test process alive
    throw err;
  }
}

let gsm: AlphabetWorld;
let ascii: AlphabetWorld;
let latin1: AlphabetWorld;
let asciiPayload: AlphabetWorld;

before(async () => {
  gsm = await bound({});
  ascii = await bound({ SWITCHBOARD_SMPP_DEFAULT_ALPHABET: 'ascii' });
  latin1 = await bound({ SWITCHBOARD_SMPP_DEFAULT_ALPHABET: 'latin1' });
  asciiPayload = await bound({ SWITCHBOARD_SMPP_DEFAULT_ALPHABET: 'ascii', SWITCHBOARD_SMPP_MESSAGE_PAYLOAD: 'true' });
});
after(async () => {
  for (const w of [gsm, ascii, latin1, asciiPayload]) {
    await w?.world.gw.close();
    await w?.smsc.stop();
  }
});

const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');

/** Sends `text` through the API; resolves with its submit_sm PDUs and what the store recorded for it. */
async function sent(w: AlphabetWorld, text: string, parts = 1): Promise<{ submits: SubmitSm[]; encoding: string; segments: number }> {
  const before = w.smsc.submits.length;
  const id = await w.world.sendSms('+14255550190', text);
  await waitUntil(() => w.smsc.submits.length >= before + parts, 5000, `${parts} submit_sm`);
  const stored = await w.world.gw.gateway.ctx.store.messages.recipient(`${id}-0`);
  assert.ok(stored);
  return { submits: w.smsc.submits.slice(before), encoding: stored.message.encoding, segments: stored.message.segments };
}

/** One MO deliver_sm with these bytes; resolves with its command_status. */
async function deliver(w: AlphabetWorld, shortMessage: Buffer, dataCoding = 0, esmClass = 0): Promise<number> {
  const answers = await w.smsc.deliver({ source: addressOf('+14255550191'), destination: addressOf(SHORT_CODE), esmClass, dataCoding, shortMessage });
  assert.equal(answers.length, 1);
  return answers[0]!.command_status;
}

async function inbox(w: AlphabetWorld): Promise<string[]> {
  const res = await w.world.gw.request('GET', `/sms/v3/messaging/inbox/${SHORT_CODE}`, { headers: w.world.app.auth });
  assert.equal(res.status, 200, res.text);
  return res.json().InboundSmsMessageList.InboundSmsMessage.map((m: { Message: string }) => m.Message);
}

test('gsm (the default): `@_{}` goes as GSM 03.38 septets and an MO is read in them, as before', async () => {
  const { submits, encoding } = await sent(gsm, '@_{}');
  assert.equal(encoding, 'GSM7');
  assert.deepEqual(submits.map((s) => [s.dataCoding, hex(s.shortMessage)]), [[0, '00111b281b29']]);
  assert.equal(hex((await sent(gsm, 'x = Δ')).submits[0]?.shortMessage), '78203d2010', 'Δ is GSM 0x10');
  assert.equal(await deliver(gsm, Buffer.from([0x00, 0x11, 0x1b, 0x28, 0x1b, 0x29])), STATUS.ROK);
  assert.deepEqual(await inbox(gsm), ['@_{}']);
});

test('ascii: GSM text goes as data_coding 0 in ASCII bytes (`@` 0x40, `_` 0x5F), split by GSM septets', async () => {
  const text = '@_{}[~]|\\^ $1';
  const { submits, encoding, segments } = await sent(ascii, text);
  assert.deepEqual({ encoding, segments }, { encoding: 'GSM7', segments: 1 });
  assert.deepEqual(submits.map((s) => [s.dataCoding, hex(s.shortMessage)]), [[0, Buffer.from(text, 'latin1').toString('hex')]]);

  // `{` still costs two septets on the air: 81 of them are two parts, 76 + 5 bytes after the UDH.
  const long = await sent(ascii, '{'.repeat(81), 2);
  assert.equal(long.segments, 2);
  assert.deepEqual(long.submits.map((s) => [s.dataCoding, s.esmClass, s.shortMessage.length - 6, hex(s.shortMessage.subarray(6, 8))]), [
    [0, ESM_CLASS.UDHI, 76, '7b7b'],
    [0, ESM_CLASS.UDHI, 5, '7b7b'],
  ]);
});

test('ascii: a text with a GSM character ASCII lacks is not sent wrongly: Δ or € goes UCS-2, £ Latin-1, as stored', async () => {
  const delta = await sent(ascii, 'x = Δ');
  assert.deepEqual({ encoding: delta.encoding, coding: delta.submits[0]?.dataCoding, bytes: hex(delta.submits[0]?.shortMessage) }, {
    encoding: 'UCS2',
    coding: 8,
    bytes: '00780020003d00200394',
  });
  const euro = await sent(ascii, '5 €');
  assert.deepEqual([euro.encoding, euro.submits[0]?.dataCoding], ['UCS2', 8]);
  const pound = await sent(ascii, '£5 @');
  assert.deepEqual({ encoding: pound.encoding, coding: pound.submits[0]?.dataCoding, bytes: hex(pound.submits[0]?.shortMessage) }, {
    encoding: 'LATIN1',
    coding: 3,
    bytes: 'a3352040',
  });
});

test('ascii: an MO with data_coding 0 is read as ASCII, whole and in concatenated parts', async () => {
  assert.equal(await deliver(ascii, Buffer.from('@_{} [~] |\\^ $', 'latin1')), STATUS.ROK);
  assert.equal(await deliver(ascii, Buffer.concat([buildConcatUdh(5, 2, 2), Buffer.from(' second {half}', 'latin1')]), 0, ESM_CLASS.UDHI), STATUS.ROK);
  assert.equal(await deliver(ascii, Buffer.concat([buildConcatUdh(5, 2, 1), Buffer.from('first_half@', 'latin1')]), 0, ESM_CLASS.UDHI), STATUS.ROK);
  assert.deepEqual(await inbox(ascii), ['@_{} [~] |\\^ $', 'first_half@ second {half}']);
});

test('latin1: GSM text goes as data_coding 0 in Latin-1 bytes; Δ and € go UCS-2; an MO is read as Latin-1', async () => {
  const text = 'Größe @_{} £5 é';
  const plain = await sent(latin1, text);
  assert.deepEqual({ encoding: plain.encoding, coding: plain.submits[0]?.dataCoding, bytes: hex(plain.submits[0]?.shortMessage) }, {
    encoding: 'GSM7',
    coding: 0,
    bytes: Buffer.from(text, 'latin1').toString('hex'),
  });
  for (const other of ['Δ', '€']) {
    const r = await sent(latin1, `x ${other}`);
    assert.deepEqual([r.encoding, r.submits[0]?.dataCoding], ['UCS2', 8], other);
  }
  assert.equal(await deliver(latin1, Buffer.from('Größe @_{} £5', 'latin1')), STATUS.ROK);
  assert.deepEqual(await inbox(latin1), ['Größe @_{} £5']);
});

test('ascii with message_payload: the whole text in one submit_sm, in ASCII bytes', async () => {
  const text = '@_'.repeat(100); // 200 septets: two parts' worth
  const { submits, segments } = await sent(asciiPayload, text);
  assert.equal(segments, 2);
  assert.equal(submits.length, 1);
  assert.deepEqual([submits[0]?.dataCoding, submits[0]?.esmClass, submits[0]?.shortMessage.length], [0, 0, 0]);
  assert.equal(hex(submits[0]?.messagePayload), Buffer.from(text, 'latin1').toString('hex'));
});

test('ascii: a message stored as GSM7 under another setting and not carried by ASCII is encoded again at submit, not refused or garbled', async () => {
  // What an instance with SWITCHBOARD_SMPP_DEFAULT_ALPHABET=gsm accepted, submitted by this one.
  const before = ascii.smsc.submits.length;
  const result = await ascii.world.gw.gateway.ctx.outbound.connector.submit({
    recipientId: 'SMSalphabet-0', messageId: 'SMSalphabet', from: SHORT_CODE, to: '+14255550192', text: 'x = Δ', encoding: 'GSM7', segments: 1, wantReceipt: false, firstAttempt: true,
  });
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.deepEqual(ascii.smsc.submits.slice(before).map((s) => [s.dataCoding, hex(s.shortMessage)]), [[8, '00780020003d00200394']]);
});

test('GET /admin/v1/smsc-links says which alphabet data_coding 0 is in', async () => {
  for (const [w, alphabet] of [[gsm, 'gsm'], [ascii, 'ascii'], [latin1, 'latin1']] as const) {
    const res = await w.world.gw.request('GET', '/admin/v1/smsc-links', { headers: ADMIN_AUTH });
    assert.equal(res.status, 200);
    assert.equal(res.json().defaultAlphabet, alphabet);
  }
});
