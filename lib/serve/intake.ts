/**
 * Turns a POST /api/snapshots body into a validated capture bundle: a bundle (raw or wrapped in
 * `{ bundle, title }`), a source to capture from (`{ source, title }`), or uploaded files (text/plain or
 * multipart) for the importer. Nothing here touches the store, so a rejected request stores nothing.
 */
import { z } from 'zod';
import { parseBundle } from '@/lib/capture/bundle/bundle';
import type { ImportProblem } from '@/lib/capture/problems';
import { BUNDLE_FORMAT, type CaptureBundle } from '@/lib/capture/types';
import { MAX_TITLE_LENGTH } from '@/lib/snapshot/meta';
import { ApiError } from './api-error';
import { kubeChoice, kubeOptions, type KubeChoice } from './kube-choice';
import type { Impersonation } from '@/lib/auth/impersonation';
import { CAPTURE_KINDS, isCaptureKind, unknownSourceMessage } from '@/lib/capture/source-kinds';
import { backgroundPriority } from '@/lib/capture/background';
import { collectDiscovered, SourceError, type CaptureControl } from '@/lib/sources/source';
import type { HostRole } from '@/lib/capture/types';

export interface Intake {
  bundle: CaptureBundle;
  title?: string;
  /** What the importer could not read (lines, files); empty for bundles and sources. */
  problems: ImportProblem[];
}

/** Lets the route check and record a collection before and after it runs; uploads never call it. */
export interface IntakeHooks {
  beforeCollect?: (source: string) => Promise<{ onCollected: (hosts: string[]) => Promise<unknown> }>;
  /** Takes a request to capture from a source instead of capturing here (the analysis thread cannot collect). */
  onSource?: (kind: string, title: string | undefined, kube?: KubeChoice) => Promise<Intake>;
  /** A cluster capture acts as this person (Kubernetes authentication mode), not only as the dashboard's account. */
  impersonate?: Impersonation;
  /** Cancel and per-host progress of a collection; `discovered` hears of the hosts before any is collected. */
  control?: CaptureControl & { discovered?: (hosts: readonly { name: string; role: HostRole }[]) => void };
}

export interface UploadedFile {
  name: string;
  content: string;
}

const title = z.string().max(MAX_TITLE_LENGTH, `title is longer than ${MAX_TITLE_LENGTH} characters`).optional();
const MAX_FILE_NAME = 255;

/** A capture from a source: what POST /api/snapshots and POST /api/collections take. */
export const sourceRequest = z.object({ source: z.string().min(1).max(32), title, kube: kubeChoice.optional() }).strict();

const jsonBody = z.union([z.object({ bundle: z.unknown().refine((v) => v !== undefined, 'bundle is required'), title }).strict(), sourceRequest]);

function badRequest(message: string, code: 'bad_request' | 'invalid_json' | 'invalid_bundle' = 'bad_request'): ApiError {
  return new ApiError(400, code, message);
}

/** The bundle checked; a malformed one is a bad request, one too large for a snapshot is refused as the other size limits are (422). */
export function validBundle(value: unknown): CaptureBundle {
  const parsed = parseBundle(value);
  if (parsed.ok) return parsed.bundle;
  if (parsed.tooManyHosts) throw new ApiError(422, 'too_many_hosts', parsed.error, parsed.tooManyHosts);
  throw badRequest(parsed.error, 'invalid_bundle');
}

function looksLikeBundle(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'format' in value && (value as { format: unknown }).format === BUNDLE_FORMAT;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badRequest('The upload is not UTF-8 text. Upload the command output or bundle as it was saved.');
  }
}

export async function fromSource(kind: string, titleText: string | undefined, hooks: IntakeHooks = {}, kube?: KubeChoice): Promise<Intake> {
  let sources: typeof import('@/lib/sources');
  try {
    sources = await import('@/lib/sources');
  } catch {
    throw new ApiError(501, 'not_implemented', 'This server cannot capture from sources; upload a bundle instead.');
  }
  if (!isCaptureKind(kind)) throw badRequest(unknownSourceMessage(kind));
  const collected = await hooks.beforeCollect?.(kind);
  try {
    const options = { ...hooks.control, kube: kubeOptions(kube, hooks.impersonate), nice: backgroundPriority().nice };
    const discovery = await sources.sourceFor(kind).discover(options);
    hooks.control?.discovered?.(discovery.hosts);
    const bundle = await collectDiscovered(discovery, options);
    await collected?.onCollected(bundle.hosts.map((h) => h.name));
    return { bundle: validBundle(bundle), title: titleText, problems: [] };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof SourceError) throw new ApiError(409, 'source_unavailable', error.message);
    throw error;
  }
}

/** Captures from a named source: by default here; the analysis thread hands the request back instead (it cannot collect). */
export type SourceIntake = (kind: string, title: string | undefined, kube?: KubeChoice) => Promise<Intake>;

export function fromJsonText(text: string, hooks: IntakeHooks = {}): Promise<Intake> | Intake {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badRequest(`The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, 'invalid_json');
  }
  if (looksLikeBundle(value)) return { bundle: validBundle(value), problems: [] };
  const parsed = jsonBody.safeParse(value);
  if (!parsed.success) {
    // A source request with one wrong choice is told which, as POST /api/collections tells it.
    const issue = typeof value === 'object' && value !== null && 'kube' in value ? sourceRequest.safeParse(value).error?.issues[0] : undefined;
    throw badRequest(
      `Send { "bundle": <capture bundle>, "title"?: string } or { "source": ${CAPTURE_KINDS.map((k) => `"${k}"`).join(' | ')}, "title"?: string, "kube"?: { "context"?, "mode"?, "podVms"?, "nodes"?, "selector"?, "podVmSsh"? } }.${issue ? ` ${issue.path.join('.')} ${issue.message}.` : ''}`,
    );
  }
  if ('source' in parsed.data)
    return hooks.onSource ? hooks.onSource(parsed.data.source, parsed.data.title, parsed.data.kube) : fromSource(parsed.data.source, parsed.data.title, hooks, parsed.data.kube);
  return { bundle: validBundle(parsed.data.bundle), title: parsed.data.title, problems: [] };
}

/** Uploaded files: a single bundle file is validated directly, anything else goes through the importer. */
export async function fromFiles(files: UploadedFile[], titleText: string | undefined): Promise<Intake> {
  if (files.length === 0) throw badRequest('The upload contains no files.');
  if (files.length === 1) {
    const only = files[0].content.trimStart();
    if (only.startsWith('{')) {
      let value: unknown = undefined;
      try {
        value = JSON.parse(only);
      } catch {
        // Not JSON after all: a transcript may start with "{"; the importer decides.
      }
      if (looksLikeBundle(value)) return { bundle: validBundle(value), title: titleText, problems: [] };
    }
  }
  // Loaded when first needed, as for a capture: the analysis thread starts without the sources.
  const { SENT_SOURCES } = await import('@/lib/sources');
  const discovery = await SENT_SOURCES.upload.discover({ files });
  const problems = [...(discovery.problems ?? [])];
  if (discovery.hosts.length === 0) {
    const first = problems[0] ? ` First problem: ${problems[0].file}: ${problems[0].message}.` : '';
    throw new ApiError(400, 'nothing_recognised', `No host capture was recognised in the upload.${first}`, problems);
  }
  return { bundle: validBundle(await collectDiscovered(discovery)), title: titleText, problems };
}

function fileName(value: string | null, fallback: string): string {
  const name = (value ?? '').trim().slice(0, MAX_FILE_NAME);
  return name || fallback;
}

async function fromMultipart(bytes: Uint8Array<ArrayBuffer>, contentType: string): Promise<Intake> {
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw badRequest('The multipart body could not be read.');
  }
  const files: UploadedFile[] = [];
  let titleText: string | undefined;
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string') {
      if (key === 'title') {
        const parsed = title.safeParse(value);
        if (!parsed.success) throw badRequest(parsed.error.issues[0].message);
        titleText = parsed.data;
      }
      continue;
    }
    files.push({ name: fileName(value.name, `upload-${files.length + 1}.txt`), content: decodeUtf8(new Uint8Array(await value.arrayBuffer())) });
  }
  return fromFiles(files, titleText);
}

/** Dispatches on Content-Type; the body has already been read within the size limit. */
export async function intakeFromBody(bytes: Uint8Array<ArrayBuffer>, contentType: string | null, url: URL, hooks: IntakeHooks = {}): Promise<Intake> {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const queryTitle = url.searchParams.get('title') ?? undefined;
  const parsedTitle = title.safeParse(queryTitle);
  if (!parsedTitle.success) throw badRequest(parsedTitle.error.issues[0].message);
  if (type === 'application/json' || type.endsWith('+json')) {
    const intake = await fromJsonText(decodeUtf8(bytes), hooks);
    return { ...intake, title: intake.title ?? parsedTitle.data };
  }
  if (type === 'text/plain') {
    const name = fileName(url.searchParams.get('name'), 'upload.txt');
    return fromFiles([{ name, content: decodeUtf8(bytes) }], parsedTitle.data);
  }
  if (type === 'multipart/form-data') {
    const intake = await fromMultipart(bytes, contentType ?? type);
    return { ...intake, title: intake.title ?? parsedTitle.data };
  }
  throw new ApiError(415, 'unsupported_media_type', 'Send application/json (a bundle or a source), text/plain (collector output or a transcript) or multipart/form-data (files).');
}
