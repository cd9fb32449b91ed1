/**
 * The worker's per-sandbox peer-pod records, read from what the declared command prints: the declaration's own
 * find + jq run over apf.json files written here with cloud-api-adaptor's field names (a Go tunneler.Config, routes
 * marshalled without JSON tags) and a dummy TLS key beside them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRecord } from '@/lib/parse';
import type { PeerPodSandbox } from '@/lib/parse/types';
import { peerpodSandboxes } from '@/lib/commands/peerpod-sandboxes';
import { recordOf } from './fixture';
import { podNetwork } from '@/lib/lab/peerpod';
import { PEER_POD } from '../cluster/hosts';

const root = mkdtempSync(path.join(os.tmpdir(), 'sandboxes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const KEY = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIParserTestKeyBodyOnly\n-----END PRIVATE KEY-----';

function writeRecord(sandbox: string, podNetwork: unknown): void {
  const dir = path.join(root, sandbox);
  mkdirSync(dir, { recursive: true });
  const record = { 'pod-network': podNetwork, 'pod-namespace': 'shop', 'pod-name': `pod-${sandbox.slice(0, 4)}`, 'tls-server-key': KEY, 'tls-server-cert': 'CERT', 'tls-client-ca': 'CA' };
  writeFileSync(path.join(dir, 'apf.json'), JSON.stringify(record, null, 2));
}

/** The declared argv, run over this test's directory instead of /run/peerpod/pods. */
function collected(): string {
  const argv = peerpodSandboxes.argv.map((a) => (a === '/run/peerpod/pods' ? root : a));
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' });
}

function read(stdout: string): { sandboxes: PeerPodSandbox[]; problems: unknown[] } {
  const result = parseRecord(recordOf('peerpod-sandboxes', [...peerpodSandboxes.argv], stdout));
  return { sandboxes: (result?.state.peerpodSandboxes ?? []).map(({ source: _source, ...s }) => s), problems: result?.problems ?? [] };
}

describe("the worker's peer-pod records", () => {
  writeRecord('a1b2c3d4e5f6', podNetwork(PEER_POD, '192.168.10.1'));
  writeRecord('ffee00112233', { podip: '10.244.1.51/24', 'worker-node-ip': '192.168.10.1/24', 'tunnel-type': 'vxlan', routes: null, mtu: 1400, index: 2, 'vxlan-id': 555002, dedicated: false });

  it('reads pod IP, worker IP, VNI, port, MTU and routes of every sandbox, and nothing of the TLS material', () => {
    const stdout = collected();
    expect(stdout).not.toContain('BEGIN');
    expect(stdout).not.toContain('ParserTestKeyBodyOnly');
    const { sandboxes, problems } = read(stdout);
    expect(problems).toEqual([]);
    expect(sandboxes.sort((a, b) => a.sandbox.localeCompare(b.sandbox))).toEqual([
      {
        sandbox: 'a1b2c3d4e5f6',
        podIp: '10.244.1.50',
        podPrefix: 24,
        podMac: '0a:58:0a:f4:01:32',
        interface: 'vxlan0',
        workerIp: '192.168.10.1',
        tunnelType: 'vxlan',
        vni: 555001,
        port: 4789,
        mtu: 1450,
        index: 1,
        routes: [{ dst: '0.0.0.0/0', gateway: '10.244.1.1', dev: 'eth0' }],
      },
      // vxlan-port is omitempty in the adaptor: absent, the worker used its default.
      { sandbox: 'ffee00112233', podIp: '10.244.1.51', podPrefix: 24, workerIp: '192.168.10.1', tunnelType: 'vxlan', vni: 555002, mtu: 1400, index: 2, routes: [] },
    ]);
  });

  it('reports a line that is not a sandbox record and keeps the others', () => {
    const stdout = ['{"sandbox":"aa","pod-network":{"podip":"10.0.0.9/32","vxlan-id":7}}', '{"sandbox":"bb","pod-network":null}', '["x"]'].join('\n');
    const { sandboxes, problems } = read(stdout);
    expect(sandboxes).toEqual([{ sandbox: 'aa', podIp: '10.0.0.9', podPrefix: 32, vni: 7, routes: [] }]);
    expect(problems).toHaveLength(2);
  });
});
