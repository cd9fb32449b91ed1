import { describe, expect, it } from 'vitest';
import type { ClusterContext } from '@/lib/capture/types';
import { buildTopology } from '@/lib/topology/build';
import { rule } from './builders';
import { peerPodOvnNetdev } from './fixtures';

/** The peer pod of the fixture: its IP is held by the worker's lv-wpod and the pod VM's lv-vmpod. */
function cluster(name: string, namespace = 'shop'): ClusterContext {
  return { name: 'prod', nodes: [], pods: [{ namespace, name, ip: '10.132.2.46', nodeName: 'worker', runtimeClassName: 'kata-remote' }] };
}

describe('fixes name the pod that owns the namespace', () => {
  it('deletes the peer pod by name when the cluster context knows it', () => {
    const hosts = peerPodOvnNetdev({ links: { 'podvm/lv-vmpod/vxlan0': { vxlan: { vni: 555006, remote: '192.168.10.163', port: 4789 } } } });
    const [f] = rule('peerpod-vni-or-port-mismatch').run(buildTopology(hosts, cluster('web-7c9')));
    expect(f?.fix?.at(-1)).toBe('kubectl delete pod web-7c9 --namespace shop');
  });

  it('names the pod of an unpaired worker tunnel too', () => {
    const hosts = peerPodOvnNetdev({ drop: ['podvm/lv-vmpod/vxlan0'] });
    const [f] = rule('tunnel-unpaired').run(buildTopology(hosts, cluster('web-7c9')));
    expect(f?.fix?.at(-1)).toBe('kubectl delete pod web-7c9 --namespace shop');
  });

  it('quotes a name a shell would split, and selects the pod by the IP the capture holds without cluster context', () => {
    const hosts = peerPodOvnNetdev({ drop: ['podvm/lv-vmpod/vxlan0'] });
    const [quoted] = rule('tunnel-unpaired').run(buildTopology(hosts, cluster("web$(id)'x", 'a b')));
    expect(quoted?.fix?.at(-1)).toBe(`kubectl delete pod 'web$(id)'\\''x' --namespace 'a b'`);
    const [plain] = rule('tunnel-unpaired').run(buildTopology(hosts));
    expect(plain?.fix?.slice(-2)).toEqual(['kubectl get pods -A -o wide --field-selector status.podIP=10.132.2.46', 'kubectl delete pods -A --field-selector status.podIP=10.132.2.46']);
  });
});
