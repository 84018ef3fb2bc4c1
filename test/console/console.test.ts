import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN_TOKEN, startTestGateway, TEST_STORE, type TestGateway } from '../helpers/gateway.js';
import { getToken } from '../helpers/apps.js';
import { startListener, type TestListener } from '../webhooks/listener.js';
import { browserMissing, launchBrowser, OUTPUT_DIR } from './browser.js';
import { signIn } from './sign-in.js';

/*
 * The console in a real browser (playwright-core driving Debian's chromium), one browser for the
 * whole file and one signed-in page walking through an operator's day. The steps depend on each
 * other, in order: sign in, create an app and a short code, watch an API send arrive on the
 * handset, reply, find the reply in the app's inbox, replay a dead letter.
 */
const skip = browserMissing();
if (skip !== undefined) console.log(`console browser tests SKIPPED: ${skip}`);

const HANDSET = '4255550142';

let gw: TestGateway;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let listener: TestListener;
let listenerFails = true;
const app = { id: '', key: '', secret: '' };

const shot = (name: string, target: Page = page) => target.screenshot({ path: join(OUTPUT_DIR, `${name}-${TEST_STORE}.png`), fullPage: true });

describe('web console in chromium', { skip, timeout: 180_000 }, () => {
  before(async () => {
    [gw, browser, listener] = await Promise.all([
      startTestGateway({
        SWITCHBOARD_RETRY_BASE_MS: '50',
        SWITCHBOARD_RETRY_CAP_MS: '200',
        SWITCHBOARD_WEBHOOK_RETRY_WINDOW_S: '2',
        SWITCHBOARD_WEBHOOK_TIMEOUT_MS: '500',
        SWITCHBOARD_SIM_DELIVERY_DELAY_MS: '20',
      }),
      launchBrowser(),
      startListener(() => (listenerFails ? 500 : 200)),
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await Promise.all([gw?.close(), listener?.close()]);
  });

  test('sign in with the admin token: HttpOnly, SameSite=Strict session cookie', async () => {
    await page.goto(`${gw.url}/console/`);
    assert.match(page.url(), /\/console\/login\?next=/);
    await page.fill('input[name=token]', 'not-the-token');
    await page.click('button[type=submit]');
    await page.getByText('That is not the admin token.').waitFor();
    await page.fill('input[name=token]', ADMIN_TOKEN);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/console\/apps$/);
    assert.equal(await page.locator('h1').textContent(), 'Apps');
    const [cookie] = await context.cookies();
    assert.equal(cookie?.name, 'switchboard_console');
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');
    assert.equal(cookie?.path, '/console');
  });

  test('create an app (its secret shown once) and a short code', async () => {
    await page.fill('input[name=name]', 'Demo <shop>');
    await page.click('text=Create app');
    await page.locator('#app-secret').waitFor();
    app.key = (await page.locator('#app-key').textContent()) ?? '';
    app.secret = (await page.locator('#app-secret').textContent()) ?? '';
    assert.match(app.secret, /^[0-9a-f]{24}$/);
    await page.click('text=Continue to Demo <shop>');
    app.id = new URL(page.url()).pathname.split('/').pop() ?? '';
    assert.equal(await page.locator('h1').textContent(), 'Demo <shop>', 'the name is shown as text, not markup');
    assert.equal(await page.locator('#app-secret').count(), 0, 'the secret is not shown again');

    await page.fill('input[name=shortCode]', '22627000');
    await page.click('text=Add short code');
    await page.getByText('Short code added.').waitFor();
    await page.locator('table td code', { hasText: '22627000' }).waitFor();
    await shot('app');
  });

  test('an SMS sent through the API appears on the handset page without reloading', async () => {
    await page.goto(`${gw.url}/console/handsets/${HANDSET}`);
    await page.getByText('No messages yet.').waitFor();
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    const token = (await getToken(gw, app.key, app.secret)).access_token;
    const sent = await gw.request('POST', '/sms/v3/messaging/outbox', {
      headers: { authorization: `Bearer ${token}` },
      body: { outboundSMSRequest: { address: `tel:+1${HANDSET}`, message: 'Your order has shipped' } },
    });
    assert.equal(sent.status, 201, sent.text);
    await page.locator('.bubble.mt', { hasText: 'Your order has shipped' }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded), true, 'updated in place');
    assert.match((await page.locator('.bubble.mt .meta').textContent()) ?? '', /from 22627000/);
  });

  test("reply from the handset; the reply is in the app's inbox page", async () => {
    assert.equal(await page.inputValue('input[name=to]'), '22627000', 'the compose box answers the last sender');
    await page.fill('textarea[name=text]', 'Thanks! Leave it at the door');
    await page.click('.compose button[type=submit]');
    await page.locator('.bubble.mo', { hasText: 'Thanks! Leave it at the door' }).waitFor();
    await shot('handset');

    await page.goto(`${gw.url}/console/apps/${app.id}`);
    await page.click('.links >> text=Inbox');
    await page.waitForURL(/view=inbound/);
    await page.locator('table td', { hasText: 'Thanks! Leave it at the door' }).waitFor();
    assert.match((await page.locator('table tbody tr').first().textContent()) ?? '', /tel:\+14255550142/);

    await page.click('.tabs >> text=Outbound');
    await page.locator('ul.recipients', { hasText: 'DeliveredToTerminal' }).waitFor();
    assert.match((await page.locator('table.messages tbody tr').first().textContent()) ?? '', /GSM7/);
    await shot('messages');
  });

  test('a failing listener shows up as a dead letter, and replay delivers it', async () => {
    await page.goto(`${gw.url}/console/apps/${app.id}`);
    await page.fill('input[name=shortCode]', '22627001');
    await page.check('input[name=moDelivery][value=callback]');
    await page.fill('input[name=listenerUrl]', listener.url);
    await page.click('text=Add short code');
    await page.getByText('Short code added.').waitFor();

    await page.goto(`${gw.url}/console/handsets/${HANDSET}`);
    await page.fill('input[name=to]', '22627001');
    await page.fill('textarea[name=text]', 'STOP');
    await page.click('.compose button[type=submit]');
    await page.locator('.bubble.mo', { hasText: 'STOP' }).waitFor();

    // The retry window is 2 s: the dead letter arrives on the open page through its live list.
    await page.goto(`${gw.url}/console/messages?view=dead&app=${app.id}`);
    const row = page.locator('tr.dead-letter', { hasText: '22627001' });
    await row.waitFor({ timeout: 30_000 });
    const failed = listener.received.length;
    assert.ok(failed >= 2, `the listener was tried ${failed} times`);
    await shot('dead-letters');

    listenerFails = false;
    await row.locator('text=Replay').click();
    await page.getByText('Replayed:').waitFor();
    await listener.waitFor(failed + 1, 15_000);
    assert.match(listener.received[failed]?.body ?? '', /STOP/);
    await page.getByText('No dead-lettered notification.').waitFor();
  });

  test('phone width without sideways scrolling; pages readable without JavaScript', async () => {
    const cookies = await context.cookies();
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    await phone.addCookies(cookies);
    const mobile = await phone.newPage();
    for (const path of [`/console/handsets/${HANDSET}`, '/console/apps', `/console/messages?app=${app.id}`, '/console/network']) {
      await mobile.goto(gw.url + path);
      // A string, evaluated in the page: this project's TypeScript has no DOM types.
      const overflow = Number(await mobile.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
      assert.ok(overflow <= 1, `${path} scrolls sideways by ${overflow}px`);
    }
    await mobile.goto(`${gw.url}/console/handsets/${HANDSET}`);
    await shot('handset-phone', mobile);
    await phone.close();

    const plain = await browser.newContext({ javaScriptEnabled: false });
    await plain.addCookies(cookies);
    const noJs = await plain.newPage();
    await noJs.goto(`${gw.url}/console/handsets/${HANDSET}`);
    assert.equal(await noJs.locator('.bubble').count(), 3);
    await noJs.goto(`${gw.url}/console/messages?view=inbound&app=${app.id}`);
    await noJs.locator('table td', { hasText: 'Thanks! Leave it at the door' }).waitFor();
    await plain.close();
  });

  test('a live page whose session ends goes to sign-in, and back to the page, not its fragment, after', async () => {
    // From a code review: the thread's poll followed the redirect to sign-in and pasted the
    // sign-in page into the thread, and signing in from there landed on the bare fragment.
    const session = await signIn(gw);
    const other = await browser.newContext();
    await other.addCookies([{ name: 'switchboard_console', value: session.token, domain: '127.0.0.1', path: '/console', httpOnly: true, sameSite: 'Strict' }]);
    const live = await other.newPage();
    try {
      await live.goto(`${gw.url}/console/handsets/${HANDSET}`);
      await live.locator('.bubble').first().waitFor();
      const out = await fetch(`${gw.url}/console/logout`, {
        method: 'POST',
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: session.csrf }).toString(),
        redirect: 'manual',
      });
      assert.equal(out.status, 303, 'the session ended on the server');
      await live.waitForURL(`${gw.url}/console/login?next=${encodeURIComponent(`/console/handsets/${HANDSET}`)}`);
      await live.fill('input[name=token]', ADMIN_TOKEN);
      await live.click('button[type=submit]');
      await live.waitForURL(`${gw.url}/console/handsets/${HANDSET}`);
      await live.locator('.bubble').first().waitFor();
    } finally {
      await other.close();
    }
  });

  test('signing out ends the session on the server', async () => {
    await page.goto(`${gw.url}/console/apps`);
    await page.click('text=Sign out');
    await page.waitForURL(/\/console\/login$/);
    await page.goto(`${gw.url}/console/apps`);
    assert.match(page.url(), /\/console\/login\?next=/);
  });
});
