import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.js';
import { XMLValidator } from 'fast-xml-parser';
import { field, flavourOf, parseJsonBody, parseXmlBody, toXml, wantsXml } from '../../src/http/representation.js';

const isSvc0002 = (variable: string) => (err: unknown) =>
  err instanceof ApiError && err.id === 'SVC0002' && err.variables[0] === variable && err.status === 400;

test('flavour by path', () => {
  assert.equal(flavourOf('/sms/v3/messaging/outbox'), 'att');
  assert.equal(flavourOf('/rest/sms/2/messaging/inbox?RegistrationID=1'), 'att');
  assert.equal(flavourOf('/2/smsmessaging/outbound/tel%3A123/requests'), 'oneapi');
  assert.equal(flavourOf('/3/smsmessaging/inbound/registrations/1/messages'), 'oneapi');
  assert.equal(flavourOf('/oauth/v4/token'), 'oauth');
  assert.equal(flavourOf('/admin/v1/apps'), 'operator');
  assert.equal(flavourOf('/sim/v1/handsets/1'), 'operator');
});

test('XML with a DOCTYPE is refused before parsing (XXE and entity bombs)', () => {
  const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>';
  assert.throws(() => parseXmlBody(xxe), isSvc0002('DOCTYPE'));
  const bomb = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
  assert.throws(() => parseXmlBody(bomb), isSvc0002('DOCTYPE'));
  assert.throws(() => parseXmlBody('<!doctype html><r/>'), isSvc0002('DOCTYPE'));
});

test('malformed XML is SVC0002 Body', () => {
  assert.throws(() => parseXmlBody('<outboundSMSRequest><address>tel:1</outboundSMSRequest>'), isSvc0002('Body'));
  assert.throws(() => parseXmlBody('not xml at all <'), isSvc0002('Body'));
});

test('XML: one or many <address> become an array, numeric character references decode', () => {
  const one = parseXmlBody('<outboundSMSRequest><address>tel:+14255550100</address><message>caf&#233;</message></outboundSMSRequest>');
  assert.deepEqual(one, { outboundSMSRequest: { address: ['tel:+14255550100'], message: 'café' } });
  const two = parseXmlBody('<outboundSmsRequest><Address>a</Address><Address>b</Address></outboundSmsRequest>');
  assert.deepEqual(field(two, 'outboundSMSRequest'), { Address: ['a', 'b'] });
});

test('JSON: strict, then single-quoted pseudo-JSON of the 2012 C# sample', () => {
  assert.deepEqual(parseJsonBody('{"Address":"tel:4255550100"}'), { Address: 'tel:4255550100' });
  assert.deepEqual(parseJsonBody("{'Address':'tel:4255550100','Message':'hi'}"), { Address: 'tel:4255550100', Message: 'hi' });
  assert.deepEqual(parseJsonBody(''), {});
  assert.throws(() => parseJsonBody('{"Address":'), isSvc0002('Body'));
});

test('field() looks keys up case-insensitively, exact match first', () => {
  assert.equal(field({ Message: 'a' }, 'message'), 'a');
  assert.equal(field({ message: 'a', Message: 'b' }, 'Message'), 'b');
  assert.equal(field(['x'], 'x'), undefined);
  assert.equal(field(null, 'x'), undefined);
});

test('toXml renders arrays as repeated elements and escapes text', () => {
  const xml = toXml({ DeliveryInfoList: { DeliveryInfo: [{ Id: 'msg0' }, { Id: 'msg1' }], ResourceUrl: 'http://h/a?b=1&c=<2>' } });
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?><DeliveryInfoList><DeliveryInfo><Id>msg0</Id></DeliveryInfo><DeliveryInfo><Id>msg1</Id></DeliveryInfo><ResourceUrl>http://h/a?b=1&amp;c=&lt;2&gt;</ResourceUrl></DeliveryInfoList>',
  );
});

test('toXml: a body without one root gets the root it is given, or Response; one root stays as it is', () => {
  const head = '<?xml version="1.0" encoding="UTF-8"?>';
  assert.equal(toXml({ Id: 'SMS1', ResourceReference: { ResourceURL: 'u' } }, 'SmsResponse'), `${head}<SmsResponse><Id>SMS1</Id><ResourceReference><ResourceURL>u</ResourceURL></ResourceReference></SmsResponse>`);
  assert.equal(toXml({ Id: 'SMS1' }, 'SmsResponse'), `${head}<SmsResponse><Id>SMS1</Id></SmsResponse>`);
  assert.equal(toXml({ a: '1', b: '2' }), `${head}<Response><a>1</a><b>2</b></Response>`);
  assert.equal(toXml({ outboundSMSResponse: { messageId: 'SMS1' } }), `${head}<outboundSMSResponse><messageId>SMS1</messageId></outboundSMSResponse>`);
});

test('toXml: characters XML 1.0 cannot carry become U+FFFD; tab, LF and astral characters stay, CR as &#13;', () => {
  const xml = toXml({ m: { text: 'a\u0001b\u001Fc\uFFFEd\uD800e\tf\ng\rh\u{1F600}' } });
  assert.equal(xml, '<?xml version="1.0" encoding="UTF-8"?><m><text>a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\tf\ng&#13;h\u{1F600}</text></m>');
  assert.equal(XMLValidator.validate(xml), true);
});

test('toXml: a CR survives a round trip through an XML parser', () => {
  const xml = toXml({ inboundSMSMessage: { message: 'line1\r\nline2\rline3' } });
  assert.equal((parseXmlBody(xml).inboundSMSMessage as Record<string, unknown>).message, 'line1\r\nline2\rline3');
});

test('XML: message and callbackData keep their spaces and line ends; other values are trimmed', () => {
  const pretty = `<outboundSMSRequest>
    <address> tel:+14255550100 </address>
    <message>  two  spaces
</message>
    <notifyDeliveryStatus>
      true
    </notifyDeliveryStatus>
    <receiptRequest><callbackData> opaque </callbackData></receiptRequest>
  </outboundSMSRequest>`;
  assert.deepEqual(parseXmlBody(pretty), {
    outboundSMSRequest: { address: ['tel:+14255550100'], message: '  two  spaces\n', notifyDeliveryStatus: 'true', receiptRequest: { callbackData: ' opaque ' } },
  });
});

test('wantsXml: the preferred of XML and JSON by quality, the first named at equal quality; JSON by default and for any wildcard', () => {
  const cases: [string | undefined, boolean][] = [
    [undefined, false],
    ['application/xml', true],
    ['text/xml, application/json', true],
    ['application/json, application/xml', false],
    ['application/xml;q=0.1, application/json', false],
    ['application/json;q=0.5, application/xml;q=0.9', true],
    ['application/xml;q=0', false],
    // A wildcard takes JSON, the default, whatever XML is ranked above it.
    ['application/xml, */*', false],
    ['*/*;q=0.9, application/xml;q=0.8', false],
    ['*/*', false],
    // rest-client 1.x's default, sent by AT&T's Ruby codekit, which parses every answer as JSON.
    ['*/*; q=0.5, application/xml', false],
    ['application/xml, application/*;q=0.1', false],
    ['application/xml, */*;q=0', true],
    ['text/html', false],
    ['appication/json', false],
    ['APPLICATION/XML; charset=UTF-8', true],
  ];
  for (const [accept, xml] of cases) {
    assert.equal(wantsXml({ headers: accept === undefined ? {} : { accept } }), xml, accept);
  }
});

test('XML: namespace prefixes (OMA style) are dropped from element names', () => {
  const oma = '<sms:outboundSMSMessageRequest xmlns:sms="urn:oma:xml:rest:netapi:sms:1"><sms:address>tel:+14255550100</sms:address><sms:outboundSMSTextMessage><sms:message>hi</sms:message></sms:outboundSMSTextMessage></sms:outboundSMSMessageRequest>';
  assert.deepEqual(parseXmlBody(oma), { outboundSMSMessageRequest: { address: ['tel:+14255550100'], outboundSMSTextMessage: { message: 'hi' } } });
});
