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
