import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ApiError, CATALOGUE, OperatorError } from '../src/errors.js';
import { repoFile } from './helpers/root.js';

// The contract's §14 table is the source of the wire ids and texts; the catalogue must match it
// both ways (every id of the table is in the catalogue with the same text, and nothing more).
const contract = readFileSync(repoFile('../shared/spec/contract.md'), 'utf8');
const section = contract.slice(contract.indexOf('## 14. Error code table'), contract.indexOf('## 15. Sources'));
const rows = [...section.matchAll(/^\| (SVC\d{4}|POL\d{4}) \| (Service|Policy) \| [^|]+ \| ([^|]+) \|/gm)].map((m) => ({
  id: m[1] as string,
  exception: m[2] as string,
  text: (m[3] as string).trim(),
}));

test('the contract table was found', () => {
  assert.ok(rows.length >= 20, `only ${rows.length} rows parsed`);
});

test('every contract error id is in the catalogue with its exception and text', () => {
  for (const row of rows) {
    const entry = (CATALOGUE as Record<string, { exception: string; text: string; attText?: string }>)[row.id];
    assert.ok(entry, `${row.id} missing from src/errors.ts`);
    assert.equal(entry.exception, row.exception, row.id);
    // The table quotes texts in backticks; SVC0004 gives an AT&T and a OneAPI wording, we keep both.
    const texts = [...row.text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    assert.ok(texts.includes(entry.text), `${row.id}: "${entry.text}" not among ${JSON.stringify(texts)}`);
    if (entry.attText !== undefined) assert.ok(texts.includes(entry.attText), `${row.id}: AT&T text not in the contract`);
  }
});

test('the catalogue holds nothing the contract does not list', () => {
  const ids = new Set(rows.map((r) => r.id));
  for (const id of Object.keys(CATALOGUE)) assert.ok(ids.has(id), `${id} is not in contract.md §14`);
});

test('the operator surfaces name a server error internal_error, not invalid_request', () => {
  const internal = OperatorError.of(new ApiError('SVC0001', ['Internal'], { status: 500 }));
  assert.deepEqual({ status: internal.status, code: internal.code }, { status: 500, code: 'internal_error' });
  assert.equal(OperatorError.of(new ApiError('SVC0002', ['name'])).code, 'invalid_request');
});
