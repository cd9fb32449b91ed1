import { describe, expect, it } from 'vitest';
import { BUNDLE_LIMITS, parseBundle, serializeBundle } from '@/lib/capture/bundle/bundle';
import type { CaptureBundle } from '@/lib/capture/types';

function bundle(stdout = '[]'): CaptureBundle {
  return {
    format: 'tunnelscope.capture',
    version: 1,
    createdAt: '2025-01-01T00:00:00.000Z',
    source: { kind: 'upload' },
    hosts: [
      {
        name: 'w1',
        role: 'worker',
        collectedAt: '2025-01-01T00:00:00.000Z',
        status: 'complete',
        namespaces: [
          {
            netns: null,
            commands: [{ id: 'ip-link', argv: ['ip', '-j', 'link'], stdout, stderr: '', exitCode: 0, durationMs: 3, status: 'ok', format: 'json' }],
          },
        ],
      },
    ],
  };
}

describe('parseBundle', () => {
  it('accepts a valid bundle as text and round-trips it', () => {
    const result = parseBundle(serializeBundle(bundle()));
    expect(result).toEqual({ ok: true, bundle: bundle() });
  });

  it("keeps a pod VM's record of how it was reached, and refuses a way it does not know", () => {
    const podVm = { pod: { namespace: 'shop', name: 'peer-1' }, via: 'exec' as const, skipped: [{ way: 'ssh' as const, reason: 'the host key of 10.0.0.7 changed' }] };
    const withReach: CaptureBundle = { ...bundle(), hosts: [{ ...bundle().hosts[0], role: 'podvm', podVm }] };
    expect(parseBundle(serializeBundle(withReach))).toEqual({ ok: true, bundle: withReach });
    const unknown = JSON.parse(serializeBundle(withReach)) as { hosts: { podVm: { via: string } }[] };
    unknown.hosts[0].podVm.via = 'telepathy';
    expect(parseBundle(JSON.stringify(unknown)).ok).toBe(false);
  });

  it('names the wrong format explicitly', () => {
    const result = parseBundle({ ...bundle(), format: 'something-else' });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/not a Tunnelscope capture bundle: format "something-else", expected format "tunnelscope.capture"/),
    });
  });

  it('names an unsupported version explicitly', () => {
    const result = parseBundle({ ...bundle(), version: 2 });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toBe('unsupported capture bundle version 2: this Tunnelscope reads version 1');
  });

  it('rejects an oversized stdout with the path of the field', () => {
    const result = parseBundle(bundle('x'.repeat(BUNDLE_LIMITS.stdoutChars + 1)));
    expect(!result.ok && result.error).toMatch(/hosts\[0\]\.namespaces\[0\]\.commands\[0\]\.stdout: string longer than/);
  });

  it('rejects an unknown command id and bad JSON with a readable message', () => {
    const b = bundle() as unknown as { hosts: { namespaces: { commands: { id: string }[] }[] }[] };
    b.hosts[0].namespaces[0].commands[0].id = 'rm-rf';
    expect(parseBundle(b)).toMatchObject({ ok: false, error: expect.stringContaining('hosts[0].namespaces[0].commands[0].id') });
    expect(parseBundle('{not json')).toMatchObject({ ok: false, error: expect.stringContaining('not valid JSON') });
    expect(parseBundle([1, 2])).toMatchObject({ ok: false, error: expect.stringContaining('expected a JSON object') });
  });
});
