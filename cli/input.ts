/** What the analysing commands read: files named on the command line (or standard input) made into one capture. */
import { readFile, stat } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { UsageError } from './args';
import type { Io } from './io';
import { importFiles, MAX_IMPORT_FILE_CHARS, type ImportedBundle, type ImportedFile } from '@/lib/capture/import';
import { BundleFileError, sniffBundleFile, type HostReader } from '@/lib/capture/bundle/bundle-file';
import { hostReader } from '@/lib/capture/bundle/bundle-file-thread';
import type { CaptureBundle } from '@/lib/capture/types';
import { analyze, analyzeHosts, type Analysis } from '@/lib/analyze';

/** A whole file as one string: up to `maxBytes`, since bigger ones are refused by import anyway or cannot be made a string. */
async function readInput(file: string, maxBytes?: number): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  if (!existsSync(file)) throw new UsageError(`file not found: ${file}`);
  const { size } = await stat(file);
  if (maxBytes !== undefined && size > maxBytes) {
    throw new UsageError(`${file} is ${mib(size)}, more than the ${mib(maxBytes)} this command reads; topology, diagnose, trace and import read bundles of any size`);
  }
  return readFile(file, 'utf8');
}

function mib(bytes: number): string {
  return `${Math.ceil(bytes / 1024 / 1024)} MiB`;
}

/** A file named on the command line (not standard input) that holds a capture bundle: read host by host. */
function isBundleFile(file: string): boolean {
  return file !== '-' && existsSync(file) && sniffBundleFile(file);
}

/** Runs a pass over a bundle file (a big one read on a second thread); its errors become one line naming the file. */
function fromBundleFile<T>(file: string, read: (bundle: HostReader) => T): T {
  try {
    return read(hostReader(file, statSync(file).size));
  } catch (error) {
    if (error instanceof BundleFileError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

async function readFileInput(file: string, stream: boolean): Promise<ImportedFile | ImportedBundle> {
  if (stream && isBundleFile(file)) return { name: file, bundle: fromBundleFile(file, (b) => b.readAll()) };
  return { name: file, content: await readInput(file, stream ? undefined : MAX_IMPORT_FILE_CHARS) };
}

/** The inputs as one bundle; with `stream`, bundle files are read host by host, so they may be of any size. */
export async function loadBundle(files: string[], io: Io, stream = true): Promise<CaptureBundle> {
  if (!files.length) throw new UsageError('give at least one input FILE');
  const inputs = await Promise.all(files.map((name) => readFileInput(name, stream)));
  const { bundle, problems } = importFiles(inputs);
  for (const p of problems.slice(0, 20)) io.err(`warning: ${formatProblem(p)}`);
  if (problems.length > 20) io.err(`warning: … and ${problems.length - 20} more input problems`);
  if (!bundle.hosts.length) throw new UsageError('no host data found in the input');
  return bundle;
}

/** One bundle file is analysed as it is read, a host at a time; anything else is imported first. */
export async function loadAnalysis(files: string[], io: Io): Promise<Analysis> {
  if (files.length !== 1 || !isBundleFile(files[0])) return analyze(await loadBundle(files, io));
  return fromBundleFile(files[0], (bundle) => {
    let hosts = 0;
    const counted = (function* () {
      for (const host of bundle.hosts()) {
        hosts++;
        yield host;
      }
    })();
    const analysis = analyzeHosts(counted, bundle.cluster);
    if (!hosts) throw new UsageError('no host data found in the input');
    return analysis;
  });
}

function formatProblem(problem: unknown): string {
  if (typeof problem === 'string') return problem;
  if (problem && typeof problem === 'object') {
    const p = problem as Record<string, unknown>;
    const where = [p.file, p.line !== undefined ? `line ${String(p.line)}` : undefined].filter(Boolean).join(':');
    return `${where ? `${where}: ` : ''}${String(p.message ?? JSON.stringify(problem))}`;
  }
  return String(problem);
}
