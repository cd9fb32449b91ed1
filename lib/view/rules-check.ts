/**
 * Which rules a snapshot page shows: the findings stored with the snapshot, or the stored capture re-diagnosed
 * with this server's rules (`?rules=current` on the page and on every API read behind it).
 */

/** Which rules the findings come from: those stored with each snapshot, or this server's (re-diagnosed). */
export type RulesChoice = 'stored' | 'current';

export interface RulesShown {
  /** The version the snapshot was diagnosed with when it was stored. */
  stored: string;
  /** The version of the findings on screen. */
  shown: string;
  rechecked: boolean;
}

/** "rules 1.0.0", or "rules 1.1.0 (re-checked; stored 1.0.0)" once re-diagnosed. */
export function rulesNote({ stored, shown, rechecked }: RulesShown): string {
  if (!rechecked) return `rules ${stored}`;
  return shown === stored ? `rules ${shown} (re-checked)` : `rules ${shown} (re-checked; stored ${stored})`;
}

/**
 * A re-check is offered when this server's rules differ from the stored ones (re-diagnosing with the same rules
 * gives the same findings), and the way back whenever the page shows re-checked findings.
 */
export function offersRecheck(stored: string, server: string | undefined, choice: RulesChoice): boolean {
  return choice === 'current' || (server !== undefined && server !== stored);
}
