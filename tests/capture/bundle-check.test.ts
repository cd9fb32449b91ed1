import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUNDLE_LIMITS, captureBundleSchema, parseBundle } from '@/lib/capture/bundle/bundle';
import { isExactHost } from '@/lib/capture/bundle/bundle-check';
import { SAMPLE_BUNDLE_PATH } from '@/lib/sources/files';

type Json = Record<string, unknown>;

const sample = JSON.parse(readFileSync(SAMPLE_BUNDLE_PATH, 'utf8')) as Json;

/** A small real bundle: the sample's first host with its first namespace cut to three records. */
function base(): Json {
  const copy = structuredClone(sample) as { hosts: { namespaces: { commands: unknown[] }[] }[] };
  const host = copy.hosts[0];
  host.namespaces = host.namespaces.slice(0, 1);
  host.namespaces[0].commands = host.namespaces[0].commands.slice(0, 3);
  return { ...copy, hosts: [host] };
}

type Mutation = [name: string, change: (b: { hosts: Json[] }) => void];
const host = (b: { hosts: Json[] }) => b.hosts[0];
const ns = (b: { hosts: Json[] }) => (host(b).namespaces as Json[])[0];
const rec = (b: { hosts: Json[] }) => (ns(b).commands as Json[])[0];

const MUTATIONS: Mutation[] = [
  ['unchanged', () => {}],
  ['params with a value', (b) => void (rec(b).params = { dev: 'eth0' })],
  ['truncated flag', (b) => void (rec(b).truncated = true)],
  ['exit code null', (b) => void (rec(b).exitCode = null)],
  ['host error text', (b) => void (host(b).error = 'ssh: timed out')],
  ['root namespace named', (b) => void (ns(b).netns = 'podns')],
  ['extra key on a record', (b) => void (rec(b).extra = 1)],
  ['extra key on a host', (b) => void (host(b).extra = 'x')],
  ['extra key on a namespace', (b) => void (ns(b).extra = [])],
  ['unknown command id', (b) => void (rec(b).id = 'rm-rf')],
  ['argv not strings', (b) => void (rec(b).argv = ['ip', 3])],
  ['argv too long', (b) => void (rec(b).argv = Array.from({ length: BUNDLE_LIMITS.argvItems + 1 }, () => 'x'))],
  ['argument too long', (b) => void (rec(b).argv = ['x'.repeat(BUNDLE_LIMITS.argChars + 1)])],
  ['params key too long', (b) => void (rec(b).params = { ['k'.repeat(257)]: 'v' })],
  ['params value not text', (b) => void (rec(b).params = { dev: 1 })],
  ['params an array', (b) => void (rec(b).params = ['dev'])],
  ['stdout missing', (b) => void delete rec(b).stdout],
  ['stdout too long', (b) => void (rec(b).stdout = 'x'.repeat(BUNDLE_LIMITS.stdoutChars + 1))],
  ['stderr not text', (b) => void (rec(b).stderr = null)],
  ['exit code fractional', (b) => void (rec(b).exitCode = 1.5)],
  ['exit code text', (b) => void (rec(b).exitCode = '0')],
  ['duration negative', (b) => void (rec(b).durationMs = -1)],
  ['duration infinite', (b) => void (rec(b).durationMs = Infinity)],
  ['status unknown', (b) => void (rec(b).status = 'fine')],
  ['format unknown', (b) => void (rec(b).format = 'yaml')],
  ['truncated not boolean', (b) => void (rec(b).truncated = 'yes')],
  ['record not an object', (b) => void ((ns(b).commands as unknown[])[0] = 'ip link')],
  ['netns a number', (b) => void (ns(b).netns = 5)],
  ['netns name too long', (b) => void (ns(b).netns = 'n'.repeat(BUNDLE_LIMITS.nameChars + 1))],
  ['commands not a list', (b) => void (ns(b).commands = {})],
  ['host name missing', (b) => void delete host(b).name],
  ['host role unknown', (b) => void (host(b).role = 'router')],
  ['host status unknown', (b) => void (host(b).status = 'ok')],
  ['collectedAt too long', (b) => void (host(b).collectedAt = 'x'.repeat(65))],
  ['namespaces not a list', (b) => void (host(b).namespaces = null)],
  ['host not an object', (b) => void (b.hosts[0] = 'w1' as unknown as Json)],
  ['source kind unknown', (b) => void ((b as unknown as Json).source = { kind: 'email' })],
  ['cluster with pods', (b) => void ((b as unknown as Json).cluster = { nodes: [], pods: [{ namespace: 'a', name: 'p', extra: 1 }] })],
];

describe('the in-place host check', () => {
  it('accepts every host of a real capture as it is', () => {
    expect((sample.hosts as unknown[]).every(isExactHost)).toBe(true);
  });

  it.each(MUTATIONS)('gives the same answer and the same bundle as the schema alone: %s', (_name, change) => {
    const bundle = base();
    change(bundle as { hosts: Json[] });
    const bySchema = captureBundleSchema.safeParse(structuredClone(bundle));
    const result = parseBundle(bundle);
    expect(result.ok).toBe(bySchema.success);
    if (result.ok && bySchema.success) expect(result.bundle).toEqual(bySchema.data);
    // Whatever the check accepts, the schema accepts unchanged: it may be stricter, never looser.
    if ((bundle.hosts as unknown[]).every(isExactHost) && bySchema.success) expect(bySchema.data.hosts).toEqual(bundle.hosts);
    if ((bundle.hosts as unknown[]).every(isExactHost)) expect(captureBundleSchema.shape.hosts.safeParse(bundle.hosts).success).toBe(true);
  });

  it('returns the bundle uncopied when it is exact, and a stripped copy when it carries unknown keys', () => {
    const exact = base();
    const accepted = parseBundle(exact);
    expect(accepted.ok && accepted.bundle.hosts[0]).toBe((exact.hosts as unknown[])[0]);
    const extra = base();
    rec(extra as { hosts: Json[] }).note = 'kept out';
    const stripped = parseBundle(extra);
    expect(stripped.ok && 'note' in stripped.bundle.hosts[0].namespaces[0].commands[0]).toBe(false);
  });
});
