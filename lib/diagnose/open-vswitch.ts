/**
 * The Open_vSwitch table (one row per host: external_ids such as system-id and ovn-encap-ip, ovs_version). The
 * parser keeps its values without source lines, so evidence restates each value as `ovs-vsctl get` prints it.
 */
import type { HostState } from '@/lib/parse/types';
import type { Evidence } from './types';

/** ovs-vsctl prints a string bare when it is an identifier, else JSON-quoted (ovsdb string_needs_quotes). */
function ovsdbString(value: string): string {
  const bare = /^[A-Za-z_][A-Za-z0-9_]*$/.test(value) && value !== 'true' && value !== 'false';
  return bare ? value : JSON.stringify(value);
}

/** `column` is e.g. "external_ids:system-id" or "ovs_version". */
export function openVswitchEvidence(host: HostState, column: string, value: string): Evidence {
  return { host: host.name, netns: null, command: `ovs-vsctl get Open_vSwitch . ${column}`, lines: [ovsdbString(value)] };
}

export function externalIdEvidence(host: HostState, key: string): Evidence[] {
  const value = host.ovs?.externalIds[key];
  return value === undefined ? [] : [openVswitchEvidence(host, `external_ids:${key}`, value)];
}

/** ovn-encap-ip may list several addresses, comma-separated (multiple encap IPs per chassis). */
export function encapIps(host: HostState): string[] {
  const value = host.ovs?.externalIds['ovn-encap-ip'];
  return value === undefined
    ? []
    : value
        .split(',')
        .map((ip) => ip.trim())
        .filter((ip) => ip !== '');
}
