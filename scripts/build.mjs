#!/usr/bin/env node
// `npm run build`: the gateway, its CLI and the webhook sender's thread, bundled with esbuild into
// dist/ (main.js, cli.js, webhooks/sender-worker.js; code they share in dist/chunks/). Bundled,
// because Node 20 loads an ES module graph file by file: the gateway's 600-odd modules (kysely
// alone is 280) cost a CLI command ~0.3 s of CPU before it does anything, and a gateway as much
// at start. Types are checked by `npm run typecheck`, not here.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/**
 * Whether the package `path` belongs to is written as ES modules: its package.json says "type":
 * "module". A CommonJS package's .mjs wrapper (pg has one) is not enough: what it imports is the
 * CommonJS code.
 */
function isEsModule(path) {
  for (let dir = dirname(path); dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type === 'module';
  }
  return false;
}

/**
 * Packages in CommonJS stay outside the bundle, loaded by Node as they are (native addons among
 * them): a bundle is an ES module, so strict mode, and CommonJS code may rely on sloppy mode — the
 * SMPP codec assigns an undeclared variable for every message_payload, which threw in a bundle.
 * ES module packages (kysely, the XML parser, typebox: most of the module count) are strict
 * already, and are bundled.
 */
function commonJsExternal() {
  return {
    name: 'commonjs-external',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData?.resolving === true) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { resolving: true } });
        if (resolved.errors.length > 0 || resolved.external || isEsModule(resolved.path)) return resolved;
        return { path: args.path, external: true };
      });
    },
  };
}

/** What every bundle of the gateway's code shares: dist/ here, the test suite's copy (scripts/run-tests.mjs). */
export const BUNDLE_OPTIONS = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: true,
  sourcesContent: false,
  // Not keepNames: it wraps every function and class made, closures on the hot paths included, in
  // a defineProperty call (Send SMS accept at concurrency 64: 0.28 → 0.33 ms of CPU per message,
  // 13 % fewer per second). Nothing reads a class's name but the logs' error type.
  plugins: [commonJsExternal()],
  external: [
    // These read files beside their own code (__dirname): the API docs' assets, package.json.
    '@fastify/static',
    '@fastify/swagger',
    '@fastify/swagger-ui',
  ],
  // For any bundled code that still `require`s Node's modules at run time.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
};

/** The entries that run in processes or threads of their own, by their path under src/ without .ts. */
export const ENTRIES = ['main', 'cli', 'webhooks/sender-worker'];

export async function buildDist(root) {
  const outdir = `${root}/dist`;
  // Files of an earlier build must not outlive it (a module left from the per-file build would
  // still be found by anything that looks for it).
  rmSync(outdir, { recursive: true, force: true });
  await build({
    ...BUNDLE_OPTIONS,
    absWorkingDir: root,
    entryPoints: ENTRIES.map((entry) => ({ in: `src/${entry}.ts`, out: entry })),
    outdir,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildDist(fileURLToPath(new URL('..', import.meta.url)));
}
