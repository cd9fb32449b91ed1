/**
 * Findings as people read them: evidence from JSON outputs pretty-printed, the one-line why of an explanation, and
 * element ids said in words (`vxlan0 in podns on podvm-1`). Pure, for the findings panel and the report.
 */

export interface ShownEvidence {
  text: string;
  /** Every line was one JSON value, now printed two spaces to a level. */
  json: boolean;
}

function parsed(line: string): unknown {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

/** JSON lines (one object each, as `ip -j` records are quoted) pretty-printed; any other text as it is. */
export function prettyEvidence(lines: readonly string[]): ShownEvidence {
  const values = lines.map(parsed);
  if (lines.length === 0 || values.some((v) => v === undefined)) return { text: lines.join('\n'), json: false };
  return { text: values.map((v) => JSON.stringify(v, null, 2)).join('\n'), json: true };
}

/** The first sentence of an explanation: what a person reads before deciding to read on. */
export function oneLineWhy(explanation: string): string {
  const text = explanation.trim().split('\n')[0] ?? '';
  // A sentence ends at a full stop followed by a space and a capital, not inside an address or a version.
  const end = /[.!?](?=\s+[A-Z(])/.exec(text);
  return end === null ? text : text.slice(0, end.index + 1);
}

/** A topology element id in words: `vxlan0 in podns on podvm-1`, `br-int on worker-1`, `tunnel vxlan1 ⇄ vxlan0`. */
export function elementWords(id: string): string {
  const edge = /^([a-z-]+):(.+)\|(.+)$/.exec(id);
  if (edge && edge[1] !== 'host' && edge[1] !== 'pod' && edge[1] !== 'segment') {
    return `${edge[1].replace('-', ' ')} ${elementWords(edge[2] ?? '')} ⇄ ${elementWords(edge[3] ?? '')}`;
  }
  const pod = /^pod:([^/]+)\/(.+)$/.exec(id);
  if (pod) return `pod ${pod[2]} (${pod[1]})`;
  const segment = /^segment:(.+)$/.exec(id);
  if (segment) return `segment ${segment[1]}`;
  const parts = /^host:([^/]+)(?:\/ns:([^/]+))?(?:\/(if|ovs):(.+))?$/.exec(id);
  if (!parts) return id;
  const [, host, netns, kind, name] = parts;
  if (name === undefined) return netns === undefined ? `host ${host}` : `namespace ${netns} on ${host}`;
  const device = kind === 'ovs' ? `OVS bridge ${name}` : name;
  return netns === undefined ? `${device} on ${host}` : `${device} in ${netns} on ${host}`;
}
