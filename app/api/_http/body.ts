import { ApiError } from '@/lib/serve/api-error';
import { integerSetting } from '@/lib/capture/settings';

export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

export function maxUploadBytes(env: Readonly<Record<string, string | undefined>> = process.env): number {
  return integerSetting(env.TUNNELSCOPE_MAX_UPLOAD_BYTES, DEFAULT_MAX_UPLOAD_BYTES);
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'payload_too_large', `The upload is larger than ${limit} bytes (TUNNELSCOPE_MAX_UPLOAD_BYTES). Capture fewer hosts or raise the limit.`);
}

/** Reads the whole body, refusing it by Content-Length up front and by counting bytes as they arrive. */
export async function readBody(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array(new ArrayBuffer(0));
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
