/**
 * Uploads: the hosts are what the importer read from the files sent to the server (bundles, collector outputs,
 * transcripts), so each host's collect hands back its capture, and what could not be read goes with the discovery.
 */
import { importFiles, type ImportedFile } from '@/lib/capture/import';
import { replayBundle, type Source } from './source';

export interface UploadOptions {
  files: readonly ImportedFile[];
}

export const uploadSource: Source<'upload', UploadOptions> = {
  kind: 'upload',
  // Nothing to reach: whatever is sent is read.
  availability: async () => ({ available: true }),
  async discover({ files }) {
    const { bundle, problems } = importFiles(files);
    return { ...replayBundle(bundle), problems };
  },
};
