import { parseBundle } from './bundle/bundle';
import { looksLikeCollectorOutput, parseCollectorOutput } from './collect/collector-output';
import type { ImportProblem } from './problems';
import { parseTranscript, UNNAMED_HOST } from './paste/transcript';
import { mergeNodes } from './paste/kube-nodes';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type CaptureBundle, type ClusterContext, type HostCapture, type NamespaceCapture } from './types';
import { redactBundle } from './redact';

export interface ImportedFile {
  name: string;
  content: string;
}

/** A bundle file already read and checked (lib/capture/bundle/bundle-file.ts reads those too big for a string). */
export interface ImportedBundle {
  name: string;
  bundle: CaptureBundle;
}

export interface ImportOptions {
  now?: () => Date;
  /** Largest file read, in characters. */
  maxFileChars?: number;
}

export type FileKind = 'bundle' | 'collector' | 'transcript';

export const MAX_IMPORT_FILE_CHARS = 64 * 1024 * 1024;

export function sniffFile(content: string): FileKind {
  const start = content.trimStart();
  if (start.startsWith('{') && /"format"\s*:/.test(start.slice(0, 4096))) return 'bundle';
  if (looksLikeCollectorOutput(content)) return 'collector';
  return 'transcript';
}

/** `worker-1.txt` → `worker-1`: the host of a transcript whose prompts do not name one. */
function hostFromFileName(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1).replace(/\.(?:tsc\.)?(?:txt|log|out)$/i, '');
  // A name the uploader or the page made up (upload.txt, upload-2.txt, paste.txt, -) is no clue to the machine.
  if (base === '' || base === '-' || /^(?:upload|paste|pasted|transcript|stdin|input|output|unknown)(?:[-_ ]?\d+)?$/i.test(base)) return UNNAMED_HOST;
  return base;
}

function mergeNamespaces(into: NamespaceCapture[], from: readonly NamespaceCapture[]): void {
  for (const ns of from) {
    const same = into.find((n) => n.netns === ns.netns);
    if (same) same.commands.push(...ns.commands);
    else into.push({ netns: ns.netns, commands: [...ns.commands] });
  }
}

const STATUS_RANK: Record<HostCapture['status'], number> = { complete: 0, partial: 1, failed: 2 };

function mergeHosts(hosts: readonly HostCapture[]): HostCapture[] {
  const byName = new Map<string, HostCapture>();
  for (const host of hosts) {
    const seen = byName.get(host.name);
    if (!seen) {
      byName.set(host.name, { ...host, namespaces: host.namespaces.map((n) => ({ netns: n.netns, commands: [...n.commands] })) });
      continue;
    }
    mergeNamespaces(seen.namespaces, host.namespaces);
    if (seen.role === 'unknown') seen.role = host.role;
    // Separate files for one host: a failed or partial part does not make the merged host worse than its best part.
    if (STATUS_RANK[host.status] < STATUS_RANK[seen.status]) {
      seen.status = host.status;
      delete seen.error;
    }
  }
  return [...byName.values()];
}

function mergeClusters(clusters: readonly ClusterContext[]): ClusterContext | undefined {
  if (clusters.length === 0) return undefined;
  const nodes = mergeNodes(clusters.flatMap((c) => c.nodes));
  const pods = new Map(clusters.flatMap((c) => c.pods).map((p) => [`${p.namespace}/${p.name}`, p]));
  const name = clusters.find((c) => c.name)?.name;
  return { ...(name ? { name } : {}), nodes, pods: [...pods.values()] };
}

interface ImportedOne {
  hosts: HostCapture[];
  problems: ImportProblem[];
  cluster?: ClusterContext;
  /** A bundle file keeps its own origin and time. */
  bundle?: CaptureBundle;
}

/** A pod VM's collector output someone ran on the VM and handed over: the last of the ways a pod VM is reached. */
function uploadedPodVms<T extends { hosts: HostCapture[] }>(result: T): T {
  return { ...result, hosts: result.hosts.map((h) => (h.role === 'podvm' && !h.podVm ? { ...h, podVm: { via: 'upload' as const, skipped: [] } } : h)) };
}

function importOne(file: ImportedFile | ImportedBundle, opts: ImportOptions): ImportedOne {
  if ('bundle' in file) return { hosts: file.bundle.hosts, problems: [], cluster: file.bundle.cluster, bundle: file.bundle };
  const max = opts.maxFileChars ?? MAX_IMPORT_FILE_CHARS;
  if (file.content.length > max) {
    return { hosts: [], problems: [{ file: file.name, line: 0, text: '', message: `file is larger than ${max} characters and was not read` }] };
  }
  const kind = sniffFile(file.content);
  if (kind === 'bundle') {
    const parsed = parseBundle(file.content);
    if (!parsed.ok) return { hosts: [], problems: [{ file: file.name, line: 0, text: '', message: parsed.error }] };
    return { hosts: parsed.bundle.hosts, problems: [], cluster: parsed.bundle.cluster, bundle: parsed.bundle };
  }
  const result: { hosts: HostCapture[]; problems: ImportProblem[]; cluster?: ClusterContext } =
    kind === 'collector'
      ? uploadedPodVms(parseCollectorOutput(file.content))
      : parseTranscript(file.content, { defaultHost: hostFromFileName(file.name), collectedAt: (opts.now ?? (() => new Date()))().toISOString() });
  const problems = result.problems.map((p) => ({ ...p, file: file.name }));
  if (result.hosts.length === 0 && problems.length === 0 && !result.cluster) {
    problems.push({ file: file.name, line: 0, text: '', message: 'no command output found in this file' });
  }
  return { hosts: result.hosts, problems, ...(result.cluster ? { cluster: result.cluster } : {}) };
}

/**
 * Turns uploaded files (capture bundles, collector outputs, pasted transcripts) into one bundle.
 * Hosts with the same name are merged. Never throws: unreadable input becomes a problem.
 */
export function importFiles(files: readonly (ImportedFile | ImportedBundle)[], opts: ImportOptions = {}): { bundle: CaptureBundle; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const hosts: HostCapture[] = [];
  const clusters: ClusterContext[] = [];
  const ones = files.map((file) => importOne(file, opts));
  // One bundle file alone is re-read, not re-imported: it keeps its source and capture time.
  const only = ones.length === 1 ? ones[0].bundle : undefined;
  for (const one of ones) {
    hosts.push(...one.hosts);
    problems.push(...one.problems);
    if (one.cluster) clusters.push(one.cluster);
  }
  const cluster = mergeClusters(clusters);
  const bundle: CaptureBundle = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    createdAt: only?.createdAt ?? (opts.now ?? (() => new Date()))().toISOString(),
    source: only?.source ?? {
      kind: 'upload',
      detail: files
        .map((f) => f.name)
        .join(', ')
        .slice(0, 1000),
    },
    hosts: mergeHosts(hosts),
    ...(cluster ? { cluster } : {}),
  };
  return { bundle: redactBundle(bundle), problems };
}
