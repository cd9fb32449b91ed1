/** Limits that keep one upload from exhausting memory downstream. */
export const BUNDLE_LIMITS = {
  nameChars: 253,
  argChars: 4096,
  argvItems: 256,
  stdoutChars: 32 * 1024 * 1024,
  stderrChars: 1024 * 1024,
  hosts: 5000,
  commandsPerNamespace: 20_000,
  namespacesPerHost: 10_000,
} as const;

/**
 * The refusal of a capture of `hosts` hosts, more than one snapshot holds. There is no setting for it (the views and
 * the analysis are sized for it), so the way on is to split the capture.
 */
export function tooManyHostsMessage(hosts: number): string {
  return (
    `The capture holds ${hosts} hosts: more than the ${BUNDLE_LIMITS.hosts} one snapshot may hold. Nothing was stored. ` +
    `Capture the cluster in parts of at most ${BUNDLE_LIMITS.hosts} hosts (a collection or upload per group of nodes) and store each part as its own snapshot.`
  );
}
