import { promisify } from 'node:util';
import { gunzip, gzip, brotliDecompress } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const brotliDecompressAsync = promisify(brotliDecompress);

/** How a stored blob is compressed; kept per row so the encoding can change without rewriting old snapshots. */
export type Encoding = 'gzip' | 'br';

export const DEFAULT_ENCODING: Encoding = 'gzip';

export async function packJson(value: unknown): Promise<Buffer> {
  return gzipAsync(Buffer.from(JSON.stringify(value), 'utf8'));
}

export async function unpackJson(blob: Uint8Array, encoding: string): Promise<unknown> {
  const buffer = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const raw = encoding === 'br' ? await brotliDecompressAsync(buffer) : await gunzipAsync(buffer);
  return JSON.parse(raw.toString('utf8')) as unknown;
}
