import { z } from 'zod';

/** Position after the last item of a page, in list order (created_at desc, id desc). */
export interface CursorPosition {
  createdAt: string;
  id: string;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('The cursor is not one this server produced. Start again from the first page (omit cursor).');
    this.name = 'InvalidCursorError';
  }
}

const cursorSchema = z.tuple([z.string().min(1).max(64), z.string().min(1).max(128)]);

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const parsed = cursorSchema.safeParse(decoded);
  if (!parsed.success) throw new InvalidCursorError();
  return { createdAt: parsed.data[0], id: parsed.data[1] };
}
