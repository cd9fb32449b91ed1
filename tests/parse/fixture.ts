/** CommandRecords built from files under tests/fixtures/parse (see the README there for their origin). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandId, CommandRecord } from '@/lib/capture/types';

export function fixture(file: string): string {
  return readFileSync(path.join(__dirname, '..', 'fixtures', 'parse', file), 'utf8');
}

export function recordOf(id: CommandId, argv: string[], stdout: string, params?: Record<string, string>): CommandRecord {
  const format = argv.includes('-j') || argv.includes('json') ? 'json' : 'text';
  return { id, argv, params, stdout, stderr: '', exitCode: 0, durationMs: 1, status: 'ok', format };
}
