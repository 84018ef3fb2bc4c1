import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The package's own files, found the same way whichever form the code runs in: the sources
 * (src/), the bundles in dist/ (this code then sits in dist/ or dist/chunks/, see
 * scripts/build.mjs), or the test suite's copy in .test-build/, which links package.json and the
 * console's assets in. A fixed relative path would hold for one of those only.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** The folder of package.json at or above this code: the repository (or the test suite's copy of it). */
export const PACKAGE_DIR = ((): string => {
  for (let dir = HERE; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${HERE}`);
  }
})();

/** A file of the package by its path from the package's folder (e.g. `src/console/assets/`). */
export const packageFile = (path: string): string => join(PACKAGE_DIR, path);

/**
 * The file that runs `src/<path>.ts` as an entry of its own (a worker thread's): the source itself
 * when this code runs from the sources, else the built entry of the bundle this code is part of.
 */
export function entryFile(path: string): string {
  const file = `${path}.${FROM_SOURCES ? 'ts' : 'js'}`;
  for (let dir = HERE; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, file), join(dir, 'src', file)]) if (existsSync(candidate)) return candidate;
    if (dir === PACKAGE_DIR || dirname(dir) === dir) throw new Error(`no ${file} between ${HERE} and ${PACKAGE_DIR}`);
  }
}
