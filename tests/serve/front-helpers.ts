/** What the front's tests share: a client's view of its answers, and token mode with one token. */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resetAuth } from '@/lib/auth/server';

export interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export function get(base: string, urlPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${urlPath}`, { headers, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A data directory of its own and token mode with one token (alice's); the directory, to be removed after. */
export function tokenMode(prefix: string, token: string): string {
  const dataDir = mkdtempSync(path.join(tmpdir(), prefix));
  Object.assign(process.env, {
    TUNNELSCOPE_DATA_DIR: dataDir,
    DATABASE_URL: '',
    TUNNELSCOPE_AUTH: 'token',
    TUNNELSCOPE_TOKENS: `alice:viewers:${createHash('sha256').update(token).digest('hex')}`,
  });
  resetAuth();
  return dataDir;
}

/** The CSP hash sources (as a kept page's policy lists them) of the inline scripts (those without src) of `html`. */
export function inlineScriptHashes(html: string): Set<string> {
  const texts = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  return new Set(texts.map((text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`));
}
