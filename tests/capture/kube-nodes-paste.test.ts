import { describe, expect, it } from 'vitest';
import { parseTranscript } from '@/lib/capture/paste/transcript';
import { importFiles } from '@/lib/capture/import';

const BD = 'flannel.alpha.coreos.com/backend-data';
const PIP = 'flannel.alpha.coreos.com/public-ip';

const NODE_JSON = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'rack3-b07', annotations: { [BD]: '{"VNI":42,"VtepMAC":"b2:19:0c:7e:44:d1"}', [PIP]: '192.0.2.77', 'other.example/x': 'y' } },
      spec: { podCIDR: '10.88.5.0/24', podCIDRs: ['10.88.5.0/24'] },
      status: {
        addresses: [
          { type: 'InternalIP', address: '192.0.2.77' },
          { type: 'Hostname', address: 'rack3-b07' },
        ],
      },
    },
  ],
};

describe('kubectl node objects in a paste', () => {
  it('reads kubectl get nodes -o json (a List) into the cluster context', () => {
    const text = ['$ kubectl get nodes -o json', ...JSON.stringify(NODE_JSON, null, 4).split('\n'), '$ exit'].join('\n');
    const { cluster, problems } = parseTranscript(text);
    expect(cluster?.nodes).toEqual([{ name: 'rack3-b07', internalIPs: ['192.0.2.77'], podCIDRs: ['10.88.5.0/24'], annotations: NODE_JSON.items[0].metadata.annotations }]);
    expect(problems.some((p) => p.message.startsWith('no command output'))).toBe(false);
  });

  it('reads -o yaml of one node, and a grep of it that kept the annotation line only', () => {
    const yaml = [
      '[ops@bastion-2 ~]$ kubectl get node edge-q4 -o yaml',
      'apiVersion: v1',
      'kind: Node',
      'metadata:',
      '  annotations:',
      `    ${BD}: '{"VNI":7,"VtepMAC":"6e:a1:3f:00:9c:25"}'`,
      `    ${PIP}: 198.51.100.31`,
      '  labels:',
      '    kubernetes.io/hostname: edge-q4',
      '  name: edge-q4',
      'spec:',
      '  podCIDR: 10.61.12.0/24',
      'status:',
      '  addresses:',
      '  - address: 198.51.100.31',
      '    type: InternalIP',
      '  - address: edge-q4',
      '    type: Hostname',
      '[ops@bastion-2 ~]$ kubectl get node edge-q9 -o yaml | grep Vtep',
      `    ${BD}: '{"VNI":7,"VtepMAC":"6e:a1:3f:00:9c:26"}'`,
    ].join('\n');
    const nodes = parseTranscript(yaml).cluster?.nodes ?? [];
    expect(nodes.find((n) => n.name === 'edge-q4')).toEqual({
      name: 'edge-q4',
      internalIPs: ['198.51.100.31'],
      podCIDRs: ['10.61.12.0/24'],
      annotations: { [BD]: '{"VNI":7,"VtepMAC":"6e:a1:3f:00:9c:25"}', [PIP]: '198.51.100.31' },
    });
    expect(nodes.find((n) => n.name === 'edge-q9')?.annotations).toEqual({ [BD]: '{"VNI":7,"VtepMAC":"6e:a1:3f:00:9c:26"}' });
  });

  it('reads the annotations a jq filter kept from -o json, for the node named on the command line', () => {
    const text = ["$ kubectl get node rack3-b07 -o json | jq '.metadata.annotations'", '{', `  "${BD}": "{\\"VNI\\":42,\\"VtepMAC\\":\\"b2:19:0c:7e:44:d2\\"}",`, `  "${PIP}": "192.0.2.78"`, '}'].join(
      '\n',
    );
    expect(parseTranscript(text).cluster?.nodes).toEqual([{ name: 'rack3-b07', internalIPs: [], annotations: { [BD]: '{"VNI":42,"VtepMAC":"b2:19:0c:7e:44:d2"}', [PIP]: '192.0.2.78' } }]);
  });

  it('reads kubectl describe node, joining a wrapped annotation value', () => {
    const text = [
      'kubectl describe node lab-west-3',
      'Name:               lab-west-3',
      'Roles:              <none>',
      'Labels:             kubernetes.io/os=linux',
      `Annotations:        ${BD}: {"VNI":9,"VtepMAC":`,
      '"0a:5c:71:de:20:8f"}',
      `                    ${PIP}: 203.0.113.9`,
      '                    node.alpha.kubernetes.io/ttl: 0',
      'CreationTimestamp:  Mon, 01 Dec 2026 10:00:00 +0000',
      'Addresses:',
      '  InternalIP:  203.0.113.9',
      '  Hostname:    lab-west-3',
      'PodCIDR:                      10.77.3.0/24',
      'PodCIDRs:                     10.77.3.0/24',
    ].join('\n');
    expect(parseTranscript(text).cluster?.nodes).toEqual([
      {
        name: 'lab-west-3',
        internalIPs: ['203.0.113.9'],
        podCIDRs: ['10.77.3.0/24'],
        annotations: { [BD]: '{"VNI":9,"VtepMAC":"0a:5c:71:de:20:8f"}', [PIP]: '203.0.113.9', 'node.alpha.kubernetes.io/ttl': '0' },
      },
    ]);
  });

  it("takes flanneld's lease lines for the node they name, and reports a lease naming none", () => {
    const text = [
      '$ kubectl describe node lab-west-3',
      'Name:               lab-west-3',
      'Addresses:',
      '  InternalIP:  203.0.113.9',
      '$ kubectl -n kube-flannel logs ds/kube-flannel',
      'I1201 10:02:11.123456       1 vxlan_network.go:146] adding subnet: 10.77.3.0/24 PublicIP: 203.0.113.9 VtepMAC: 0a:5c:71:de:20:90',
      'Dec 01 10:02:12 lab-west-1 flanneld[812]: I1201 10:02:12.000001     812 vxlan_network.go:138] adding subnet: 10.77.8.0/24 PublicIP: 203.0.113.44 VtepMAC: 0a:5c:71:de:20:91',
    ].join('\n');
    const { cluster, problems } = parseTranscript(text);
    expect(cluster?.nodes).toEqual([{ name: 'lab-west-3', internalIPs: ['203.0.113.9'], podCIDRs: ['10.77.3.0/24'], annotations: { [BD]: '{"VtepMAC":"0a:5c:71:de:20:90"}', [PIP]: '203.0.113.9' } }]);
    expect(problems.some((p) => p.message.includes('flannel lease 10.77.8.0/24') && p.message.includes('names no node'))).toBe(true);
  });

  it('merges what several pasted files say about one node into the bundle', () => {
    const a = ['$ kubectl get node rack3-b07 -o json', JSON.stringify(NODE_JSON.items[0])].join('\n');
    const b = ['$ kubectl describe node rack3-b07', 'Name: rack3-b07', 'Addresses:', '  InternalIP:  10.9.9.9'].join('\n');
    const { bundle } = importFiles([
      { name: 'a.txt', content: a },
      { name: 'b.txt', content: b },
    ]);
    expect(bundle.cluster?.nodes.map((n) => [n.name, n.internalIPs, n.annotations?.[PIP]])).toEqual([['rack3-b07', ['192.0.2.77', '10.9.9.9'], '192.0.2.77']]);
  });
});

describe('the end of a pasted node object', () => {
  it('ends at prose after a blank line, so output pasted after it is still read by its shape', () => {
    const text = [
      '$ kubectl describe node lab-west-3',
      'Name:               lab-west-3',
      'Addresses:',
      '  InternalIP:  203.0.113.9',
      '',
      'And this is what the routing table on that node shows:',
      'default via 203.0.113.1 dev eth0 proto dhcp metric 100',
      '10.77.3.0/24 dev cni0 proto kernel scope link src 10.77.3.1',
    ].join('\n');
    const { hosts, cluster } = parseTranscript(text);
    expect(cluster?.nodes.map((n) => n.name)).toEqual(['lab-west-3']);
    expect(hosts.flatMap((h) => h.namespaces.flatMap((n) => n.commands.map((c) => c.id)))).toEqual(['ip-route']);
  });

  it('imports a file holding node objects only, without calling it empty', () => {
    const { bundle, problems } = importFiles([{ name: 'node.json', content: ['$ kubectl get node rack3-b07 -o json', JSON.stringify(NODE_JSON.items[0])].join('\n') }]);
    expect(bundle.cluster?.nodes.map((n) => n.name)).toEqual(['rack3-b07']);
    expect(problems).toEqual([]);
  });
});
