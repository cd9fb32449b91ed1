/**
 * The live view captures again on every refresh; the counters of the last capture of each source are kept, so
 * that each refresh also says what happened since the one before (lib/diff/counters.ts).
 */
import type { Finding } from '@/lib/diagnose/types';
import type { Topology } from '@/lib/topology/types';
import { counterFindings } from './counters';

interface Seen {
  topology: Topology;
  at: number;
}

export class LiveCounters {
  readonly #last = new Map<string, Seen>();

  /** Findings since the previous capture of `source` (none for its first); `at` is the capture time in ms. */
  observe(source: string, topology: Topology, at: number): Finding[] {
    const previous = this.#last.get(source);
    this.#last.set(source, { topology, at });
    if (previous === undefined || !(at > previous.at)) return [];
    return counterFindings(previous.topology, topology, (at - previous.at) / 1000);
  }
}

/** One per server process: what the live route compares each capture with. */
export const liveCounters = new LiveCounters();
