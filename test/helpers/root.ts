import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PACKAGE_DIR } from '../../src/package-files.js';

/**
 * The folder the test code runs from: the repository for the sources (`npx tsx --test file`), or
 * the bundled copy scripts/run-tests.mjs makes in .test-build/ (the suite runs that, without
 * tsx's loader in every test process), which links package.json in.
 */
const CODE_ROOT = PACKAGE_DIR;

/** The repository: the folder of package-lock.json, above CODE_ROOT or CODE_ROOT itself. */
export const ROOT = ((): string => {
  for (let dir = CODE_ROOT; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package-lock.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package-lock.json above ${CODE_ROOT}`);
  }
})();

/** A file of the repository (a fixture, the CLI's bin, the spec beside it) by its path from ROOT. */
export const repoFile = (path: string): string => join(ROOT, path);

/**
 * The arguments that make `node` run the TypeScript entry `entry` (e.g. 'src/main.ts') in a child
 * process: its transpiled copy when the tests run from one, else the source through tsx.
 */
export function nodeEntry(entry: string): string[] {
  return CODE_ROOT === ROOT ? ['--import', 'tsx', join(ROOT, entry)] : ['--enable-source-maps', join(CODE_ROOT, entry.replace(/\.ts$/, '.js'))];
}
