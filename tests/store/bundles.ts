/** Hand-built capture bundles around a real `ip -j -d link show` output (see fixtures/README.md). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type CaptureBundle, type HostCapture } from '@/lib/capture/types';

export const IP_LINK_JSON = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ip-link-veth-vxlan.json'), 'utf8').trim();

export const FIXTURE_DEVICES = ['lo', 'veth-a', 'veth-b', 'vxlan1'];

export function hostCapture(name: string, status: HostCapture['status'] = 'complete'): HostCapture {
  return {
    name,
    role: 'worker',
    collectedAt: '2025-01-01T00:00:00.000Z',
    status,
    namespaces: [
      {
        netns: null,
        commands: [
          {
            id: 'ip-link',
            argv: ['ip', '-j', '-d', 'link', 'show'],
            stdout: IP_LINK_JSON,
            stderr: '',
            exitCode: 0,
            durationMs: 4,
            status: 'ok',
            format: 'json',
          },
        ],
      },
    ],
  };
}

export function makeBundle(options: { hosts?: string[]; cluster?: string; partial?: string[] } = {}): CaptureBundle {
  const hosts = options.hosts ?? ['worker-1'];
  const bundle: CaptureBundle = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    createdAt: '2025-01-01T00:00:00.000Z',
    source: { kind: 'synthetic', detail: 'tests' },
    hosts: hosts.map((h) => hostCapture(h, options.partial?.includes(h) ? 'partial' : 'complete')),
  };
  if (options.cluster) bundle.cluster = { name: options.cluster, nodes: [], pods: [] };
  return bundle;
}
