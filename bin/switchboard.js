#!/usr/bin/env node
// The `switchboard` command. Runs the built CLI (dist/cli.js, made by `npm run build`) when it is
// there, else the TypeScript source through tsx, so `npx switchboard …` works right after `npm ci`.
// SWITCHBOARD_TEST_CLI_FROM_SOURCE=1 forces the source: the tests use it, so a stale build is never
// tested (a SWITCHBOARD_TEST_ name, which the configuration leaves to the test runner).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli.js', import.meta.url);
if (process.env.SWITCHBOARD_TEST_CLI_FROM_SOURCE !== '1' && existsSync(dist)) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli.ts', import.meta.url).href);
}
