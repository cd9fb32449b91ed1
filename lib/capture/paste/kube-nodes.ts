/**
 * Node objects as pasted (`kubectl get node -o json|yaml`, `kubectl describe node`) and flanneld's lease log lines:
 * what each node publishes for the others (annotations), its InternalIPs and pod CIDRs, for the cluster context of an
 * imported paste.
 */
import type { ClusterNode } from '../types';

export type NodesForm = 'json' | 'yaml' | 'describe';

const NODE_RESOURCE = /^(?:nodes?|no)(?:\/([\w.-]+))?$/;

/** The words after kubectl in `get node[s] [NAME] -o json|yaml` / `describe node[s] [NAME]`: the form, and the node named. */
export function kubeNodesCommand(words: readonly string[]): { form: NodesForm; name?: string } | null {
  const plain: string[] = [];
  let output: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const inline = /^(?:-o|--output)=?(.+)$/.exec(w);
    if (w === '-o' || w === '--output') output = words[++i];
    else if (inline) output = inline[1];
    else if (!w.startsWith('-')) plain.push(w);
  }
  const [verb, resource, name] = plain;
  const typed = NODE_RESOURCE.exec(resource ?? '');
  if (!typed) return null;
  const named = typed[1] ?? name;
  if (verb === 'describe') return { form: 'describe', ...(named !== undefined ? { name: named } : {}) };
  if (verb !== 'get' || (output !== 'json' && output !== 'yaml')) return null;
  return { form: output, ...(named !== undefined ? { name: named } : {}) };
}

interface Building {
  name?: string;
  internalIPs: string[];
  podCIDRs: string[];
  annotations: Record<string, string>;
}

function finish(nodes: Building[]): ClusterNode[] {
  return nodes.flatMap((n) =>
    n.name === undefined
      ? []
      : [
          {
            name: n.name,
            internalIPs: [...new Set(n.internalIPs)],
            ...(n.podCIDRs.length > 0 ? { podCIDRs: [...new Set(n.podCIDRs)] } : {}),
            ...(Object.keys(n.annotations).length > 0 ? { annotations: n.annotations } : {}),
          },
        ],
  );
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];
}

/** The longest head of the lines that parses as JSON: prose or a prompt may follow the object. */
function parseJsonHead(lines: readonly string[]): unknown {
  for (let end = lines.length; end > 0; end--) {
    const last = lines[end - 1].trim();
    if (last !== '}' && last !== ']' && !last.endsWith('}')) continue;
    try {
      return JSON.parse(lines.slice(0, end).join('\n'));
    } catch {
      // a shorter head may still be the whole object
    }
  }
  return undefined;
}

/** A node object or a List, or (`… -o json | jq .metadata.annotations`) the annotations of the node named on the command line. */
function fromJson(lines: readonly string[], named: string | undefined): Building[] {
  const doc = record(parseJsonHead(lines));
  const entries = Object.entries(doc);
  if (named !== undefined && entries.length > 0 && entries.every(([k, v]) => k.includes('/') && typeof v === 'string')) {
    return [{ name: named, internalIPs: [], podCIDRs: [], annotations: Object.fromEntries(entries) as Record<string, string> }];
  }
  const items = doc.kind === 'List' || doc.kind === 'NodeList' ? (Array.isArray(doc.items) ? doc.items : []) : [doc];
  return items.map(record).flatMap((item): Building[] => {
    const meta = record(item.metadata);
    if (typeof meta.name !== 'string' || (item.kind !== undefined && item.kind !== 'Node')) return [];
    const spec = record(item.spec);
    const addresses = Array.isArray(record(item.status).addresses) ? (record(item.status).addresses as unknown[]) : [];
    const annotations = Object.fromEntries(Object.entries(record(meta.annotations)).filter((e): e is [string, string] => typeof e[1] === 'string'));
    return [
      {
        name: meta.name,
        internalIPs: addresses.map(record).flatMap((a) => (a.type === 'InternalIP' && typeof a.address === 'string' ? [a.address] : [])),
        podCIDRs: [...strings(spec.podCIDRs), ...strings(spec.podCIDR)],
        annotations,
      },
    ];
  });
}

/** A YAML scalar as kubectl prints it: plain, 'single' (with '' for a quote) or "double" (JSON escapes). */
function yamlScalar(text: string): string {
  const t = text.trim();
  if (t.startsWith("'") && t.endsWith("'") && t.length >= 2) return t.slice(1, -1).replace(/''/g, "'");
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) {
    try {
      const parsed: unknown = JSON.parse(t);
      return typeof parsed === 'string' ? parsed : t;
    } catch {
      return t.slice(1, -1);
    }
  }
  return t;
}

const ANNOTATION_LINE = /^(\s*)([\w.-]+(?:\/[\w.-]+)?):\s+(\S.*)$/;

/**
 * kubectl's YAML of a node or a List, read by indentation for the keys that matter here (no YAML library in the
 * project): also a `| grep` of it that kept only annotation lines, for the node named on the command line.
 */
function fromYaml(lines: readonly string[], named: string | undefined): Building[] {
  const nodes: Building[] = [];
  let cur: Building = { internalIPs: [], podCIDRs: [], annotations: {}, ...(named !== undefined ? { name: named } : {}) };
  let metaIndent = -1;
  let annIndent = -1;
  let address: string | undefined;
  let internal = false;
  for (const line of lines) {
    const indent = /^\s*/.exec(line)?.[0].length ?? 0;
    const body = line.trim().replace(/^- /, '');
    if (/^apiVersion:/.test(body) && (cur.name !== named || Object.keys(cur.annotations).length > 0)) {
      nodes.push(cur);
      cur = { internalIPs: [], podCIDRs: [], annotations: {} };
      metaIndent = -1;
      annIndent = -1;
    }
    if (annIndent >= 0 && indent > annIndent) {
      const m = ANNOTATION_LINE.exec(line);
      if (m) cur.annotations[m[2]] = yamlScalar(m[3]);
      continue;
    }
    annIndent = -1;
    if (body === 'metadata:') metaIndent = indent;
    else if (body === 'annotations:') annIndent = indent;
    else if (metaIndent >= 0 && indent === metaIndent + 2 && /^name:\s/.test(body) && cur.name === undefined) cur.name = yamlScalar(body.slice(5));
    else if (/^podCIDR:\s/.test(body)) cur.podCIDRs.push(yamlScalar(body.slice(8)));
    else if (/^- \d[\d.]*\/\d+$/.test(line.trim()) && /^\s*- /.test(line)) cur.podCIDRs.push(line.trim().slice(2));
    else if (line.trim().startsWith('- ') && /^(?:address|type):\s/.test(body)) {
      address = undefined;
      internal = false;
    }
    if (/^address:\s/.test(body)) address = yamlScalar(body.slice(8));
    if (/^type:\s+InternalIP$/.test(body)) internal = true;
    if (address !== undefined && internal) {
      cur.internalIPs.push(address);
      address = undefined;
      internal = false;
    }
    // `kubectl get node X -o yaml | grep Vtep`: the annotation line alone, indented as it was.
    const lone = ANNOTATION_LINE.exec(line);
    if (lone && lone[2].includes('/') && annIndent < 0 && metaIndent < 0) cur.annotations[lone[2]] = yamlScalar(lone[3]);
  }
  nodes.push(cur);
  return nodes;
}

/** `kubectl describe node`: `Name:`, the `Annotations:` block (continuation lines, wrapped values), `Addresses:`, `PodCIDRs:`. */
function fromDescribe(lines: readonly string[], named: string | undefined): Building[] {
  const nodes: Building[] = [];
  let cur: Building | undefined;
  let section = '';
  let lastKey: string | undefined;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const top = /^([A-Z][\w ]*):\s*(.*)$/.exec(line);
    if (top) {
      section = top[1];
      lastKey = undefined;
      if (section === 'Name') {
        cur = { name: top[2].trim(), internalIPs: [], podCIDRs: [], annotations: {} };
        nodes.push(cur);
        continue;
      }
    }
    if (!cur) {
      cur = { internalIPs: [], podCIDRs: [], annotations: {}, ...(named !== undefined ? { name: named } : {}) };
      nodes.push(cur);
    }
    const value = top ? top[2] : line.trim();
    if (section === 'Annotations') {
      const kv = /^([\w.-]+(?:\/[\w.-]+)?):\s*(.*)$/.exec(value);
      if (kv && (kv[1].includes('/') || lastKey === undefined)) {
        lastKey = kv[1];
        cur.annotations[lastKey] = kv[2];
      } else if (lastKey !== undefined && value !== '' && value !== '<none>') cur.annotations[lastKey] += value;
    } else if (section === 'Addresses') {
      const ip = /^InternalIP:\s+(\S+)$/.exec(value);
      if (ip) cur.internalIPs.push(ip[1]);
    } else if ((section === 'PodCIDR' || section === 'PodCIDRs') && value !== '') {
      cur.podCIDRs.push(...value.split(',').map((c) => c.trim()));
    }
  }
  return nodes;
}

/** The nodes one pasted `kubectl get node`/`describe node` output holds. */
export function readKubeNodes(form: NodesForm, name: string | undefined, lines: readonly string[]): ClusterNode[] {
  if (form === 'json') return finish(fromJson(lines, name));
  return finish(form === 'yaml' ? fromYaml(lines, name) : fromDescribe(lines, name));
}

/** What flanneld logged about one lease: the subnet, where it is reached, and its VTEP's MAC. */
export interface FlannelLease {
  subnet: string;
  publicIp: string;
  mac: string;
}

/** `vxlan_network.go:…] adding subnet: 10.x.y.0/24 PublicIP: 192.0.2.7 VtepMAC: 5a:…` (also `Adding`, klog or logrus prefixes). */
const LEASE_LINE = /\b[Aa]dding subnet: (\d+\.\d+\.\d+\.\d+\/\d+) PublicIP: (\d+\.\d+\.\d+\.\d+) VtepMAC: ((?:[0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2})\b/;

export function flannelLease(line: string): FlannelLease | null {
  const m = LEASE_LINE.exec(line);
  return m ? { subnet: m[1], publicIp: m[2], mac: m[3] } : null;
}

/** Nodes with the same name from several outputs: annotations, addresses and CIDRs together, later values winning. */
export function mergeNodes(nodes: readonly ClusterNode[]): ClusterNode[] {
  const byName = new Map<string, ClusterNode>();
  for (const n of nodes) {
    const had = byName.get(n.name);
    if (!had) {
      byName.set(n.name, n);
      continue;
    }
    const podCIDRs = [...new Set([...(had.podCIDRs ?? []), ...(n.podCIDRs ?? [])])];
    const annotations = { ...had.annotations, ...n.annotations };
    byName.set(n.name, {
      ...had,
      ...n,
      internalIPs: [...new Set([...had.internalIPs, ...n.internalIPs])],
      ...(podCIDRs.length > 0 ? { podCIDRs } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    });
  }
  return [...byName.values()];
}
