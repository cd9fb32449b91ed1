import { access, constants } from 'node:fs/promises';
import path from 'node:path';

/** Binaries the lab runs, and the Debian package that ships each. */
const BINARIES: [string, string][] = [
  ['ip', 'iproute2'],
  ['tc', 'iproute2'],
  ['bridge', 'iproute2'],
  ['nsenter', 'util-linux'],
  ['unshare', 'util-linux'],
  ['findmnt', 'util-linux'],
  ['mountpoint', 'util-linux'],
  ['ovsdb-server', 'openvswitch-switch'],
  ['ovs-vswitchd', 'openvswitch-switch'],
  ['ovs-vsctl', 'openvswitch-common'],
  ['ovsdb-tool', 'openvswitch-common'],
  ['ovn-northd', 'ovn-central'],
  ['ovn-nbctl', 'ovn-common'],
  ['ovn-sbctl', 'ovn-common'],
  ['ovn-controller', 'ovn-host'],
  ['ethtool', 'ethtool'],
  ['nft', 'nftables'],
  ['iptables', 'iptables'],
  ['ping', 'iputils-ping'],
  ['tcpdump', 'tcpdump'],
];

const SCHEMAS: [string, string][] = [
  ['/usr/share/openvswitch/vswitch.ovsschema', 'openvswitch-common'],
  ['/usr/share/ovn/ovn-nb.ovsschema', 'ovn-common'],
  ['/usr/share/ovn/ovn-sb.ovsschema', 'ovn-common'],
];

async function onPath(bin: string): Promise<boolean> {
  // Only PATH counts: the lab runs its commands through PATH, so a binary outside it is as good as missing.
  const dirs = (process.env.PATH ?? '').split(':').filter((d) => d !== '');
  for (const d of dirs) {
    try {
      await access(path.join(d, bin), constants.X_OK);
      return true;
    } catch {
      /* try the next directory */
    }
  }
  return false;
}

export async function labPrerequisites(): Promise<{ ok: boolean; missing: string[]; hint: string }> {
  const missing: string[] = [];
  const packages = new Set<string>();
  if (typeof process.getuid === 'function' && process.getuid() !== 0) missing.push('root (network namespaces and mounts need it)');
  for (const [bin, pkg] of BINARIES) {
    if (!(await onPath(bin))) {
      missing.push(bin);
      packages.add(pkg);
    }
  }
  for (const [file, pkg] of SCHEMAS) {
    if (
      !(await access(file).then(
        () => true,
        () => false,
      ))
    ) {
      missing.push(file);
      packages.add(pkg);
    }
  }
  const hints: string[] = [];
  if (packages.size) hints.push(`apt-get install -y ${[...packages].sort().join(' ')}`);
  if (missing.some((m) => m.startsWith('root'))) hints.push('run as root (sudo)');
  return { ok: missing.length === 0, missing, hint: hints.join('; ') };
}
