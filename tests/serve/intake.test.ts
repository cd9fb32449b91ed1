import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/serve/api-error';
import { fromFiles, fromJsonText } from '@/lib/serve/intake';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';

const transcript = (host: string) =>
  `root@${host}:~# ip -o link show\n1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n`;

async function refusal(pending: Promise<unknown>): Promise<ApiError> {
  const error = await pending.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

describe('uploads, read through the registry entry', () => {
  it('reads the hosts of the files in their order, as an upload naming its files, with what could not be read', async () => {
    const files = [
      { name: 'worker-b.txt', content: transcript('worker-b') },
      { name: 'notes.txt', content: 'nothing to read here\n' },
      { name: 'worker-a.txt', content: transcript('worker-a') },
    ];
    const intake = await fromFiles(files, 'two hosts');
    expect(intake.bundle.hosts.map((h) => h.name)).toEqual(['worker-b', 'worker-a']);
    expect(intake.bundle.source).toEqual({ kind: 'upload', detail: 'worker-b.txt, notes.txt, worker-a.txt' });
    expect(intake.problems.map((p) => `${p.file}:${p.line}`)).toEqual(['notes.txt:1']);
    expect(intake.title).toBe('two hosts');
  });

  it('answers 400 nothing_recognised with the problems when no host is recognised', async () => {
    const error = await refusal(fromFiles([{ name: 'notes.txt', content: 'nothing to read here\n' }], undefined));
    expect([error.status, error.code]).toEqual([400, 'nothing_recognised']);
    expect(error.message).toMatch(/^No host capture was recognised in the upload\. First problem: notes\.txt: /);
  });

  it('keeps a single bundle file as it was captured: its source and time', async () => {
    const text = readFileSync(SAMPLE_BUNDLE_PATH, 'utf8');
    const sample = JSON.parse(text) as { createdAt: string; source: unknown };
    const intake = await fromFiles([{ name: 'sample.json', content: text }], undefined);
    expect([intake.bundle.createdAt, intake.bundle.source]).toEqual([sample.createdAt, sample.source]);
  });

  it('refuses a request to capture from "upload": the server does not capture uploads on its own', async () => {
    const error = await refusal(Promise.resolve().then(() => fromJsonText(JSON.stringify({ source: 'upload' }))));
    expect([error.status, error.message]).toEqual([400, 'Unknown source "upload". Use one of: lab, local, sample, kube.']);
  });
});
