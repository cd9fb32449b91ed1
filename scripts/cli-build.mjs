#!/usr/bin/env node
// The command line and the thread it starts to read big bundle files, built ahead of time into dist/cli, so that a
// start does not compile TypeScript again (tsx takes seconds for what the built files load in a fraction of one).
//
//   node scripts/cli-build.mjs             build (npm run build runs this before next build)
//   node scripts/cli-build.mjs --if-stale  build only when the build is missing or older than its sources
//                                          (what npm test, npm run demo and npm run bench run first)
//
// A build is used only while it is current: it records the modification time of every source file it was made
// from, and one that differs (an edit, a checkout of another branch, a deleted file) makes the entry points load
// the TypeScript sources through tsx instead, so a build can never run older code than the checkout holds.
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';

const HOME = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(HOME, 'dist');
const BUILD_DIR = path.join(DIST, 'cli');
const STAMP = 'build.json';

/** The modules that plain-JavaScript entry points (bin/tunnelscope.mjs) load with importTs. */
const ENTRIES = ['cli/main.ts'];

/** Sources the bundles depend on without importing them: the alias table and this recipe. */
const RECIPE = ['tsconfig.json', 'scripts/cli-build.mjs'];

/**
 * Packages bundled with the sources: zod is plain JavaScript in some seventy module files, and resolving them one
 * by one is most of what it costs to load. The others stay packages (native better-sqlite3, next, the Kubernetes
 * client), loaded from node_modules when a command needs them.
 */
const BUNDLED = ['zod'];

/** Every package but the bundled ones stays an import; `@/` is the tsconfig's alias for the checkout. */
const packagesOutside = {
  name: 'packages-outside',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, ({ path: specifier }) => {
      if (specifier.startsWith('@/') || specifier.startsWith('node:')) return undefined;
      const name = specifier.split('/', specifier.startsWith('@') ? 2 : 1).join('/');
      return BUNDLED.includes(name) ? undefined : { path: specifier, external: true };
    });
  },
};

/** The stamp of the build when every source it was made from is unchanged, else undefined. */
function currentStamp() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(BUILD_DIR, STAMP), 'utf8'));
  } catch {
    return undefined;
  }
  // HOME ends with a separator; joining by concatenation keeps the check at a few milliseconds.
  for (const [file, mtimeMs] of Object.entries(stamp.inputs)) {
    if (statSync(HOME + file, { throwIfNoEntry: false })?.mtimeMs !== mtimeMs) return undefined;
  }
  return stamp;
}

/**
 * Loads a TypeScript module of the checkout: its build when that is current, else the source through tsx (during
 * development). Takes what tsx's tsImport takes, a specifier and the URL of the module asking.
 */
export async function importTs(specifier, parentUrl) {
  const source = fileURLToPath(new URL(specifier, parentUrl));
  const built = currentStamp()?.entries[path.relative(HOME, source)];
  if (built) return import(pathToFileURL(path.join(BUILD_DIR, built)).href);
  // The project's tsconfig by path, not the one tsx would look for from the working directory: the command runs
  // from any directory, and the modules import each other through the tsconfig's `@/` alias.
  process.env.TSX_TSCONFIG_PATH ??= path.join(HOME, 'tsconfig.json');
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(source, parentUrl);
}

/** `new URL('./x-worker.mjs', import.meta.url)`: a thread's entry file that a bundled module starts. */
const WORKER_REFERENCE = /new URL\('(\.\/[\w.-]+\.mjs)', import\.meta\.url\)/g;

/** Notes every thread entry file that the bundled sources start, so that it can be built beside them. */
function workerFiles(found) {
  return {
    name: 'worker-files',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        for (const [, file] of (await readFile(args.path, 'utf8')).matchAll(WORKER_REFERENCE)) found.add(path.join(path.dirname(args.path), file));
        return undefined;
      });
    },
  };
}

/**
 * A thread's entry file loads its TypeScript with tsImport('./module.ts', import.meta.url), since a thread starts
 * without a loader; in the build that becomes an import that the bundler follows, and tsx is not needed.
 */
function bundledWorker(files) {
  return {
    name: 'bundled-worker',
    setup(build) {
      build.onLoad({ filter: /\.mjs$/ }, async (args) => {
        if (!files.has(args.path)) return undefined;
        const text = (await readFile(args.path, 'utf8')).replace(/^import \{ tsImport \} from 'tsx\/esm\/api';\n/m, '').replace(/tsImport\(('\.\/[\w./-]+\.ts'), import\.meta\.url\)/g, 'import($1)');
        if (/tsImport|tsx\//.test(text)) throw new Error(`${args.path}: load TypeScript only as tsImport('./module.ts', import.meta.url)`);
        return { contents: text, loader: 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
}

/** A bundled package's file stands for its package: its manifest changes when another version is installed. */
function sourceOf(input) {
  const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match ? `node_modules/${match[1]}/package.json` : input;
}

/** Modification times of the build's sources; one changed while the build read it is left out of date on purpose. */
function sourceTimes(files, started) {
  const times = {};
  for (const file of [...new Set([...files].map(sourceOf))].sort()) {
    const { mtimeMs } = statSync(path.join(HOME, file));
    times[file] = mtimeMs < started ? mtimeMs : null;
  }
  return times;
}

/** Builds into a fresh folder and swaps it in, so that a command starting meanwhile finds the old build or none. */
export async function buildCli() {
  const { build } = await import('esbuild');
  const started = Date.now();
  const outdir = path.join(DIST, `cli.building-${process.pid}`);
  rmSync(outdir, { recursive: true, force: true });
  const common = {
    absWorkingDir: HOME,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: path.join(HOME, 'tsconfig.json'),
    outdir,
    // One flat folder: a bundled module's import.meta.url then names the folder that holds every thread entry.
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    metafile: true,
    logLevel: 'warning',
  };
  const workers = new Set();
  // Split, so that a command's modules and the packages they import load only when that command runs.
  const modules = await build({ ...common, entryPoints: ENTRIES, splitting: true, plugins: [packagesOutside, workerFiles(workers)] });
  const threads = await build({ ...common, entryPoints: [...workers], plugins: [packagesOutside, bundledWorker(workers)] });
  const inputs = new Set([...RECIPE, ...Object.keys(modules.metafile.inputs), ...Object.keys(threads.metafile.inputs)]);
  const entries = {};
  for (const [output, { entryPoint }] of Object.entries(modules.metafile.outputs)) {
    if (ENTRIES.includes(entryPoint)) entries[entryPoint] = path.basename(output);
  }
  writeFileSync(path.join(outdir, STAMP), `${JSON.stringify({ entries, inputs: sourceTimes(inputs, started) }, null, 1)}\n`);
  const old = path.join(DIST, `cli.old-${process.pid}`);
  try {
    renameSync(BUILD_DIR, old);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  try {
    renameSync(outdir, BUILD_DIR);
  } catch (error) {
    // Another build of the same sources took the place first: it is as current as this one.
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    rmSync(outdir, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}

/** Builds when there is no current build; true when it built. */
export async function ensureCliBuild() {
  if (currentStamp()) return false;
  await buildCli();
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes('--if-stale');
  const started = performance.now();
  const built = ifStale ? await ensureCliBuild() : (await buildCli(), true);
  if (built) console.error(`built the command line into ${path.relative(process.cwd(), BUILD_DIR) || '.'} in ${Math.round(performance.now() - started)} ms`);
}
