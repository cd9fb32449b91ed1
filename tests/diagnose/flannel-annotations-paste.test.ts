/**
 * flannel's published facts reaching the rule from a paste alone (no cluster access): `kubectl get node -o yaml`,
 * `kubectl describe node` and flanneld's lease log lines, against the VTEP as captured and other nodes' `arp -an`.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '@/lib/analyze';
import { importFiles } from '@/lib/capture/import';

function vtep(host: string, mac: string): string[] {
  return [
    `root@${host}:~# ip -d link show`,
    '2: enp1s0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000',
    '    link/ether 52:54:00:6b:0d:11 brd ff:ff:ff:ff:ff:ff',
    '5: flannel.17: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN mode DEFAULT group default',
    `    link/ether ${mac} brd ff:ff:ff:ff:ff:ff`,
    '    vxlan id 17 local 198.18.4.21 dev enp1s0 srcport 0 0 dstport 8472 nolearning ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx',
    `root@${host}:~# ip addr show`,
    '2: enp1s0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000',
    '    link/ether 52:54:00:6b:0d:11 brd ff:ff:ff:ff:ff:ff',
    '    inet 198.18.4.21/24 brd 198.18.4.255 scope global enp1s0',
    '5: flannel.17: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN group default',
    `    link/ether ${mac} brd ff:ff:ff:ff:ff:ff`,
    '    inet 10.212.6.0/32 scope global flannel.17',
  ];
}

function annotationGrep(node: string, mac: string): string[] {
  return [`$ kubectl get node ${node} -o yaml | grep Vtep`, `    flannel.alpha.coreos.com/backend-data: '{"VNI":17,"VtepMAC":"${mac}"}'`];
}

function findings(...lines: string[][]) {
  const { bundle } = importFiles([{ name: 'issue-paste.txt', content: lines.flat().join('\n') }]);
  return analyze(bundle).findings.filter((f) => f.rule === 'flannel-annotation-mismatch');
}

/** A node described with no VTEP captured, and another node's ARP table holding an entry for that node's VTEP. */
function describedPeer(publishedMac: string): string[] {
  return [
    '$ kubectl describe node gpu-east-12',
    'Name:               gpu-east-12',
    `Annotations:        flannel.alpha.coreos.com/backend-data: {"VNI":17,"VtepMAC":"${publishedMac}"}`,
    '                    flannel.alpha.coreos.com/public-ip: 198.18.4.22',
    'Addresses:',
    '  InternalIP:  198.18.4.22',
    'PodCIDR:                      10.212.9.0/24',
  ];
}
const ARP_ON_OTHER = ['root@gpu-east-11:~# arp -an', '? (10.212.9.0) at d6:0e:44:81:a9:3b [ether] PERM on flannel.17', '? (198.18.4.1) at 52:54:00:00:00:01 [ether] on enp1s0'];

describe('flannel annotations pasted as kubectl output', () => {
  it("finds a node's annotation that differs from its flannel VTEP as captured, and is silent when they agree", () => {
    const wrong = findings(vtep('gpu-east-11', 'd6:0e:44:81:a9:10'), annotationGrep('gpu-east-11', 'd6:0e:44:81:a9:99'));
    expect(wrong.map((f) => f.title)).toEqual(['Node gpu-east-11 publishes VtepMAC d6:0e:44:81:a9:99 while flannel.17 has d6:0e:44:81:a9:10']);
    expect(wrong[0]?.fix?.[0]).toBe(`kubectl annotate node gpu-east-11 --overwrite 'flannel.alpha.coreos.com/backend-data={"VNI":17,"VtepMAC":"d6:0e:44:81:a9:10"}'`);
    expect(findings(vtep('gpu-east-11', 'd6:0e:44:81:a9:10'), annotationGrep('gpu-east-11', 'd6:0e:44:81:a9:10'))).toEqual([]);
  });

  it("finds another node's arp -an entry that differs from the described node's annotation, and is silent when they agree", () => {
    const wrong = findings(vtep('gpu-east-11', 'd6:0e:44:81:a9:10'), ARP_ON_OTHER, describedPeer('d6:0e:44:81:a9:3c'));
    expect(wrong.map((f) => f.title)).toEqual(["gpu-east-11 resolves gpu-east-12's VTEP 10.212.9.0 to d6:0e:44:81:a9:3b, but gpu-east-12 publishes VtepMAC d6:0e:44:81:a9:3c"]);
    expect(wrong[0]?.fix).toContain('ip neigh replace 10.212.9.0 lladdr d6:0e:44:81:a9:3c dev flannel.17 nud permanent');
    expect(findings(vtep('gpu-east-11', 'd6:0e:44:81:a9:10'), ARP_ON_OTHER, describedPeer('d6:0e:44:81:a9:3b'))).toEqual([]);
  });

  it("takes flanneld's lease line as the node's published MAC", () => {
    const log = (mac: string) => [
      '$ kubectl -n kube-flannel logs kube-flannel-ds-8fk2p',
      `I1201 09:14:03.551023       1 vxlan_network.go:146] adding subnet: 10.212.9.0/24 PublicIP: 198.18.4.22 VtepMAC: ${mac}`,
    ];
    const node = ['$ kubectl describe node gpu-east-12', 'Name:               gpu-east-12', 'Addresses:', '  InternalIP:  198.18.4.22'];
    const wrong = findings(vtep('gpu-east-11', 'd6:0e:44:81:a9:10'), ARP_ON_OTHER, node, log('d6:0e:44:81:a9:3c'));
    expect(wrong.map((f) => f.title)).toEqual(["gpu-east-11 resolves gpu-east-12's VTEP 10.212.9.0 to d6:0e:44:81:a9:3b, but gpu-east-12 publishes VtepMAC d6:0e:44:81:a9:3c"]);
    expect(findings(vtep('gpu-east-11', 'd6:0e:44:81:a9:10'), ARP_ON_OTHER, node, log('d6:0e:44:81:a9:3b'))).toEqual([]);
  });
});
