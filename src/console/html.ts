/**
 * HTML built with a tagged template that escapes every interpolated value, so a value can never
 * become markup: `html\`<td>${app.name}</td>\`` is safe whatever the name holds. Only `SafeHtml`
 * (what `html` itself returns) is inserted as is, which is how templates nest.
 */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an element body or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number' || typeof value === 'bigint' || value === true) return String(value);
  return escapeHtml(JSON.stringify(value));
}

/**
 * @example html`<a href="/console/apps/${encodeURIComponent(id)}">${name}</a>`
 *          // arrays are joined, null/undefined/false render nothing: ${cond && html`<b>…</b>`}
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** A path under /console with each segment and query value encoded. */
export function consoleUrl(segments: readonly string[], query: Record<string, string | undefined> = {}): string {
  const path = `/console/${segments.map(encodeURIComponent).join('/')}`;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
  const qs = params.toString();
  return qs === '' ? path : `${path}?${qs}`;
}
