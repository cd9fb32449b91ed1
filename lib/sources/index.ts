/**
 * The registry of sources: each kind declared as captured or sent (lib/capture/source-kinds.ts) has exactly one entry
 * here. Everything that captures (the API, the live view, the command line) looks its source up by kind; uploads are
 * read through their own entry, which no request for a capture can name.
 */
import type { CaptureBundle } from '@/lib/capture/types';
import { CAPTURE_KINDS, declarationOf, isCaptureKind, unknownSourceMessage, type CaptureKind, type SentKind, type SourceInfo } from '@/lib/capture/source-kinds';
import { kubeSource } from './kube';
import { labSource } from './lab';
import { localSource } from './local';
import { sampleSource } from './sample';
import { uploadSource, type UploadOptions } from './upload';
import type { KubeSourceOptions } from '@/lib/kube/source';
import { collectDiscovered, SourceError, type Availability, type CaptureControl, type Source } from './source';

/** A capture's choices; each source reads the part that concerns it. */
export interface SourceOptions extends CaptureControl {
  kube?: KubeSourceOptions;
}

const SOURCES: { readonly [K in CaptureKind]: Source<K, SourceOptions> } = {
  lab: labSource,
  local: localSource,
  sample: sampleSource,
  kube: kubeSource,
};

/** Sources read from what the server is sent, apart from SOURCES so that asking for a capture never reaches them. */
export const SENT_SOURCES: { readonly [K in SentKind]: Source<K, UploadOptions> } = {
  upload: uploadSource,
};

/** The source of a kind, or a SourceError naming the kinds there are. */
export function sourceFor(kind: string): Source<CaptureKind, SourceOptions> {
  if (!isCaptureKind(kind)) throw new SourceError(unknownSourceMessage(kind));
  return SOURCES[kind];
}

export async function captureFromSource(kind: CaptureKind, options: SourceOptions = {}): Promise<CaptureBundle> {
  return collectDiscovered(await sourceFor(kind).discover(options), options);
}

/** Every captured source with whether this server can capture from it now. */
export function sourcesOnThisServer(): Promise<SourceInfo[]> {
  return Promise.all(
    CAPTURE_KINDS.map(async (kind): Promise<SourceInfo> => {
      const { label, description, live, recapture, choices } = declarationOf(kind);
      // One source failing to say leaves the others listed; its reason stays generic, since viewers read it too.
      const availability = await SOURCES[kind].availability().catch((): Availability => ({ available: false, reason: 'Its availability could not be checked on this server.' }));
      return { kind, label, description, live, recapture, choices, ...availability };
    }),
  );
}
