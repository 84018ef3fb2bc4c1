import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ADMIN_AUTH, createApp, type TestApp } from '../helpers/apps.js';
import { sendMo } from '../inbound/mo.js';

let gw: TestGateway;
let app: TestApp;
let other: TestApp;

before(async () => {
  gw = await startTestGateway({ SWITCHBOARD_INBOX_BATCH_SIZE: '3' });
  app = await createApp(gw, {
    shortCodes: [
      { shortCode: '22627000', moDelivery: 'poll' },
      { shortCode: '22627001', moDelivery: 'poll' },
      { shortCode: '22627002', moDelivery: 'poll' },
      { shortCode: '22627003', moDelivery: 'poll' },
      { shortCode: '22627004', moDelivery: 'poll' },
      { shortCode: '22627009', moDelivery: 'callback', listenerUrl: 'http://127.0.0.1:9/never' },
    ],
  });
  other = await createApp(gw, { shortCodes: [{ shortCode: '22627100', moDelivery: 'poll' }] });
});
after(async () => {
  await gw.close();
});

const v3 = (code: string, headers: Record<string, string> = {}) =>
  gw.request('GET', `/sms/v3/messaging/inbox/${code}`, { headers: { ...app.auth, ...headers } });

test('Get SMS v3: messages come in batches, each exactly once, with string counters and PascalCase keys', async () => {
  const texts = Array.from({ length: 7 }, (_, i) => `hello ${i}`);
  for (const t of texts) await sendMo(gw, '+14255550100', '22627000', t);

  const seen: string[] = [];
  const ids = new Set<string>();
  const pendings: string[] = [];
  for (;;) {
    const res = await v3('22627000');
    assert.equal(res.status, 200, res.text);
    const list = res.json().InboundSmsMessageList;
    assert.ok(Array.isArray(list.InboundSmsMessage));
    assert.equal(list.NumberOfMessagesInThisBatch, String(list.InboundSmsMessage.length));
    assert.equal(typeof list.TotalNumberOfPendingMessages, 'string');
    assert.match(list.ResourceUrl, /^http:\/\/127\.0\.0\.1:\d+\/sms\/v3\/messaging\/inbox\/22627000$/);
    pendings.push(list.TotalNumberOfPendingMessages);
    if (list.InboundSmsMessage.length === 0) break;
    for (const m of list.InboundSmsMessage) {
      assert.deepEqual(Object.keys(m).sort(), ['Message', 'MessageId', 'SenderAddress']);
      assert.match(m.MessageId, /^MO[0-9a-f]{24}$/);
      assert.equal(m.SenderAddress, 'tel:+14255550100');
      ids.add(m.MessageId);
      seen.push(m.Message);
    }
  }
  assert.deepEqual(pendings, ['4', '1', '0', '0']);
  assert.deepEqual(seen, texts, 'oldest first, nothing twice, nothing lost');
  assert.equal(ids.size, texts.length);
});

test('an empty inbox answers an empty array, not a missing key', async () => {
  const res = await v3('22627003');
  assert.equal(res.status, 200);
  const body = res.json();
  assert.ok(body.InboundSmsMessageList.ResourceUrl.endsWith('/sms/v3/messaging/inbox/22627003'));
  assert.deepEqual(body, {
    InboundSmsMessageList: {
      InboundSmsMessage: [],
      NumberOfMessagesInThisBatch: '0',
      ResourceUrl: body.InboundSmsMessageList.ResourceUrl,
      TotalNumberOfPendingMessages: '0',
    },
  });
});

test('concurrent polls on every path never return the same message twice', async () => {
  const total = 24;
  await Promise.all(Array.from({ length: total }, (_, i) => sendMo(gw, '+14255550101', '22627001', `m${i}`)));
  const polls = Array.from({ length: 8 }, (_, i) => {
    if (i % 3 === 0) return v3('22627001');
    if (i % 3 === 1) return gw.request('GET', '/rest/sms/2/messaging/inbox?RegistrationID=22627001', { headers: app.auth });
    return gw.request('GET', '/2/smsmessaging/inbound/registrations/22627001/messages?maxBatchSize=4', { headers: app.auth });
  });
  const got: string[] = [];
  for (const res of await Promise.all(polls)) {
    assert.equal(res.status, 200, res.text);
    const body = res.json();
    const list = body.InboundSmsMessageList?.InboundSmsMessage ?? body.inboundSMSMessageList.inboundSMSMessage;
    for (const m of list) got.push(m.Message ?? m.message);
  }
  // Drain what the concurrent polls left.
  for (;;) {
    const list = (await v3('22627001')).json().InboundSmsMessageList.InboundSmsMessage;
    if (list.length === 0) break;
    got.push(...list.map((m: any) => m.Message));
  }
  assert.equal(got.length, total);
  assert.equal(new Set(got).size, total, 'no message returned twice');
});

test('Get SMS v2: RegistrationID matched case-insensitively, token in the query accepted; ResourceUrl without the query', async () => {
  await sendMo(gw, '4255550102', '22627002', 'one');
  await sendMo(gw, '4255550102', '22627002', 'two');
  await sendMo(gw, '4255550102', '22627002', 'three');
  await sendMo(gw, '4255550102', '22627002', 'four');
  const a = await gw.request('GET', '/rest/sms/2/messaging/inbox?registrationid=22627002', { headers: app.auth });
  assert.equal(a.status, 200, a.text);
  assert.deepEqual(
    a.json().InboundSmsMessageList.InboundSmsMessage.map((m: any) => m.Message),
    ['one', 'two', 'three'],
  );
  // The v2 doc's example (developer.att.com/sms/docs/v2): `GET …/inbox?RegistrationID=22627000`
  // answers `"ResourceUrl": "http://api.att.com/rest/sms/2/messaging/inbox"`. It carried the query.
  assert.match(a.json().InboundSmsMessageList.ResourceUrl, /^http:\/\/127\.0\.0\.1:\d+\/rest\/sms\/2\/messaging\/inbox$/);
  const b = await gw.request('GET', `/rest/sms/2/messaging/inbox?RegistrationId=22627002&access_token=${app.token}`);
  assert.equal(b.status, 200, b.text);
  assert.deepEqual(
    b.json().InboundSmsMessageList.InboundSmsMessage.map((m: any) => m.Message),
    ['four'],
  );
});

test('OneAPI inbound registrations: lower-camel list with dateTime, destinationAddress and resourceURL', async () => {
  await sendMo(gw, '+14255550103', '22627003', 'Hello OneAPI');
  const res = await gw.request('GET', '/3/smsmessaging/inbound/registrations/22627003/messages', { headers: app.auth });
  assert.equal(res.status, 200, res.text);
  const list = res.json().inboundSMSMessageList;
  const base = list.resourceURL;
  assert.ok(base.endsWith('/3/smsmessaging/inbound/registrations/22627003/messages'), base);
  assert.equal(list.numberOfMessagesInThisBatch, '1');
  assert.equal(list.totalNumberOfPendingMessages, '0');
  const [m] = list.inboundSMSMessage;
  assert.match(m.dateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(m.destinationAddress, '22627003');
  assert.equal(m.message, 'Hello OneAPI');
  assert.equal(m.senderAddress, 'tel:+14255550103');
  assert.equal(m.resourceURL, `${base}/${m.messageId}`);
});

test('XML on both flavours: repeated message elements, counters as text', async () => {
  await sendMo(gw, '+14255550104', '22627003', 'x1');
  await sendMo(gw, '+14255550104', '22627003', 'x2');
  const att = await v3('22627003', { accept: 'application/xml' });
  assert.equal(att.status, 200);
  assert.match(att.headers.get('content-type') ?? '', /application\/xml/);
  assert.match(
    att.text,
    /<InboundSmsMessageList><InboundSmsMessage><MessageId>MO[0-9a-f]{24}<\/MessageId><Message>x1<\/Message><SenderAddress>tel:\+14255550104<\/SenderAddress><\/InboundSmsMessage><InboundSmsMessage>.*<Message>x2<\/Message>.*<NumberOfMessagesInThisBatch>2<\/NumberOfMessagesInThisBatch><ResourceUrl>.*<\/ResourceUrl><TotalNumberOfPendingMessages>0<\/TotalNumberOfPendingMessages><\/InboundSmsMessageList>/,
  );
  await sendMo(gw, '+14255550104', '22627003', 'x3');
  const one = await gw.request('GET', '/2/smsmessaging/inbound/registrations/22627003/messages', { headers: { ...app.auth, accept: 'application/xml' } });
  assert.match(one.text, /<inboundSMSMessageList><inboundSMSMessage><dateTime>.*<message>x3<\/message>.*<\/inboundSMSMessage><numberOfMessagesInThisBatch>1<\/numberOfMessagesInThisBatch>/);
});

test('XML inbox: a control character a handset sent cannot make the batch unreadable; JSON keeps it', async () => {
  await sendMo(gw, '+14255550105', '22627002', 'ctl\u0001x & <y>');
  await sendMo(gw, '+14255550105', '22627002', 'ctl\u0002z');
  const xml = await v3('22627002', { accept: 'application/xml' });
  assert.equal(xml.status, 200);
  assert.equal(XMLValidator.validate(xml.text), true, xml.text);
  assert.match(xml.text, /<Message>ctl\uFFFDx &amp; &lt;y&gt;<\/Message>/);
  await sendMo(gw, '+14255550105', '22627002', 'ctl\u0003j');
  const json = await v3('22627002');
  assert.equal(json.json().InboundSmsMessageList.InboundSmsMessage[0].Message, 'ctl\u0003j');
});

test('XML inbox: a CR a handset sent is written as &#13;, which XML parsers keep (a raw CR reaches the app as LF, XML 1.0 §2.11)', async () => {
  const text = 'line1\r\nline2\rline3';
  await sendMo(gw, '+14255550107', '22627002', text);
  const att = await v3('22627002', { accept: 'application/xml' });
  assert.equal(att.status, 200);
  assert.match(att.text, /<Message>line1&#13;\nline2&#13;line3<\/Message>/);
  assert.ok(!att.text.includes('\r'), JSON.stringify(att.text));
  await sendMo(gw, '+14255550107', '22627002', text);
  const one = await gw.request('GET', '/2/smsmessaging/inbound/registrations/22627002/messages', { headers: { ...app.auth, accept: 'application/xml' } });
  assert.equal(one.status, 200);
  assert.match(one.text, /<message>line1&#13;\nline2&#13;line3<\/message>/);
});

test('HEAD on an inbox answers 405 (Allow: GET) and hands nothing out: the GET still gets the message', async () => {
  await sendMo(gw, '+14255550106', '22627001', 'not for HEAD');
  for (const path of ['/sms/v3/messaging/inbox/22627001', '/rest/sms/2/messaging/inbox?RegistrationID=22627001', '/3/smsmessaging/inbound/registrations/22627001/messages']) {
    const head = await gw.request('HEAD', path, { headers: app.auth });
    assert.equal(head.status, 405, path);
    assert.match(head.headers.get('allow') ?? '', /\bGET\b/);
  }
  const got = await v3('22627001');
  assert.deepEqual(got.json().InboundSmsMessageList.InboundSmsMessage.map((m: { Message: string }) => m.Message), ['not for HEAD']);
});

test('maxBatchSize bounds a OneAPI batch; a bad one is SVC0002', async () => {
  for (const t of ['a', 'b', 'c', 'd', 'e']) await sendMo(gw, '+14255550105', '22627003', t);
  const res = await gw.request('GET', '/1/smsmessaging/inbound/registrations/22627003/messages?maxBatchSize=2', { headers: app.auth });
  const list = res.json().inboundSMSMessageList;
  assert.deepEqual(
    list.inboundSMSMessage.map((m: any) => m.message),
    ['a', 'b'],
  );
  assert.equal(list.totalNumberOfPendingMessages, '3');
  for (const bad of ['abc', '-1', '1.5']) {
    const r = await gw.request('GET', `/2/smsmessaging/inbound/registrations/22627003/messages?maxBatchSize=${bad}`, { headers: app.auth });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json().requestError.serviceException.variables, ['maxBatchSize']);
  }
  // The default batch size (3 here) when none is given.
  const rest = await gw.request('GET', '/2/smsmessaging/inbound/registrations/22627003/messages', { headers: app.auth });
  assert.equal(rest.json().inboundSMSMessageList.numberOfMessagesInThisBatch, '3');
});

test('maxBatchSize=0 is the default batch size, as if absent', async () => {
  // The GSMA reference Java library sends any maxBatchSize >= 0 as it is; 0 was 400 SVC0002.
  for (const t of ['a', 'b', 'c', 'd']) await sendMo(gw, '+14255550106', '22627004', t);
  const res = await gw.request('GET', '/2/smsmessaging/inbound/registrations/22627004/messages/?maxBatchSize=0', { headers: app.auth });
  assert.equal(res.status, 200, res.text);
  const list = res.json().inboundSMSMessageList;
  assert.deepEqual(list.inboundSMSMessage.map((m: any) => m.message), ['a', 'b', 'c']);
  assert.equal(list.totalNumberOfPendingMessages, '1');
});

test('refusals: unknown, other app’s and callback-mode short codes are 400 SVC0002 RegistrationId', async () => {
  const envelope = (variables: string) => ({
    RequestError: { ServiceException: { MessageId: 'SVC0002', Text: 'Invalid input value for message part %1', Variables: variables } },
  });
  for (const code of ['99999999', '22627100', '22627009', 'not-a-code']) {
    const res = await v3(code);
    assert.equal(res.status, 400, `${code}: ${res.text}`);
    assert.deepEqual(res.json(), envelope('RegistrationId'));
  }
  const v2 = await gw.request('GET', '/rest/sms/2/messaging/inbox?RegistrationID=22627100', { headers: app.auth });
  assert.deepEqual(v2.json(), envelope('RegistrationID'));
  const missing = await gw.request('GET', '/rest/sms/2/messaging/inbox', { headers: app.auth });
  assert.deepEqual(missing.json(), envelope('RegistrationID'));
  const oneapi = await gw.request('GET', '/2/smsmessaging/inbound/registrations/22627009/messages', { headers: app.auth });
  assert.equal(oneapi.status, 400);
  assert.deepEqual(oneapi.json(), {
    requestError: { serviceException: { messageId: 'SVC0002', text: 'Invalid input value for message part %1', variables: ['registrationId'] } },
  });
  // The other app polls its own code fine; nobody else's messages leak into it.
  const own = await gw.request('GET', '/sms/v3/messaging/inbox/22627100', { headers: other.auth });
  assert.equal(own.status, 200);
  const anonymous = await gw.request('GET', '/sms/v3/messaging/inbox/22627000');
  assert.equal(anonymous.status, 400);
  assert.equal(anonymous.json().RequestError.PolicyException.MessageId, 'POL0001');
});

test('the RegistrationId may be spelled tel:, short: or URL-encoded', async () => {
  await sendMo(gw, '+14255550106', '22627003', 'spelled');
  const res = await v3(encodeURIComponent('short:22627003'));
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json().InboundSmsMessageList.InboundSmsMessage[0].Message, 'spelled');
  assert.equal((await v3(encodeURIComponent('tel:22627003'))).status, 200);
});

test('MO to a short code nobody holds is kept as unrouted, visible to the operator', async () => {
  await sendMo(gw, '+14255550107', '55555', 'anyone there?');
  const res = await gw.request('GET', '/admin/v1/unrouted', { headers: ADMIN_AUTH });
  assert.equal(res.status, 200, res.text);
  const found = res.json().unrouted.find((u: any) => u.message === 'anyone there?');
  assert.ok(found, res.text);
  assert.equal(found.shortCode, '55555');
  assert.equal(found.senderAddress, 'tel:+14255550107');
  assert.equal(found.reason, 'unknown-short-code');
  assert.equal((await gw.request('GET', '/admin/v1/unrouted')).status, 401);
});

test('unrouted MO and the handsets\' messages are deleted after their retention', async () => {
  const short = await startTestGateway({ SWITCHBOARD_UNROUTED_RETENTION_S: '1', SWITCHBOARD_SIM_MESSAGE_RETENTION_S: '1' });
  try {
    await sendMo(short, '+14255550109', '55555', 'nobody home');
    const unrouted = async () => (await short.request('GET', '/admin/v1/unrouted', { headers: ADMIN_AUTH })).json().unrouted.length;
    assert.equal(await unrouted(), 1);
    const onHandset = async () => (await short.gateway.ctx.store.handsets.messages('+14255550109', 'MO', { limit: 10 })).length;
    assert.equal(await onHandset(), 1);
    const end = Date.now() + 5000;
    while ((await unrouted()) > 0 || (await onHandset()) > 0) {
      assert.ok(Date.now() < end, 'still kept 5 s after a retention of 1 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await short.close();
  }
});

test('unpolled messages are purged after SWITCHBOARD_INBOX_RETENTION_S', async () => {
  const short = await startTestGateway({ SWITCHBOARD_INBOX_RETENTION_S: '1' });
  try {
    const a = await createApp(short, { shortCodes: [{ shortCode: '22627050', moDelivery: 'poll' }] });
    await sendMo(short, '+14255550108', '22627050', 'too late');
    await new Promise((r) => setTimeout(r, 1500));
    await sendMo(short, '+14255550108', '22627050', 'in time');
    const res = await short.request('GET', '/sms/v3/messaging/inbox/22627050', { headers: a.auth });
    assert.deepEqual(
      res.json().InboundSmsMessageList.InboundSmsMessage.map((m: any) => m.Message),
      ['in time'],
    );
    // The sweeper removed the row itself, not just hid it.
    const rows = await short.gateway.ctx.store.inbox.purge(Date.now() + 10_000);
    assert.equal(rows, 0);
  } finally {
    await short.close();
  }
});
