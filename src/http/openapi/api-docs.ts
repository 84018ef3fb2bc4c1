import { arr, bool, obj, str, type ErrorDoc, type JsonSchema, type OperationDoc, type ParamDoc } from './model.js';

/*
 * The SMS API itself: AT&T RESTful v3 and v2, and GSMA OneAPI on /1, /2 and /3 (the same document
 * serves every version; `{v}` in a key stands for each). Keys are `METHOD path` with fastify's
 * `:param` syntax, as the routes are registered.
 */

const HOST = 'http://127.0.0.1:8080';
const NUMBER = 'tel:+14255550100';
const CODE = '22627000';
const MESSAGE_ID = 'SMS98b28061a8c11f03';

const AT_T = ['AT&T RESTful'];
const ONEAPI = ['GSMA OneAPI'];
const SEND_ERRORS = [400, 401, 403, 409, 413, 415, 503];
const READ_ERRORS = [400, 401, 403, 503];

const messageIdParam: ParamDoc = { description: 'The id Send SMS returned (`messageId`, v2 `Id`).', example: MESSAGE_ID };
const senderParam: ParamDoc = { description: "One of the app's short codes, in any form: `tel%3A22627000`, `tel:22627000`, `22627000`.", example: `tel%3A${CODE}` };
const requestIdParam: ParamDoc = { description: 'The request id: the last segment of the `resourceURL` Send SMS returned.', example: MESSAGE_ID };
const registrationParam: ParamDoc = { description: "The app's short code whose MO messages are polled (poll delivery).", example: CODE };
const idempotencyNote =
  'An `Idempotency-Key` header (up to 255 characters) makes a repeat return the first answer (with `Idempotent-Replayed: true`) without sending again, for `SWITCHBOARD_IDEMPOTENCY_RETENTION_S` (24 h) after the send; the same key with a different request is 409 SVC0005.';

/*
 * What each Send SMS answers 400 and 403 with, checked against the code (sms/send.ts, send-body.ts,
 * api-auth.ts, throttle.ts, att-outbox.ts) and pinned by test/http/docs-try-it-out.test.ts.
 */
const THROTTLED =
  "Over the app's `ratePerSecond` (POL0001 `Rate limit exceeded`) or `ratePerDay` (POL0001 `Daily quota exceeded`), both with Retry-After";
const throttled403 = (also: string): ErrorDoc => ({
  variables: ['Rate limit exceeded'],
  why: `${THROTTLED}; ${also}scope missing (POL0001), app suspended (POL1010) or, with HTTP Basic, too many failed checks of the App Key from this address (POL0001, with Retry-After).`,
});
const ATT_SEND_ERRORS: Record<number, ErrorDoc> = {
  400: {
    why: 'Invalid input: SVC0002 (no such field, empty `Message`, a body that cannot be read), SVC0003 (`notifyDeliveryStatus` not true/false), SVC0004 (no valid address), SVC0280 (over 4096 characters), POL0003 (over 50 recipients), POL0013 (the same number twice), SVC0001 (a landline or off-net number), SVC0283 (`notifyDeliveryStatus` without a delivery status URL on the app); POL0001 without a token.',
  },
  403: throttled403('the app has no short code (POL0002); '),
  409: { variables: ['order-1234', 'Idempotency-Key'], why: '`Idempotency-Key` reused for a different request.' },
};
const ONEAPI_SEND_ERRORS: Record<number, ErrorDoc> = {
  400: {
    why: 'Invalid input: SVC0002 (no such field, empty `message`, `notifyURL` not an allowed URL, a body that cannot be read), SVC0004 (no valid `address`, or a `senderAddress` other than the path\'s), SVC0280 (over 4096 characters), POL0003 (over 50 recipients), POL0013 (the same number twice), SVC0001 (a landline or off-net number); POL0001 without a token.',
  },
  403: throttled403("the sender is not one of the app's short codes (POL0002); charging information in the request (POL0008); "),
};
const STATUS_ERRORS: Record<number, ErrorDoc> = { 403: throttled403('') };

const address = { description: 'One address, a comma-joined list or an array (at most 50): `tel:+14255550100`, `tel:4255550100`, `14255550100`, URL-encoded forms too.', oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };

/** A form's address: one per key, the key repeated, or a comma-joined list. */
const formAddress = str('One address, or a comma-joined list (at most 50); the key may also be repeated, also as `address[]` or `address[0]`, `address[1]` ….');
/** A form carries strings only: `notifyDeliveryStatus` as the words. */
const formFlag = str('Push final states to the delivery status URL instead of polling.', { enum: ['true', 'false'] });

const deliveryStatus = str(
  '`DeliveredToNetwork`, `DeliveredToTerminal` or `DeliveryImpossible` (OneAPI also `MessageWaiting` before the network took it, and `DeliveryUncertain` when the network never reported on it, which AT&T paths show as `DeliveryImpossible`).',
  { enum: ['MessageWaiting', 'DeliveredToNetwork', 'DeliveredToTerminal', 'DeliveryImpossible', 'DeliveryUncertain'] },
);

const attDeliveryInfo = obj({
  DeliveryInfoList: obj({
    DeliveryInfo: arr(obj({ Id: str('Per-recipient id: msg0, msg1, …'), Address: str('As the client spelled it.'), DeliveryStatus: deliveryStatus })),
    ResourceUrl: str('This resource.'),
  }),
});

const attInbox = obj({
  InboundSmsMessageList: obj({
    InboundSmsMessage: arr(obj({ MessageId: str('MO message id.'), Message: str('The text.'), SenderAddress: str('tel: URI of the handset.') })),
    NumberOfMessagesInThisBatch: str('Digits, as a string.'),
    ResourceUrl: str('This inbox.'),
    TotalNumberOfPendingMessages: str('Messages still waiting after this batch, as a string.'),
  }),
});

const oneapiDeliveryInfoList = obj({ deliveryInfo: arr(obj({ address: str('As the client spelled it.'), deliveryStatus })), resourceURL: str('The delivery infos resource (`…/deliveryInfos`).') });
const oneapiDeliveryInfo = obj({
  deliveryInfoList: oneapiDeliveryInfoList,
});

const oneapiSendBody = obj(
  {
    outboundSMSMessageRequest: obj(
      {
        address,
        senderAddress: str('Must name the same short code as the path (else SVC0004).'),
        outboundSMSTextMessage: obj({ message: str('Up to 4096 characters; GSM 7-bit, Latin-1 or UCS-2 is chosen for it.') }, ['message']),
        clientCorrelator: str('Idempotency key: a repeat returns the original resource without sending again; reused for a different request → 409 SVC0005.', { maxLength: 255, example: 'order-1234' }),
        receiptRequest: obj({
          notifyURL: str('Where `deliveryInfoNotification` is POSTed (retried for SWITCHBOARD_WEBHOOK_RETRY_WINDOW_S, 72 h, then dead-lettered).', { example: 'https://app.example/dr' }),
          callbackData: str('Echoed in the notification.', { example: 'order-1234' }),
        }),
        senderName: str('Ignored for short codes.'),
      },
      ['address', 'outboundSMSTextMessage'],
    ),
  },
  ['outboundSMSMessageRequest'],
);

const attSendV3: OperationDoc = {
  summary: 'Send SMS (v3)',
  description: `Sends one message to up to 50 handsets from the app's first short code. Committed before the 201. ${idempotencyNote} With \`notifyDeliveryStatus: true\` the final states are POSTed to the app's \`deliveryStatusUrl\` and the status is not pollable (no \`resourceReference\`). Keys and XML element names match in any case; the wrapper is optional.`,
  tags: AT_T,
  flavour: 'att',
  security: 'oauth',
  body: {
    schema: obj(
      {
        outboundSMSRequest: obj(
          { address, message: str('Up to 4096 characters.'), notifyDeliveryStatus: bool('Push final states to the delivery status URL instead of polling (also "true"/"false").') },
          ['address', 'message'],
        ),
      },
      ['outboundSMSRequest'],
    ),
    json: { outboundSMSRequest: { address: [NUMBER, 'tel:+14255550101'], message: 'Hello from Switchboard', notifyDeliveryStatus: false } },
    xml: `<outboundSMSRequest><address>${NUMBER}</address><message>Hello from Switchboard</message><notifyDeliveryStatus>false</notifyDeliveryStatus></outboundSMSRequest>`,
    form: 'address=tel%3A%2B14255550100&address=tel%3A%2B14255550101&message=Hello%20from%20Switchboard&notifyDeliveryStatus=false',
    formFields: obj({ address: formAddress, message: str('Up to 4096 characters.'), notifyDeliveryStatus: formFlag }, ['address', 'message']),
  },
  responses: {
    '201': {
      description: 'Accepted; `Location` names the status resource (absent with notifyDeliveryStatus).',
      headers: { Location: 'The delivery status resource.' },
      schema: obj({ outboundSMSResponse: obj({ messageId: str('Message id.'), resourceReference: obj({ resourceURL: str('Delivery status resource.') }) }) }),
      json: { outboundSMSResponse: { messageId: MESSAGE_ID, resourceReference: { resourceURL: `${HOST}/sms/v3/messaging/outbox/${MESSAGE_ID}` } } },
      xml: `<?xml version="1.0" encoding="UTF-8"?><outboundSMSResponse><messageId>${MESSAGE_ID}</messageId><resourceReference><resourceURL>${HOST}/sms/v3/messaging/outbox/${MESSAGE_ID}</resourceURL></resourceReference></outboundSMSResponse>`,
    },
  },
  errors: SEND_ERRORS,
  errorDocs: ATT_SEND_ERRORS,
};

const attSendV2: OperationDoc = {
  summary: 'Send SMS (v2)',
  description: `The 2012 v2 form of Send SMS: PascalCase \`Address\`/\`Message\`, single-quoted pseudo-JSON accepted. ${idempotencyNote}`,
  tags: AT_T,
  flavour: 'att',
  security: 'oauth',
  body: {
    schema: obj({ Address: address, Message: str('Up to 4096 characters.'), notifyDeliveryStatus: bool("As v3's: push final states to the delivery status URL (also \"true\"/\"false\").") }, ['Address', 'Message']),
    json: { Address: NUMBER, Message: 'Hello from Switchboard' },
    xml: `<outboundSMSRequest><Address>${NUMBER}</Address><Message>Hello from Switchboard</Message></outboundSMSRequest>`,
    form: 'Address=tel%3A%2B14255550100&Message=Hello+from+Switchboard',
    formFields: obj({ Address: formAddress, Message: str('Up to 4096 characters.'), notifyDeliveryStatus: formFlag }, ['Address', 'Message']),
  },
  responses: {
    '200': {
      description: 'Accepted (200, as v2 clients written against the live API expect; v3 and OneAPI answer 201).',
      headers: { Location: 'The delivery status resource.' },
      schema: obj({
        Id: str('Message id.'),
        ResourceReference: obj({ ResourceURL: str('Delivery status resource.'), ResourceUrl: str('The same, in the v2 doc\'s spelling (AT&T\'s WinRT SDK reads this one).') }),
        resourceReference: obj({ resourceURL: str('The same, in the names of the doc\'s "SMS Response Object".') }),
      }),
      json: {
        Id: MESSAGE_ID,
        ResourceReference: { ResourceURL: `${HOST}/rest/sms/2/messaging/outbox/${MESSAGE_ID}`, ResourceUrl: `${HOST}/rest/sms/2/messaging/outbox/${MESSAGE_ID}` },
        resourceReference: { resourceURL: `${HOST}/rest/sms/2/messaging/outbox/${MESSAGE_ID}` },
      },
      xml: `<?xml version="1.0" encoding="UTF-8"?><SmsResponse><Id>${MESSAGE_ID}</Id><ResourceReference><ResourceURL>${HOST}/rest/sms/2/messaging/outbox/${MESSAGE_ID}</ResourceURL><ResourceUrl>${HOST}/rest/sms/2/messaging/outbox/${MESSAGE_ID}</ResourceUrl></ResourceReference><resourceReference><resourceURL>${HOST}/rest/sms/2/messaging/outbox/${MESSAGE_ID}</resourceURL></resourceReference></SmsResponse>`,
    },
  },
  errors: SEND_ERRORS,
  errorDocs: ATT_SEND_ERRORS,
};

function attStatus(base: string): OperationDoc {
  return {
    summary: `Get SMS delivery status (${base.startsWith('/sms/v3') ? 'v3' : 'v2'})`,
    description:
      'One entry per recipient, `Address` as the client spelled it. A final status is answered once, then removed (also SWITCHBOARD_STATUS_RETENTION_S after it became final); unknown, expired, read and other apps\' ids are all 400 SVC0002 `RequestIdentifier`.',
    tags: AT_T,
    flavour: 'att',
    security: 'oauth',
    params: { messageId: messageIdParam },
    responses: {
      '200': {
        description: 'The recipients and their states.',
        schema: attDeliveryInfo,
        json: { DeliveryInfoList: { DeliveryInfo: [{ Id: 'msg0', Address: NUMBER, DeliveryStatus: 'DeliveredToTerminal' }], ResourceUrl: `${HOST}${base}/${MESSAGE_ID}` } },
        xml: `<?xml version="1.0" encoding="UTF-8"?><DeliveryInfoList><DeliveryInfo><Id>msg0</Id><Address>${NUMBER}</Address><DeliveryStatus>DeliveredToTerminal</DeliveryStatus></DeliveryInfo><ResourceUrl>${HOST}${base}/${MESSAGE_ID}</ResourceUrl></DeliveryInfoList>`,
      },
    },
    errors: READ_ERRORS,
    errorDocs: STATUS_ERRORS,
  };
}

function attInboxDoc(v: 'v3' | 'v2', url: string): OperationDoc {
  const list = {
    InboundSmsMessageList: {
      InboundSmsMessage: [{ MessageId: 'MO019a1f2b3c4d0001e5f1c2a9', Message: 'Hello', SenderAddress: NUMBER }],
      NumberOfMessagesInThisBatch: '1',
      ResourceUrl: url,
      TotalNumberOfPendingMessages: '0',
    },
  };
  return {
    summary: `Get SMS: poll a short code's inbox (${v})`,
    description: 'Takes the MO messages waiting for a poll-mode short code of the app, oldest first, in batches; taken messages are removed. Unpolled ones are purged after SWITCHBOARD_INBOX_RETENTION_S.',
    tags: AT_T,
    flavour: 'att',
    security: 'oauth',
    ...(v === 'v3' ? { params: { registrationId: registrationParam } } : { query: { RegistrationID: { ...registrationParam, required: true } } }),
    responses: {
      '200': {
        description: 'A batch of messages.',
        schema: attInbox,
        json: list,
        xml: `<?xml version="1.0" encoding="UTF-8"?><InboundSmsMessageList><InboundSmsMessage><MessageId>MO019a1f2b3c4d0001e5f1c2a9</MessageId><Message>Hello</Message><SenderAddress>${NUMBER}</SenderAddress></InboundSmsMessage><NumberOfMessagesInThisBatch>1</NumberOfMessagesInThisBatch><ResourceUrl>${url}</ResourceUrl><TotalNumberOfPendingMessages>0</TotalNumberOfPendingMessages></InboundSmsMessageList>`,
      },
    },
    errors: READ_ERRORS,
  };
}

const requestUrl = `${HOST}/2/smsmessaging/outbound/tel%3A${CODE}/requests/${MESSAGE_ID}`;

const oneapiSend: OperationDoc = {
  summary: 'Send SMS (OneAPI)',
  description: `Sends from \`{senderAddress}\`, which must be one of the app's short codes (403 POL0002 otherwise). /1 and /2 answer \`resourceReference\`; /3 echoes the request with its \`resourceURL\` and a \`deliveryInfoList\` of \`MessageWaiting\`. Without a \`receiptRequest.notifyURL\` (a \`callbackData\` alone is ignored), a delivery-receipt subscription on the sender gets the final states. ${idempotencyNote}`,
  tags: ONEAPI,
  flavour: 'oneapi',
  security: 'oauth',
  params: { senderAddress: senderParam },
  body: {
    description:
      'The examples are safe to Execute again and again: each sends a new message and asks for no notification. With a `clientCorrelator` (e.g. `"clientCorrelator": "order-1234"`) a repeat is answered as the first was, without sending; with `"receiptRequest": {"notifyURL": "https://app.example/dr", "callbackData": "order-1234"}` each send POSTs its final states there, retried for 72 h. In a form both are flat keys: `clientCorrelator`, `notifyURL`, `callbackData`.',
    schema: oneapiSendBody,
    json: { outboundSMSMessageRequest: { address: [NUMBER], senderAddress: `tel:${CODE}`, outboundSMSTextMessage: { message: 'Hello from Switchboard' } } },
    xml: `<outboundSMSMessageRequest><address>${NUMBER}</address><senderAddress>tel:${CODE}</senderAddress><outboundSMSTextMessage><message>Hello from Switchboard</message></outboundSMSTextMessage></outboundSMSMessageRequest>`,
    form: `senderAddress=tel%3A${CODE}&address=tel%3A%2B14255550100&message=Hello+from+Switchboard`,
    formFields: obj(
      {
        senderAddress: str('Must name the same short code as the path (else SVC0004).'),
        address: formAddress,
        message: str('Up to 4096 characters.'),
        clientCorrelator: str('Idempotency key (see the JSON schema); empty: none.', { maxLength: 255 }),
        notifyURL: str('Where `deliveryInfoNotification` is POSTed; empty: none.'),
        callbackData: str('Echoed in the notification.'),
        senderName: str('Ignored for short codes.'),
      },
      ['address', 'message'],
    ),
  },
  responses: {
    '201': {
      description: 'Accepted; `Location` is the request resource.',
      headers: { Location: 'The request resource; its deliveryInfos sub-resource has the states.' },
      schema: obj({ resourceReference: obj({ resourceURL: str('The request resource.') }) }),
      json: { resourceReference: { resourceURL: requestUrl } },
      xml: `<?xml version="1.0" encoding="UTF-8"?><resourceReference><resourceURL>${requestUrl}</resourceURL></resourceReference>`,
    },
  },
  errors: SEND_ERRORS,
  errorDocs: ONEAPI_SEND_ERRORS,
};

const oneapiStatus = (summary: string): OperationDoc => ({
  summary,
  description: 'The states of a OneAPI (or any) message of the app, one entry per recipient; the sender in the path is not checked. Same read-once and retention rules as the AT&T status.',
  tags: ONEAPI,
  flavour: 'oneapi',
  security: 'oauth',
  params: { senderAddress: senderParam, requestId: requestIdParam },
  responses: {
    '200': {
      description: 'The recipients and their states.',
      schema: oneapiDeliveryInfo,
      json: { deliveryInfoList: { deliveryInfo: [{ address: NUMBER, deliveryStatus: 'DeliveredToTerminal' }], resourceURL: `${requestUrl}/deliveryInfos` } },
      xml: `<?xml version="1.0" encoding="UTF-8"?><deliveryInfoList><deliveryInfo><address>${NUMBER}</address><deliveryStatus>DeliveredToTerminal</deliveryStatus></deliveryInfo><resourceURL>${requestUrl}/deliveryInfos</resourceURL></deliveryInfoList>`,
    },
  },
  errors: READ_ERRORS,
  errorDocs: STATUS_ERRORS,
});

const oneapiRequestDoc: OperationDoc = {
  summary: 'Read a sent request (OneAPI)',
  description:
    "The resource Send SMS answered (its `resourceURL` and `Location`): the request as it was sent (`address`, `senderAddress`, the message, and `clientCorrelator`, `receiptRequest`, `senderName` where it carried them) with each recipient's current state. Reading it does not use up the read-once final status of `deliveryInfos`; once that status is gone (read, or `SWITCHBOARD_STATUS_RETENTION_S` after the last final state) so is the request. The sender in the path is not checked. Another app's, an unknown and an AT&T send's id are 400 SVC0002 `requestId`.",
  tags: ONEAPI,
  flavour: 'oneapi',
  security: 'oauth',
  params: { senderAddress: senderParam, requestId: requestIdParam },
  responses: {
    '200': {
      description: 'The request and its states.',
      schema: obj({
        outboundSMSMessageRequest: obj({
          address: arr(str('As the client spelled it.')),
          senderAddress: str("As the request named it (else the path's short code as `tel:`)."),
          outboundSMSTextMessage: obj({ message: str('The text.') }),
          clientCorrelator: str('When the request carried one.'),
          receiptRequest: obj({ notifyURL: str('Where the final states are POSTed.'), callbackData: str('Echoed in the notification.') }),
          senderName: str('When the request carried one.'),
          deliveryInfoList: oneapiDeliveryInfoList,
          resourceURL: str('This resource.'),
        }),
      }),
      json: {
        outboundSMSMessageRequest: {
          address: [NUMBER],
          senderAddress: `tel:${CODE}`,
          outboundSMSTextMessage: { message: 'Hello from Switchboard' },
          deliveryInfoList: { deliveryInfo: [{ address: NUMBER, deliveryStatus: 'DeliveredToTerminal' }], resourceURL: `${requestUrl}/deliveryInfos` },
          resourceURL: requestUrl,
        },
      },
      xml: `<?xml version="1.0" encoding="UTF-8"?><outboundSMSMessageRequest><address>${NUMBER}</address><senderAddress>tel:${CODE}</senderAddress><outboundSMSTextMessage><message>Hello from Switchboard</message></outboundSMSTextMessage><deliveryInfoList><deliveryInfo><address>${NUMBER}</address><deliveryStatus>DeliveredToTerminal</deliveryStatus></deliveryInfo><resourceURL>${requestUrl}/deliveryInfos</resourceURL></deliveryInfoList><resourceURL>${requestUrl}</resourceURL></outboundSMSMessageRequest>`,
    },
  },
  errors: READ_ERRORS,
  errorDocs: STATUS_ERRORS,
};

const inboundListUrl = `${HOST}/2/smsmessaging/inbound/registrations/${CODE}/messages`;
const oneapiInbound: OperationDoc = {
  summary: 'Retrieve inbound messages (OneAPI)',
  description: 'Takes the MO messages waiting for a poll-mode short code of the app (as Get SMS), up to `maxBatchSize`.',
  tags: ONEAPI,
  flavour: 'oneapi',
  security: 'oauth',
  params: { registrationId: registrationParam },
  query: { maxBatchSize: { description: 'At most this many messages (absent or 0: SWITCHBOARD_INBOX_BATCH_SIZE).', example: 10 } },
  responses: {
    '200': {
      description: 'A batch of messages.',
      schema: obj({
        inboundSMSMessageList: obj({
          inboundSMSMessage: arr(
            obj({ dateTime: str('When it arrived (ISO 8601).'), destinationAddress: str('The short code.'), messageId: str('MO id.'), message: str('The text.'), resourceURL: str('This message.'), senderAddress: str('tel: URI.') }),
          ),
          numberOfMessagesInThisBatch: str('Digits, as a string.'),
          resourceURL: str('This inbox.'),
          totalNumberOfPendingMessages: str('Still waiting, as a string.'),
        }),
      }),
      json: {
        inboundSMSMessageList: {
          inboundSMSMessage: [
            { dateTime: '2026-11-25T21:15:36.113Z', destinationAddress: CODE, messageId: 'MO019a1f2b3c4d0001e5f1c2a9', message: 'Hello', resourceURL: `${inboundListUrl}/MO019a1f2b3c4d0001e5f1c2a9`, senderAddress: NUMBER },
          ],
          numberOfMessagesInThisBatch: '1',
          resourceURL: inboundListUrl,
          totalNumberOfPendingMessages: '0',
        },
      },
      xml: `<?xml version="1.0" encoding="UTF-8"?><inboundSMSMessageList><inboundSMSMessage><dateTime>2026-11-25T21:15:36.113Z</dateTime><destinationAddress>${CODE}</destinationAddress><messageId>MO019a1f2b3c4d0001e5f1c2a9</messageId><message>Hello</message><resourceURL>${inboundListUrl}/MO019a1f2b3c4d0001e5f1c2a9</resourceURL><senderAddress>${NUMBER}</senderAddress></inboundSMSMessage><numberOfMessagesInThisBatch>1</numberOfMessagesInThisBatch><resourceURL>${inboundListUrl}</resourceURL><totalNumberOfPendingMessages>0</totalNumberOfPendingMessages></inboundSMSMessageList>`,
    },
  },
  errors: READ_ERRORS,
};

const callbackReference = obj({ notifyURL: str('Where notifications are POSTed (http in the sandbox realm, https in production).'), callbackData: str('Echoed in each notification.') }, ['notifyURL']);
/** A subscription's form: `callbackReference` flattened, beside the kind's own keys. */
function subscriptionForm(own: Record<string, JsonSchema>): JsonSchema {
  return obj({
    ...own,
    notifyURL: str('Where notifications are POSTed (http in the sandbox realm, https in production).'),
    callbackData: str('Echoed in each notification.'),
    clientCorrelator: str('A repeat with the same value returns the same subscription.', { maxLength: 255 }),
  });
}

const receiptSubUrl = `${HOST}/2/smsmessaging/outbound/tel%3A${CODE}/subscriptions/sub5a0c7f3e9b214d6a`;
/** A delivery-receipt subscription as its creation and GET answer it. */
const receiptSubscriptionAnswer = {
  schema: obj({ deliveryReceiptSubscription: obj({ callbackReference, resourceURL: str('This subscription.') }) }),
  json: { deliveryReceiptSubscription: { callbackReference: { notifyURL: 'https://app.example/dr', callbackData: 'shop' }, resourceURL: receiptSubUrl } },
  xml: `<?xml version="1.0" encoding="UTF-8"?><deliveryReceiptSubscription><callbackReference><notifyURL>https://app.example/dr</notifyURL><callbackData>shop</callbackData></callbackReference><resourceURL>${receiptSubUrl}</resourceURL></deliveryReceiptSubscription>`,
};
const receiptSubscription: OperationDoc = {
  summary: 'Subscribe to delivery receipts (OneAPI)',
  description: 'OneAPI sends from this short code without a `receiptRequest` report their final states to `notifyURL` (`deliveryInfoNotification`).',
  tags: ONEAPI,
  flavour: 'oneapi',
  security: 'oauth',
  params: { senderAddress: senderParam },
  body: {
    schema: obj({ deliveryReceiptSubscription: obj({ callbackReference, filterCriteria: str('Kept, not applied.'), clientCorrelator: str('A repeat with the same value returns the same subscription.', { maxLength: 255 }) }, ['callbackReference']) }),
    json: { deliveryReceiptSubscription: { callbackReference: { notifyURL: 'https://app.example/dr', callbackData: 'shop' }, clientCorrelator: 'dr-1' } },
    xml: '<deliveryReceiptSubscription><callbackReference><notifyURL>https://app.example/dr</notifyURL><callbackData>shop</callbackData></callbackReference><clientCorrelator>dr-1</clientCorrelator></deliveryReceiptSubscription>',
    form: 'notifyURL=https%3A%2F%2Fapp.example%2Fdr&callbackData=shop&clientCorrelator=dr-1',
    formFields: subscriptionForm({ filterCriteria: str('Kept, not applied (also `criteria`).') }),
  },
  responses: { '201': { ...receiptSubscriptionAnswer, description: 'Subscribed.', headers: { Location: 'The subscription resource.' } } },
  errors: [400, 401, 403, 409],
  errorDocs: {
    400: { why: 'Invalid input: SVC0002 (`notifyURL` missing or not an allowed URL, a field that is not text), SVC0004 (the sender is not a short code); POL0001 without a token.' },
    403: { why: "The sender is not one of the app's short codes (POL0002), scope missing (POL0001), app suspended (POL1010) or, with HTTP Basic, too many failed checks of the App Key from this address (POL0001, with Retry-After)." },
  },
};

const inboundSubUrl = `${HOST}/2/smsmessaging/inbound/subscriptions/sub0b3e9d4c8a7f6e21`;
const inboundSubscription: OperationDoc = {
  summary: 'Subscribe to inbound messages (OneAPI)',
  description: "MO messages to `destinationAddress` (one of the app's short codes) whose first word matches `criteria` (all when absent) are POSTed to `notifyURL` as `inboundSMSMessageNotification`, taking precedence over the short code's poll or callback mode while the subscription exists.",
  tags: ONEAPI,
  flavour: 'oneapi',
  security: 'oauth',
  body: {
    schema: obj({
      subscription: obj(
        {
          callbackReference,
          destinationAddress: str('The short code.'),
          criteria: str('Keyword the first word must match.'),
          notificationFormat: str('JSON (default) or XML.', { enum: ['JSON', 'XML'] }),
          clientCorrelator: str('A repeat with the same value returns the same subscription.', { maxLength: 255 }),
        },
        ['callbackReference', 'destinationAddress'],
      ),
    }),
    json: { subscription: { callbackReference: { notifyURL: 'https://app.example/mo', callbackData: 'kw' }, destinationAddress: CODE, criteria: 'JOIN', notificationFormat: 'JSON' } },
    xml: `<subscription><callbackReference><notifyURL>https://app.example/mo</notifyURL></callbackReference><destinationAddress>${CODE}</destinationAddress><criteria>JOIN</criteria></subscription>`,
    form: `destinationAddress=${CODE}&notifyURL=https%3A%2F%2Fapp.example%2Fmo&criteria=JOIN&notificationFormat=JSON`,
    formFields: subscriptionForm({
      destinationAddress: str('The short code.'),
      criteria: str('Keyword the first word must match.'),
      notificationFormat: str('JSON (default) or XML.', { enum: ['JSON', 'XML'] }),
    }),
  },
  responses: {
    '201': {
      description: 'Subscribed.',
      headers: { Location: 'The subscription resource.' },
      schema: obj({ resourceReference: obj({ resourceURL: str('This subscription.') }) }),
      json: { resourceReference: { resourceURL: inboundSubUrl } },
      xml: `<?xml version="1.0" encoding="UTF-8"?><resourceReference><resourceURL>${inboundSubUrl}</resourceURL></resourceReference>`,
    },
  },
  errors: [400, 401, 403, 409],
  errorDocs: {
    400: { why: "Invalid input: SVC0002 (`notifyURL` missing or not an allowed URL, `destinationAddress` not one of the app's short codes, a field that is not text), SVC0003 (`notificationFormat` other than JSON or XML); POL0001 without a token." },
  },
};

const subscriptionIdParam = (example: string): ParamDoc => ({ description: 'The subscription id (last segment of its resourceURL).', example });
const SUBSCRIPTION_READ_ERRORS: Record<number, ErrorDoc> = {
  400: { variables: ['subscriptionId'], why: "No such subscription of the app's (unknown, deleted, another app's or of the other kind): SVC0002 `subscriptionId`; POL0001 without a token." },
};

const readReceiptSubscription = (summary: string, withSender: boolean): OperationDoc => ({
  summary,
  description: 'The subscription as its creation answered it; the sender in the path is not checked.',
  tags: ONEAPI,
  flavour: 'oneapi',
  security: 'oauth',
  params: { ...(withSender ? { senderAddress: senderParam } : {}), id: subscriptionIdParam('sub5a0c7f3e9b214d6a') },
  responses: { '200': { ...receiptSubscriptionAnswer, description: 'The subscription.' } },
  errors: [400, 401, 403],
  errorDocs: SUBSCRIPTION_READ_ERRORS,
});

const readInboundSubscription: OperationDoc = {
  summary: 'Read an inbound subscription (OneAPI)',
  description: 'The subscription as it was made: `criteria` and `clientCorrelator` where it has them, `destinationAddress` as digits.',
  tags: ONEAPI,
  flavour: 'oneapi',
  security: 'oauth',
  params: { id: subscriptionIdParam('sub0b3e9d4c8a7f6e21') },
  responses: {
    '200': {
      description: 'The subscription.',
      schema: obj({
        subscription: obj({
          callbackReference,
          destinationAddress: str('The short code.'),
          criteria: str('Keyword the first word must match (absent: every message).'),
          notificationFormat: str('JSON or XML.', { enum: ['JSON', 'XML'] }),
          clientCorrelator: str('When it was made with one.'),
          resourceURL: str('This subscription.'),
        }),
      }),
      json: { subscription: { callbackReference: { notifyURL: 'https://app.example/mo', callbackData: 'kw' }, destinationAddress: CODE, criteria: 'JOIN', notificationFormat: 'JSON', resourceURL: inboundSubUrl } },
      xml: `<?xml version="1.0" encoding="UTF-8"?><subscription><callbackReference><notifyURL>https://app.example/mo</notifyURL><callbackData>kw</callbackData></callbackReference><destinationAddress>${CODE}</destinationAddress><criteria>JOIN</criteria><notificationFormat>JSON</notificationFormat><resourceURL>${inboundSubUrl}</resourceURL></subscription>`,
    },
  },
  errors: [400, 401, 403],
  errorDocs: SUBSCRIPTION_READ_ERRORS,
};

const unsubscribe = (summary: string, withSender: boolean): OperationDoc => ({
  summary,
  description: "Removes one of the app's subscriptions; an unknown id is 400 SVC0002 `subscriptionId`.",
  tags: ONEAPI,
  flavour: 'oneapi',
  security: 'oauth',
  params: {
    ...(withSender ? { senderAddress: senderParam } : {}),
    id: { description: 'The subscription id (last segment of its resourceURL).', example: 'sub5a0c7f3e9b214d6a' },
  },
  responses: { '204': { description: 'Removed.' } },
  errors: [400, 401, 403],
});

export const API_DOCS: Readonly<Record<string, OperationDoc>> = {
  'POST /sms/v3/messaging/outbox': attSendV3,
  'GET /sms/v3/messaging/outbox/:messageId': attStatus('/sms/v3/messaging/outbox'),
  'POST /rest/sms/2/messaging/outbox': attSendV2,
  'GET /rest/sms/2/messaging/outbox/:messageId': attStatus('/rest/sms/2/messaging/outbox'),
  'GET /sms/v3/messaging/inbox/:registrationId': attInboxDoc('v3', `${HOST}/sms/v3/messaging/inbox/${CODE}`),
  'GET /rest/sms/2/messaging/inbox': attInboxDoc('v2', `${HOST}/rest/sms/2/messaging/inbox?RegistrationID=${CODE}`),
  'POST /{v}/smsmessaging/outbound/:senderAddress/requests': oneapiSend,
  'GET /{v}/smsmessaging/outbound/:senderAddress/requests/:requestId': oneapiRequestDoc,
  'GET /{v}/smsmessaging/outbound/requests/:senderAddress/:requestId/deliveryInfos': oneapiStatus("Query delivery status (OneAPI, AT&T's path form)"),
  'GET /{v}/smsmessaging/outbound/:senderAddress/requests/:requestId/deliveryInfos': oneapiStatus('Query delivery status (OneAPI)'),
  'GET /{v}/smsmessaging/outbound/:senderAddress/:requestId/deliveryInfos': oneapiStatus("Query delivery status (OneAPI, AT&T's example URL)"),
  'GET /{v}/smsmessaging/inbound/registrations/:registrationId/messages': oneapiInbound,
  'POST /{v}/smsmessaging/outbound/:senderAddress/subscriptions': receiptSubscription,
  'GET /{v}/smsmessaging/outbound/subscriptions/:id': readReceiptSubscription('Read a delivery receipt subscription (OneAPI)', false),
  'GET /{v}/smsmessaging/outbound/:senderAddress/subscriptions/:id': readReceiptSubscription('Read a delivery receipt subscription (OneAPI, sender form)', true),
  'DELETE /{v}/smsmessaging/outbound/subscriptions/:id': unsubscribe('Remove a delivery receipt subscription (OneAPI)', false),
  'DELETE /{v}/smsmessaging/outbound/:senderAddress/subscriptions/:id': unsubscribe('Remove a delivery receipt subscription (OneAPI, sender form)', true),
  'POST /{v}/smsmessaging/inbound/subscriptions': inboundSubscription,
  'GET /{v}/smsmessaging/inbound/subscriptions/:id': readInboundSubscription,
  'DELETE /{v}/smsmessaging/inbound/subscriptions/:id': unsubscribe('Remove an inbound subscription (OneAPI)', false),
};
