import path from 'node:path';
import { z } from 'zod';

export interface RetentionPolicy {
  /** Snapshots older than this many days are removed when a new one is created. */
  maxAgeDays?: number;
  /** Only the newest this many snapshots are kept when a new one is created. */
  maxCount?: number;
}

export type StoreConfig = { kind: 'sqlite'; file: string; retention?: RetentionPolicy } | { kind: 'postgres'; url: string; retention?: RetentionPolicy };

export const DB_FILE_NAME = 'tunnelscope.db';

const positive = (name: string) =>
  z.coerce
    .number({ invalid_type_error: `${name} must be a number` })
    .positive(`${name} must be greater than 0`)
    .optional();

const envSchema = z.object({
  DATABASE_URL: z.string().trim().min(1).optional(),
  TUNNELSCOPE_DATA_DIR: z.string().trim().min(1).optional(),
  TUNNELSCOPE_RETENTION_DAYS: positive('TUNNELSCOPE_RETENTION_DAYS'),
  TUNNELSCOPE_RETENTION_MAX: positive('TUNNELSCOPE_RETENTION_MAX').pipe(z.number().int('TUNNELSCOPE_RETENTION_MAX must be a whole number').optional()),
});

function blankToUndefined(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    out[key] = value === undefined || value.trim() === '' ? undefined : value;
  }
  return out;
}

/** PostgreSQL when DATABASE_URL is set, otherwise `<TUNNELSCOPE_DATA_DIR or ./data>/tunnelscope.db`. */
export function storeConfigFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): StoreConfig {
  const parsed = envSchema.safeParse(blankToUndefined(env));
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => issue.message).join('; ');
    throw new Error(`Invalid storage settings: ${detail}`);
  }
  const e = parsed.data;
  const retention: RetentionPolicy | undefined =
    e.TUNNELSCOPE_RETENTION_DAYS || e.TUNNELSCOPE_RETENTION_MAX ? { maxAgeDays: e.TUNNELSCOPE_RETENTION_DAYS, maxCount: e.TUNNELSCOPE_RETENTION_MAX } : undefined;
  if (e.DATABASE_URL) return { kind: 'postgres', url: e.DATABASE_URL, retention };
  const dir = path.resolve(/*turbopackIgnore: true*/ e.TUNNELSCOPE_DATA_DIR ?? './data');
  return { kind: 'sqlite', file: path.join(dir, DB_FILE_NAME), retention };
}
