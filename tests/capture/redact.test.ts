import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactBundle, redactRecord, redactText } from '@/lib/capture/redact';
import type { CaptureBundle, CommandRecord } from '@/lib/capture/types';
import { parseRecord } from '@/lib/parse';

const SCRIPT = path.resolve(__dirname, '../../public/tunnelscope-collect.sh');

const OVSDB =
  '{"data":[[["uuid","1b2c"],"vx-ipsec",["map",[["key","flow"],["psk","sw\\"ord,fish"],["remote_ip","192.168.10.201"]]],["map",[["iface-id","pod-a"],["OVN-IPSEC-Token","t0k3n"]]]]],"headings":["_uuid","name","options","external_ids"]}\n';
const PEERPOD_CONFIG = '{\n  "podIP": "10.132.2.46/23",\n  "apiKey" : "abc123",\n  "vxlan": { "vni": 555005, "password":"x y" }\n}\n';
const SHOW = [
  '    Bridge br-int',
  '        Port vx-ipsec',
  '            Interface vx-ipsec',
  '                type: geneve',
  '                options: {key=flow, psk=swordfish, remote_ip="192.168.10.201"}',
  '                options : {psk="a b", private_key=k1, secret_name=pull-secret}',
  '',
].join('\n');

function record(id: CommandRecord['id'], stdout: string): CommandRecord {
  return { id, argv: ['ovs-vsctl', 'show'], stdout, stderr: '', exitCode: 0, durationMs: 1, status: 'ok', format: 'text' };
}

/** The collector's own masking (its sed programs), run on the same text. */
function collectorMask(id: string, text: string): string {
  const script = readFileSync(SCRIPT, 'utf8');
  const defs = script.slice(script.indexOf('anycase() {'), script.indexOf("have_sed_e=''"));
  const program = `${defs}\nmask_programs\ncase "$1" in ovs-show) sed -E -e "$mask_json" -e "$mask_text" ;; *) sed -E -e "$mask_json" ;; esac`;
  return execFileSync('sh', ['-c', program, 'sh', id], { input: text, encoding: 'utf8' });
}

describe('secrets in captured outputs', () => {
  it('masks PSKs, tokens and passwords in OVSDB JSON and keeps the VNI key, addresses and ids', () => {
    const out = redactText(OVSDB);
    expect(out).not.toMatch(/swordfish|sw\\"ord|t0k3n/);
    expect(out).toContain(`["psk","${REDACTED}"]`);
    expect(out).toContain(`["OVN-IPSEC-Token","${REDACTED}"]`);
    expect(out).toContain('["key","flow"]');
    expect(out).toContain('["remote_ip","192.168.10.201"]');
    const parsed = parseRecord({ ...record('ovs-interface', out), argv: ['ovs-vsctl', '-f', 'json', 'list', 'Interface'], format: 'json' });
    expect(parsed?.problems).toEqual([]);
    expect(parsed?.state.ovs?.interfaces?.[0]).toMatchObject({ name: 'vx-ipsec', options: { key: 'flow', psk: REDACTED, remote_ip: '192.168.10.201' } });
  });

  it('masks JSON members of the peer-pod config and text maps of ovs-vsctl show, leaving other keys alone', () => {
    const config = redactText(PEERPOD_CONFIG);
    expect(JSON.parse(config)).toEqual({ podIP: '10.132.2.46/23', apiKey: REDACTED, vxlan: { vni: 555005, password: REDACTED } });
    const show = redactText(SHOW);
    expect(show).toContain(`options: {key=flow, psk="${REDACTED}", remote_ip="192.168.10.201"}`);
    expect(show).toContain(`options : {psk="${REDACTED}", private_key="${REDACTED}", secret_name=pull-secret}`);
  });

  it('masks exactly as tunnelscope-collect.sh does, so a pasted collector output and an import agree', () => {
    expect(collectorMask('ovs-interface', OVSDB)).toBe(redactText(OVSDB));
    expect(collectorMask('peerpod-config', PEERPOD_CONFIG)).toBe(redactText(PEERPOD_CONFIG));
    expect(collectorMask('ovs-show', SHOW)).toBe(redactText(SHOW));
  });

  it('leaves outputs that cannot hold such pairs byte for byte, and JSON strings that merely mention key=value', () => {
    const iptables = { ...record('iptables-filter', '-A INPUT -m comment --comment "token=abc" -j ACCEPT\n'), argv: ['iptables-save'] };
    expect(redactRecord(iptables)).toBe(iptables);
    const note = '{"data":[[["map",[["note","psk=inside a string"]]]]],"headings":["external_ids"]}';
    expect(redactText(note)).toBe(note);
  });

  it('masks annotations that hold secrets or whole applied objects, is idempotent, and returns a clean bundle as it is', () => {
    const bundle: CaptureBundle = {
      format: 'tunnelscope.capture',
      version: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      source: { kind: 'upload' },
      hosts: [{ name: 'w1', role: 'worker', collectedAt: '2026-01-01T00:00:00.000Z', status: 'complete', namespaces: [{ netns: null, commands: [record('ovs-show', SHOW)] }] }],
      cluster: {
        nodes: [],
        pods: [
          {
            namespace: 'default',
            name: 'nginx',
            annotations: {
              'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{"env":[{"value":"s3cr3t"}]}}',
              'example.com/db-password': 'hunter2',
              'k8s.ovn.org/pod-networks': '{"default":{"mac_address":"0a:58:0a:84:02:2e"}}',
            },
          },
        ],
      },
    };
    const once = redactBundle(bundle);
    expect(JSON.stringify(once)).not.toMatch(/s3cr3t|hunter2|swordfish/);
    expect(once.cluster?.pods[0].annotations?.['k8s.ovn.org/pod-networks']).toContain('0a:58:0a:84:02:2e');
    expect(redactBundle(once)).toBe(once);
    expect(bundle.hosts[0].namespaces[0].commands[0].stdout).toBe(SHOW);
  });
});
