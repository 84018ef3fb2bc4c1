import { html, type SafeHtml } from './html.js';

export type Section = 'apps' | 'messages' | 'handsets' | 'network';

export interface PageOptions {
  readonly title: string;
  readonly section?: Section;
  /** The session's CSRF token: present once signed in (the sign-out form needs it). */
  readonly csrf?: string;
  /** Whether the gateway runs the simulated network (the Handsets section exists). */
  readonly simulator?: boolean;
  readonly notice?: string;
  readonly error?: string;
  readonly body: SafeHtml;
}

const SECTIONS: ReadonlyArray<{ id: Section; label: string; href: string }> = [
  { id: 'apps', label: 'Apps', href: '/console/apps' },
  { id: 'messages', label: 'Messages', href: '/console/messages' },
  { id: 'handsets', label: 'Handsets', href: '/console/handsets' },
  { id: 'network', label: 'Network', href: '/console/network' },
];

/** The hidden CSRF field every console form carries. */
export function csrfField(csrf: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${csrf}">`;
}

/** A form that POSTs one action (a button), with its CSRF token. */
export function actionForm(action: string, csrf: string, label: string, options: { fields?: Record<string, string>; danger?: boolean; confirm?: string } = {}): SafeHtml {
  const fields = Object.entries(options.fields ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  const confirm = options.confirm === undefined ? '' : html`<label class="confirm"><input type="checkbox" name="confirm" value="yes" required> ${options.confirm}</label>`;
  return html`<form method="post" action="${action}" class="inline">${csrfField(csrf)}${fields}${confirm}<button type="submit" class="${options.danger === true ? 'danger' : 'secondary'}">${label}</button></form>`;
}

/** A whole console page: header with navigation, notices, then the body. Readable without JavaScript. */
export function page(o: PageOptions): string {
  const nav =
    o.csrf === undefined
      ? ''
      : html`<nav aria-label="Sections">
          ${SECTIONS.filter((s) => s.id !== 'handsets' || o.simulator === true).map(
            (s) => html`<a href="${s.href}"${s.id === o.section ? html` aria-current="page"` : ''}>${s.label}</a>`,
          )}
          <a href="/docs/">API docs</a>
          <form method="post" action="/console/logout" class="inline">${csrfField(o.csrf)}<button type="submit" class="link">Sign out</button></form>
        </nav>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · Switchboard</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/console.js" defer></script>
</head>
<body>
<header class="top"><a class="brand" href="/console/">Switchboard</a>${nav}</header>
<main>
<h1>${o.title}</h1>
${o.notice !== undefined && html`<p class="notice" role="status">${o.notice}</p>`}
${o.error !== undefined && html`<p class="error" role="alert">${o.error}</p>`}
${o.body}
</main>
</body>
</html>
`.value;
}

/**
 * The security headers of every console answer. The pages load only the console's own script and
 * stylesheet, so anything else (injected markup, framing by another site) is refused.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
});

const HTML_TYPE = 'text/html; charset=utf-8';

/**
 * The answer to a request the console cannot serve: a page saying what went wrong and the way
 * back, with the console's headers. Also for errors answered before the console's own hooks run
 * (a path the router cannot read, a request Node's parser refuses, a request during the stop).
 */
export function errorAnswer(status: number, message: string): { type: string; text: string; headers: Record<string, string> } {
  const text = page({ title: status === 404 ? 'Not found' : 'Sorry', error: message, body: html`<p><a href="/console/apps">Back to the console</a></p>` });
  return { type: HTML_TYPE, text, headers: { ...SECURITY_HEADERS, 'cache-control': 'no-store' } };
}

/** ISO time without milliseconds, in UTC (the console says so next to time filters). */
export function time(ms: number): SafeHtml {
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')}</time>`;
}
