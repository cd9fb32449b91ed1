import type { AnalysisAnswer } from '@/lib/analysis-job';
import { analysisPool } from '@/lib/analysis-thread';
import { audit } from '@/lib/auth/audit';
import type { Caller } from '@/lib/auth/identity';
import type { ImportProblem } from '@/lib/capture/problems';
import { ApiError } from '@/lib/serve/api-error';
import type { Intake } from '@/lib/serve/intake';
import { clientOf, creationLimiter } from '@/lib/serve/rate-limit';
import type { SnapshotMeta } from '@/lib/snapshot/types';
import { getStore } from '@/lib/store';
import { authorize, limitCollections } from './auth';

/** A new snapshot is within this client's rate; refused with 429 and when to try again otherwise. */
export function admitSnapshot(request: Request): void {
  const admission = creationLimiter().take(clientOf(request.headers));
  if (!admission.ok) {
    throw new ApiError(
      429,
      'rate_limited',
      `Too many snapshots from this client: try again in ${admission.retryAfterSeconds} s (TUNNELSCOPE_RATE_LIMIT_PER_MINUTE sets how many one client may create per minute).`,
      undefined,
      admission.retryAfterSeconds,
    );
  }
}

/** Checked before anything runs on a host: the server collects (not read-only) and the person is within their rate. */
export async function admitCollection(request: Request, caller: Caller): Promise<void> {
  await authorize(request, 'collector', { collects: true });
  limitCollections(caller);
}

/** Stores what the analysis thread prepared, on the audit log under the caller. */
export async function storeAnswer(caller: Caller, answer: AnalysisAnswer): Promise<{ meta: SnapshotMeta; problems: ImportProblem[] }> {
  if (answer.kind !== 'prepared') throw new Error(`unexpected analysis answer: ${answer.kind}`);
  const meta = await getStore().createPrepared(answer.prepared);
  await audit(caller, 'snapshot.create', { target: meta.id, hosts: meta.hosts, detail: { title: meta.title, source: meta.source.kind } });
  return { meta, problems: answer.problems };
}

/** What the commands printed is analysed on an analysis thread, within its budgets, then stored. */
export async function storeCollected(caller: Caller, intake: Intake, source: string): Promise<{ meta: SnapshotMeta; problems: ImportProblem[] }> {
  return storeAnswer(caller, await analysisPool().run({ kind: 'bundle', bundle: intake.bundle, title: intake.title }, `the ${source} collection`));
}
