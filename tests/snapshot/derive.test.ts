import { describe, expect, it } from 'vitest';
import { analyze } from '@/lib/analyze';
import { REDACTED } from '@/lib/capture/redact';
import type { CommandRecord } from '@/lib/capture/types';
import { deriveSnapshot, rediagnosedView } from '@/lib/snapshot/derive';
import { storedOverview } from '@/lib/snapshot/subview';
import { makeBundle } from '../store/bundles';

describe('a snapshot derived from a capture, before any store sees it', () => {
  it('holds the redacted bundle, its analysis, the metadata and the overview cut from that analysis', () => {
    const bundle = makeBundle({ hosts: ['worker-1', 'podvm-1'], cluster: 'east', partial: ['podvm-1'] });
    const stdout = '{"data":[[["uuid","9e1"],"gnv0",["map",[["psk","do-not-store-7c2"]]]]],"headings":["_uuid","name","options"]}';
    const ovs: CommandRecord = { id: 'ovs-interface', argv: ['ovs-vsctl', '-f', 'json', 'list', 'Interface'], stdout, stderr: '', exitCode: 0, durationMs: 2, status: 'ok', format: 'json' };
    bundle.hosts[0].namespaces[0].commands.push(ovs);
    const derived = deriveSnapshot({ bundle, title: '  incident   at 09:14 ' });
    expect(JSON.stringify(derived)).not.toContain('do-not-store-7c2');
    expect(derived.bundle.hosts[0].namespaces[0].commands.at(-1)?.stdout).toContain(`["psk","${REDACTED}"]`);
    expect(derived.meta).toMatchObject({ title: 'incident at 09:14', cluster: 'east', hosts: ['worker-1', 'podvm-1'], partialHosts: ['podvm-1'] });
    expect(derived.meta).not.toHaveProperty('id');
    expect(derived.overview).toEqual(storedOverview(derived.topology, derived.findings));
  });

  it('re-diagnoses a stored capture with the rules given, keeping the stored metadata', () => {
    const derived = deriveSnapshot({ bundle: makeBundle() }, (b) => ({ ...analyze(b), rulesVersion: 'old-rules', findings: [] }));
    const meta = { ...derived.meta, id: 'AAAAAAAAAAAAAAAAAAAAAAAA', createdAt: '2026-12-06T14:00:00.000Z' };
    const view = rediagnosedView(meta, derived.bundle);
    expect(view).toMatchObject({ meta, rediagnosed: true, rulesVersion: analyze(derived.bundle).rulesVersion });
    expect(meta.rulesVersion).toBe('old-rules');
  });
});
