/**
 * Secrets never enter a capture. The catalog reads network state, but some of it carries credentials next to the
 * data we need: an IPsec tunnel's pre-shared key in OVS interface options (`options:psk`), a token or password
 * in the peer-pod network config or an OVS external id, a pod annotation holding a whole applied manifest. The
 * value of every key that names a secret is replaced by REDACTED where the output is kept (collector, CLI,
 * uploads, the store); the key stays, so a reader still sees that a PSK is set.
 *
 * Only the outputs that can hold such pairs are rewritten (OVS/OVN tables and the peer-pod config); every other
 * output stays byte for byte as the command printed it. public/tunnelscope-collect.sh masks the same pairs with
 * the same patterns before anything is printed.
 */
import { CATALOG } from './catalog';
import type { CaptureBundle, ClusterContext, CommandRecord, HostCapture } from './types';

export const REDACTED = '<redacted>';

/** Key names whose value is a secret. `key` alone is not one: on a tunnel it is the VNI (options:key=flow). */
const SECRET_NAME = '[A-Za-z0-9_.-]*(?:psk|password|passwd|secret|token|private[_-]?key|api[_-]?key|credentials?)';
const JSON_STRING = '"(?:[^"\\\\]|\\\\.)*"';

/** OVSDB map pairs: ["psk","swordfish"]. */
const OVSDB_PAIR = new RegExp(`\\[("${SECRET_NAME}")\\s*,\\s*${JSON_STRING}\\s*\\]`, 'gi');
/** JSON members: "password": "hunter2". */
const JSON_MEMBER = new RegExp(`("${SECRET_NAME}")(\\s*):(\\s*)${JSON_STRING}`, 'gi');
/** ovs-vsctl text maps: {psk=swordfish, remote_ip="10.0.0.2"} and `ovs-vsctl show`'s options lines. */
const TEXT_PAIR = new RegExp(`([{,\\s])(${SECRET_NAME})=(?:${JSON_STRING}|[^,}\\s]*)`, 'gi');

/** Annotations that hold whole objects as applied (env values, inline secrets). */
const WHOLE_OBJECT_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);
const SECRET_KEY = new RegExp(`^${SECRET_NAME}$`, 'i');

const SECRET_BEARING: ReadonlySet<string> = new Set(CATALOG.filter((e) => e.secrets).map((e) => e.id));

/** The text with the value of every secret-named pair replaced; unchanged text is returned as the same string. */
export function redactText(text: string): string {
  const json = text
    .replace(OVSDB_PAIR, (_m, key: string) => `[${key},"${REDACTED}"]`)
    .replace(JSON_MEMBER, (_m, key: string, before: string, after: string) => `${key}${before}:${after}"${REDACTED}"`);
  // key=value is a text form; inside JSON it could only sit within a string, where quotes would break the JSON.
  return /^\s*[[{]\s*["\]{}[]/.test(json) ? json : json.replace(TEXT_PAIR, (_m, lead: string, key: string) => `${lead}${key}="${REDACTED}"`);
}

/** A record whose output could hold secrets, with them masked; any other record as it is. */
export function redactRecord(record: CommandRecord): CommandRecord {
  if (!SECRET_BEARING.has(record.id)) return record;
  const stdout = redactText(record.stdout);
  return stdout === record.stdout ? record : { ...record, stdout };
}

export function redactHost(host: HostCapture): HostCapture {
  let changed = false;
  const namespaces = host.namespaces.map((ns) => {
    const commands = ns.commands.map(redactRecord);
    if (commands.every((c, i) => c === ns.commands[i])) return ns;
    changed = true;
    return { ...ns, commands };
  });
  return changed ? { ...host, namespaces } : host;
}

export function redactCluster(cluster: ClusterContext): ClusterContext {
  const pods = cluster.pods.map((pod) => {
    if (!pod.annotations) return pod;
    const entries = Object.entries(pod.annotations);
    const masked = entries.map(([k, v]): [string, string] => [k, WHOLE_OBJECT_ANNOTATIONS.has(k) || SECRET_KEY.test(k.slice(k.lastIndexOf('/') + 1)) ? REDACTED : v]);
    return masked.some(([, v], i) => v !== entries[i][1]) ? { ...pod, annotations: Object.fromEntries(masked) } : pod;
  });
  return pods.every((p, i) => p === cluster.pods[i]) ? cluster : { ...cluster, pods };
}

/** The bundle without secrets; the same object when it held none. Applying it twice changes nothing more. */
export function redactBundle(bundle: CaptureBundle): CaptureBundle {
  const hosts = bundle.hosts.map(redactHost);
  const cluster = bundle.cluster && redactCluster(bundle.cluster);
  if (hosts.every((h, i) => h === bundle.hosts[i]) && cluster === bundle.cluster) return bundle;
  return { ...bundle, hosts, ...(cluster ? { cluster } : {}) };
}
