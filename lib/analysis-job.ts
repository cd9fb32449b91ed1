/**
 * The work an analysis thread does (lib/analysis-thread.ts): everything that costs time in proportion to what a
 * stranger sent — decoding and importing an upload, validating a bundle, redaction, parsing, topology, diagnosis,
 * packing for storage. Its answers are plain data (packed blobs, JSON text), cheap to hand back to the thread that
 * serves requests. Never throws: a failure becomes an answer with the HTTP status it deserves.
 */
import { parentPort } from 'node:worker_threads';
import { intakeFromBody, validBundle, type Intake } from '@/lib/serve/intake';
import type { KubeChoice } from '@/lib/serve/kube-choice';
import { ApiError } from '@/lib/serve/api-error';
import type { ImportProblem } from '@/lib/capture/problems';
import type { CaptureBundle } from '@/lib/capture/types';
import { analyze } from '@/lib/analyze';
import { prepareSnapshot } from '@/lib/serve/snapshots';
import { SnapshotLimitError } from '@/lib/snapshot/device-limit';
import type { PreparedSnapshot } from '@/lib/store/types';

export type AnalysisJob =
  /** A POST /api/snapshots body, as read within the upload limit. */
  | { kind: 'upload'; bytes: Uint8Array; contentType: string | null; url: string }
  /** A bundle collected from a source by the requesting thread. */
  | { kind: 'bundle'; bundle: CaptureBundle; title?: string }
  /** Topology and findings of a bundle, as JSON text (the live view). */
  | { kind: 'analyze'; bundle: CaptureBundle };

export type AnalysisAnswer =
  | { kind: 'prepared'; prepared: PreparedSnapshot; title?: string; problems: ImportProblem[] }
  /** The upload asks for a capture from a source: the requesting thread collects, then sends a 'bundle' job. */
  | { kind: 'source'; source: string; title?: string; kube?: KubeChoice }
  | { kind: 'analysis'; json: string };

export interface AnalysisFailure {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

export type WorkerMessage =
  /**
   * `tid`: the thread's id on Linux, whose CPU time the pool reads to charge the time budget; `refused`: how the
   * thread could not lower its priority (lib/capture/background.ts), for the pool to log.
   */
  | { id: 0; kind: 'ready'; tid?: number; refused: string[] }
  | { id: 0; kind: 'broken'; message: string }
  | { id: number; kind: 'started' }
  | { id: number; kind: 'done'; answer: AnalysisAnswer }
  | { id: number; kind: 'failed'; failure: AnalysisFailure };

class SourceRequested extends Error {
  constructor(
    readonly source: string,
    readonly title: string | undefined,
    readonly kube: KubeChoice | undefined,
  ) {
    super('source requested');
  }
}

async function prepared(intake: Intake): Promise<AnalysisAnswer> {
  try {
    const snapshot = await prepareSnapshot({ bundle: intake.bundle, title: intake.title });
    return { kind: 'prepared', prepared: snapshot, title: intake.title, problems: intake.problems };
  } catch (error) {
    if (error instanceof SnapshotLimitError) throw new ApiError(422, 'too_many_devices', error.message, error.details);
    throw error;
  }
}

export async function runJob(job: AnalysisJob): Promise<AnalysisAnswer> {
  switch (job.kind) {
    case 'upload': {
      const bytes = new Uint8Array(job.bytes.buffer as ArrayBuffer, job.bytes.byteOffset, job.bytes.byteLength);
      try {
        return await prepared(
          await intakeFromBody(bytes, job.contentType, new URL(job.url), {
            onSource: (source, title, kube) => {
              throw new SourceRequested(source, title, kube);
            },
          }),
        );
      } catch (error) {
        if (error instanceof SourceRequested) return { kind: 'source', source: error.source, title: error.title, kube: error.kube };
        throw error;
      }
    }
    case 'bundle': {
      return prepared({ bundle: validBundle(job.bundle), title: job.title, problems: [] });
    }
    case 'analyze': {
      const { topology, findings, rulesVersion } = analyze(job.bundle);
      return { kind: 'analysis', json: JSON.stringify({ topology, findings, rulesVersion }) };
    }
  }
}

function failureOf(error: unknown): AnalysisFailure {
  if (error instanceof ApiError) return { status: error.status, code: error.code, message: error.message, details: error.details };
  console.error('tunnelscope analysis error', error);
  return { status: 500, code: 'internal', message: 'The analysis failed; the error is in the server log.' };
}

/** The thread's side: one job at a time, as the pool hands them out; 'started' lets the pool start the clock. */
export function serveJobs(tid: number | undefined, refused: string[]): void {
  const port = parentPort;
  if (!port) throw new Error('serveJobs runs on an analysis thread');
  port.on('message', (message: { id: number; job: AnalysisJob }) => {
    port.postMessage({ id: message.id, kind: 'started' } satisfies WorkerMessage);
    runJob(message.job).then(
      (answer) => port.postMessage({ id: message.id, kind: 'done', answer } satisfies WorkerMessage),
      (error: unknown) => port.postMessage({ id: message.id, kind: 'failed', failure: failureOf(error) } satisfies WorkerMessage),
    );
  });
  port.postMessage({ id: 0, kind: 'ready', tid, refused } satisfies WorkerMessage);
}
