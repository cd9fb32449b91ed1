import { onHost } from './host';
import { FABRIC_GATEWAY, UNDERLAY_PREFIX } from './scenarios';
import { UPLINK } from './fabric';
import type { LabHost, OvnWorkerSpec, PeerPodSpec } from './types';

export const OVS_DB_SOCKET = '/run/openvswitch/db.sock';
export const OVN_NB_SOCKET = '/run/ovn/ovnnb_db.sock';
const OVN_SB_SOCKET = '/run/ovn/ovnsb_db.sock';

function ovnDbServer(db: 'nb' | 'sb'): string[] {
  const schemaDb = db === 'nb' ? 'OVN_Northbound,NB_Global' : 'OVN_Southbound,SB_Global';
  return [
    'ovsdb-server',
    `/var/lib/ovn/ovn${db}_db.db`,
    '-vconsole:off',
    `--remote=punix:/run/ovn/ovn${db}_db.sock`,
    `--remote=db:${schemaDb},connections`,
    `--pidfile=/run/ovn/ovn${db}_db.pid`,
    `--unixctl=/run/ovn/ovn${db}_db.ctl`,
    `--log-file=/var/log/ovn/ovsdb-server-${db}.log`,
    '--detach',
  ];
}

/** OVS + a per-node OVN (NB, SB, northd, controller), as OVN-Kubernetes runs it in interconnect mode. */
export async function startOvn(host: LabHost, spec: OvnWorkerSpec): Promise<void> {
  const run = (argv: string[]) => onHost(host, argv);
  await run(['ovsdb-tool', 'create', '/etc/openvswitch/conf.db', '/usr/share/openvswitch/vswitch.ovsschema']);
  await run([
    'ovsdb-server',
    '/etc/openvswitch/conf.db',
    '-vconsole:off',
    `--remote=punix:${OVS_DB_SOCKET}`,
    '--remote=db:Open_vSwitch,Open_vSwitch,manager_options',
    '--pidfile',
    '--detach',
    '--log-file',
  ]);
  await run(['ovs-vsctl', '--no-wait', 'init']);
  await run(['ovs-vswitchd', `unix:${OVS_DB_SOCKET}`, '-vconsole:off', '--pidfile', '--detach', '--log-file']);
  await run([
    'ovs-vsctl',
    'set',
    'open',
    '.',
    `external_ids:system-id=${spec.name}`,
    `external_ids:hostname=${spec.name}`,
    `external_ids:ovn-remote=unix:${OVN_SB_SOCKET}`,
    'external_ids:ovn-encap-type=geneve',
    `external_ids:ovn-encap-ip=${spec.nodeIp}`,
    'external_ids:ovn-bridge=br-int',
    'external_ids:ovn-bridge-datapath-type=netdev',
    'external_ids:ovn-bridge-mappings=physnet:br-ex',
  ]);
  await run(['ovs-vsctl', 'add-br', 'br-int', '--', 'set', 'bridge', 'br-int', 'datapath_type=netdev', 'fail-mode=secure', 'other-config:disable-in-band=true']);
  await run(['ovsdb-tool', 'create', '/var/lib/ovn/ovnnb_db.db', '/usr/share/ovn/ovn-nb.ovsschema']);
  await run(['ovsdb-tool', 'create', '/var/lib/ovn/ovnsb_db.db', '/usr/share/ovn/ovn-sb.ovsschema']);
  await run(ovnDbServer('nb'));
  await run(ovnDbServer('sb'));
  await run(['ovn-nbctl', 'init']);
  await run(['ovn-sbctl', 'init']);
  await run([
    'ovn-northd',
    '-vconsole:off',
    `--ovnnb-db=unix:${OVN_NB_SOCKET}`,
    `--ovnsb-db=unix:${OVN_SB_SOCKET}`,
    '--pidfile=/run/ovn/ovn-northd.pid',
    '--log-file=/var/log/ovn/ovn-northd.log',
    '--detach',
  ]);
  await run(['ovn-controller', `unix:${OVS_DB_SOCKET}`, '-vconsole:off', '--pidfile=/run/ovn/ovn-controller.pid', '--log-file=/var/log/ovn/ovn-controller.log', '--detach']);
}

/**
 * br-ex holds the node IP with the uplink as its port, as OVN-Kubernetes lays it out. On the netdev datapath
 * the kernel still processes frames arriving on the uplink (AF_PACKET port), so an nftables netdev ingress
 * chain drops them on the kernel side; OVS taps them before netfilter and still sees everything.
 */
export async function setupBrEx(host: LabHost, spec: OvnWorkerSpec): Promise<void> {
  await onHost(host, ['ovs-vsctl', 'add-br', 'br-ex', '--', 'set', 'bridge', 'br-ex', 'datapath_type=netdev', '--', 'add-port', 'br-ex', UPLINK]);
  await kernelBlindPort(host, UPLINK);
  await onHost(host, ['ip', 'addr', 'add', `${spec.nodeIp}/${UNDERLAY_PREFIX}`, 'dev', 'br-ex']);
  await onHost(host, ['ip', 'link', 'set', 'br-ex', 'up']);
  await onHost(host, ['ip', 'route', 'add', 'default', 'via', FABRIC_GATEWAY, 'dev', 'br-ex']);
}

const NFT_TABLE = 'ovs-netdev-ports';

export async function kernelBlindPort(host: LabHost, dev: string): Promise<void> {
  await onHost(host, ['nft', 'add', 'table', 'netdev', NFT_TABLE]);
  await onHost(host, ['nft', 'add', 'chain', 'netdev', NFT_TABLE, `port_${dev}`, `{ type filter hook ingress device "${dev}" priority 0; policy drop; }`]);
}

const switchName = (spec: OvnWorkerSpec) => spec.name;
export const mgmtPort = (spec: OvnWorkerSpec) => `k8s-${spec.name}`;
export const podLsp = (pod: PeerPodSpec) => `${pod.k8sNamespace}_${pod.k8sName}`;

export async function setupLogicalNetwork(host: LabHost, spec: OvnWorkerSpec): Promise<void> {
  const ls = switchName(spec);
  await onHost(host, ['ovn-nbctl', 'ls-add', ls, '--', 'set', 'logical_switch', ls, `other_config:subnet=${spec.subnet}`]);
  await onHost(host, ['ovn-nbctl', 'lsp-add', ls, mgmtPort(spec), '--', 'lsp-set-addresses', mgmtPort(spec), `${spec.mp0Mac} ${spec.mp0Ip}`]);
  for (const pod of spec.pods) await addPodLsp(host, spec, pod.mac, pod.ip, podLsp(pod));
  await onHost(host, ['ovs-vsctl', 'add-port', 'br-int', 'ovn-k8s-mp0', '--', 'set', 'interface', 'ovn-k8s-mp0', 'type=internal', 'mtu_request=1400', `external_ids:iface-id=${mgmtPort(spec)}`]);
  await onHost(host, ['ip', 'link', 'set', 'ovn-k8s-mp0', 'address', spec.mp0Mac]);
  await onHost(host, ['ip', 'addr', 'add', `${spec.mp0Ip}/${spec.subnet.split('/')[1]}`, 'dev', 'ovn-k8s-mp0']);
  await onHost(host, ['ip', 'link', 'set', 'ovn-k8s-mp0', 'mtu', '1400', 'up']);
}

export async function addPodLsp(host: LabHost, spec: OvnWorkerSpec, mac: string, ip: string, lsp: string): Promise<void> {
  const addr = `${mac} ${ip}`;
  await onHost(host, ['ovn-nbctl', 'lsp-add', switchName(spec), lsp, '--', 'lsp-set-addresses', lsp, addr, '--', 'lsp-set-port-security', lsp, addr]);
}

/** Adds a pod's host veth to br-int with its iface-id and waits until ovn-controller has bound it. */
export async function attachPodPort(host: LabHost, hostVeth: string, lsp: string): Promise<void> {
  await onHost(host, ['ovs-vsctl', '--may-exist', 'add-port', 'br-int', hostVeth, '--', 'set', 'interface', hostVeth, `external_ids:iface-id=${lsp}`]);
  await waitBound(host, hostVeth);
}

export async function waitBound(host: LabHost, iface: string): Promise<void> {
  await onHost(host, ['ovs-vsctl', '--timeout=20', 'wait-until', 'interface', iface, 'external_ids:ovn-installed=true']);
  await onHost(host, ['ovn-nbctl', '--timeout=20', '--wait=hv', 'sync']);
}
