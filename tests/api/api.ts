/** Calls the route handlers directly with standard Request objects, as Next.js does. */
import path from 'node:path';
import { closeStore, type StoreConfig } from '@/lib/store';
import * as snapshots from '@/app/api/snapshots/route';
import * as snapshot from '@/app/api/snapshots/[id]/route';
import * as bundle from '@/app/api/snapshots/[id]/bundle/route';
import * as report from '@/app/api/snapshots/[id]/report.md/route';
import * as graph from '@/app/api/snapshots/[id]/graph.svg/route';
import * as search from '@/app/api/snapshots/[id]/search/route';
import * as pathView from '@/app/api/snapshots/[id]/path/route';
import * as trace from '@/app/api/trace/[id]/route';
import * as diff from '@/app/api/diff/route';
import * as healthz from '@/app/api/healthz/route';
import * as version from '@/app/api/version/route';

export const BASE = 'http://tunnelscope.test';

/** Points the process-wide store at the given database, as the server would from its environment. */
export async function useDatabase(config: StoreConfig): Promise<void> {
  await closeStore();
  delete process.env.DATABASE_URL;
  delete process.env.TUNNELSCOPE_DATA_DIR;
  if (config.kind === 'postgres') process.env.DATABASE_URL = config.url;
  else process.env.TUNNELSCOPE_DATA_DIR = path.dirname(config.file);
}

export function postJson(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return snapshots.POST(new Request(`${BASE}/api/snapshots`, { method: 'POST', body: text, headers: { 'content-type': 'application/json', ...headers } }));
}

export function postRaw(body: BodyInit, headers: Record<string, string>, query = ''): Promise<Response> {
  const init: RequestInit & { duplex?: 'half' } = { method: 'POST', body, headers };
  if (body instanceof ReadableStream) init.duplex = 'half';
  return snapshots.POST(new Request(`${BASE}/api/snapshots${query}`, init));
}

export function list(query = ''): Promise<Response> {
  return snapshots.GET(new Request(`${BASE}/api/snapshots${query}`));
}

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const req = (p: string, headers: Record<string, string> = {}) => new Request(`${BASE}${p}`, { headers });

export function getView(id: string, query = '', headers: Record<string, string> = {}): Promise<Response> {
  return snapshot.GET(req(`/api/snapshots/${encodeURIComponent(id)}${query}`, headers), ctx(id));
}

export function getBundle(id: string, headers: Record<string, string> = {}): Promise<Response> {
  return bundle.GET(req(`/api/snapshots/${encodeURIComponent(id)}/bundle`, headers), ctx(id));
}

export function getReport(id: string, query = '', headers: Record<string, string> = {}): Promise<Response> {
  return report.GET(req(`/api/snapshots/${encodeURIComponent(id)}/report.md${query}`, headers), ctx(id));
}

export function getSvg(id: string, query = '', headers: Record<string, string> = {}): Promise<Response> {
  return graph.GET(req(`/api/snapshots/${encodeURIComponent(id)}/graph.svg${query}`, headers), ctx(id));
}

export function getSearch(id: string, query: string, headers: Record<string, string> = {}): Promise<Response> {
  return search.GET(req(`/api/snapshots/${encodeURIComponent(id)}/search${query}`, headers), ctx(id));
}

export function getPath(id: string, query: string): Promise<Response> {
  return pathView.GET(req(`/api/snapshots/${encodeURIComponent(id)}/path${query}`), ctx(id));
}

export function getTrace(id: string, query: string): Promise<Response> {
  return trace.GET(req(`/api/trace/${encodeURIComponent(id)}${query}`), ctx(id));
}

export function getDiff(query: string, headers: Record<string, string> = {}): Promise<Response> {
  return diff.GET(req(`/api/diff${query}`, headers));
}

export function getHealth(): Promise<Response> {
  return healthz.GET();
}

export function getVersion(): Promise<Response> {
  return version.GET(req('/api/version'));
}

export interface ErrorBody {
  error: { code: string; message: string };
}
