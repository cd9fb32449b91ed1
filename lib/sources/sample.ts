/** The bundled sample: a capture of the lab's default scenario, replayed as it was captured (its own time and source). */
import { access, readFile } from 'node:fs/promises';
import { parseBundle } from '@/lib/capture/bundle/bundle';
import type { CaptureBundle } from '@/lib/capture/types';
import { SAMPLE_BUNDLE_PATH } from './files';
import { replayBundle, SourceError, type Source } from './source';

async function loadSampleBundle(): Promise<CaptureBundle> {
  const text = await readFile(SAMPLE_BUNDLE_PATH, 'utf8');
  const parsed = parseBundle(JSON.parse(text) as unknown);
  if (!parsed.ok) throw new SourceError(`The bundled sample capture is invalid: ${parsed.error}`);
  return parsed.bundle;
}

export const sampleSource: Source<'sample'> = {
  kind: 'sample',
  async availability() {
    try {
      await access(SAMPLE_BUNDLE_PATH);
      return { available: true };
    } catch {
      return { available: false, reason: `The bundled sample is missing from this installation (${SAMPLE_BUNDLE_PATH}).` };
    }
  },
  discover: async () => replayBundle(await loadSampleBundle()),
};
