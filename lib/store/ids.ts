import { randomBytes } from 'node:crypto';

/** 18 random bytes = 144 bits, encoded as 24 base64url characters (no padding). */
const ID_BYTES = 18;
const ID_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;

export function newSnapshotId(): string {
  return randomBytes(ID_BYTES).toString('base64url');
}

/** Shape check only: lets callers answer 404 without touching the database for ids that cannot exist. */
export function isSnapshotId(value: string): boolean {
  return ID_PATTERN.test(value);
}
