import { z } from 'zod/v4';
import { CATALOG } from '../catalog';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleEnvelope, type CaptureBundle, type CommandId, type HostCapture } from '../types';
import { BUNDLE_LIMITS, tooManyHostsMessage } from './limits';
import { isExactHost } from './bundle-check';
import { RECORDED_KINDS } from '../source-kinds';

export { BUNDLE_LIMITS };

/** What a bundle's `source.kind` may hold. */
export const recordedKindSchema = z.enum(RECORDED_KINDS);

const commandIds = CATALOG.map((e) => e.id) as [CommandId, ...CommandId[]];

const shortString = (max: number) => z.string().max(max, { message: `string longer than ${max} characters` });
const name = shortString(BUNDLE_LIMITS.nameChars);
const isoDate = shortString(64);
const stringMap = z.record(shortString(BUNDLE_LIMITS.argChars), shortString(64 * 1024));

const commandRecord = z.object({
  id: z.enum(commandIds),
  argv: z.array(shortString(BUNDLE_LIMITS.argChars)).max(BUNDLE_LIMITS.argvItems),
  params: z.record(shortString(256), shortString(BUNDLE_LIMITS.argChars)).optional(),
  stdout: shortString(BUNDLE_LIMITS.stdoutChars),
  stderr: shortString(BUNDLE_LIMITS.stderrChars),
  exitCode: z.number().refine(Number.isInteger, { message: 'Expected integer, received float' }).nullable(),
  durationMs: z.number().nonnegative(),
  status: z.enum(['ok', 'error', 'missing-tool', 'timeout']),
  format: z.enum(['json', 'text']),
  truncated: z.boolean().optional(),
});

const namespaceCapture = z.object({
  netns: name.nullable(),
  commands: z.array(commandRecord).max(BUNDLE_LIMITS.commandsPerNamespace),
});

const podVmWay = z.enum(['ssh', 'exec', 'upload']);

const hostCapture = z.object({
  name,
  role: z.enum(['worker', 'podvm', 'node', 'unknown']),
  collectedAt: isoDate,
  status: z.enum(['complete', 'partial', 'failed']),
  error: shortString(BUNDLE_LIMITS.stderrChars).optional(),
  namespaces: z.array(namespaceCapture).max(BUNDLE_LIMITS.namespacesPerHost),
  podVm: z
    .object({
      pod: z.object({ namespace: name, name }).optional(),
      via: podVmWay.optional(),
      skipped: z.array(z.object({ way: podVmWay, reason: shortString(BUNDLE_LIMITS.stderrChars) })).max(8),
      hostKeyUnchecked: z.boolean().optional(),
    })
    .optional(),
});

const clusterContext = z.object({
  name: name.optional(),
  nodes: z.array(
    z.object({
      name,
      internalIPs: z.array(shortString(64)),
      podCIDRs: z.array(shortString(64)).optional(),
      os: shortString(256).optional(),
      kernel: shortString(256).optional(),
      cni: z.enum(['ovn-kubernetes', 'cilium', 'flannel', 'calico', 'antrea', 'kube-ovn']).optional(),
      annotations: stringMap.optional(),
    }),
  ),
  pods: z.array(
    z.object({
      namespace: name,
      name,
      ip: shortString(64).optional(),
      ips: z.array(shortString(64)).optional(),
      nodeName: name.optional(),
      runtimeClassName: name.optional(),
      annotations: stringMap.optional(),
    }),
  ),
  peerPodRuntimeClass: name.optional(),
});

export const captureBundleSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  createdAt: isoDate,
  source: z.object({
    kind: recordedKindSchema,
    detail: shortString(BUNDLE_LIMITS.argChars).optional(),
  }),
  hosts: z.array(hostCapture).max(BUNDLE_LIMITS.hosts),
  cluster: clusterContext.optional(),
});

/** Type names as issue messages have always printed them. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'nan';
  return typeof value;
}

function listed(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(' | ');
}

/** Issue messages worded as users of this format have always seen them. */
const issueMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'Required' : `Expected ${issue.expected}, received ${typeName(issue.input)}`;
    case 'invalid_value':
      if (issue.input === undefined) return 'Required';
      return typeof issue.input === 'string'
        ? `Invalid enum value. Expected ${listed(issue.values)}, received '${issue.input}'`
        : `Expected ${listed(issue.values)}, received ${typeName(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'number') return `Number must be ${issue.inclusive ? 'greater than or equal to' : 'greater than'} ${String(issue.minimum)}`;
      if (issue.origin === 'array') return `Array must contain ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)} element(s)`;
      return undefined;
    case 'too_big':
      if (issue.origin === 'number') return `Number must be ${issue.inclusive ? 'less than or equal to' : 'less than'} ${String(issue.maximum)}`;
      if (issue.origin === 'array') return `Array must contain ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)} element(s)`;
      return undefined;
    case 'invalid_key':
      return issue.issues[0]?.message;
    default:
      return undefined;
  }
};

export type ParseBundleResult =
  | { ok: true; bundle: CaptureBundle }
  /** `tooManyHosts`: refused for its size, not its form; checked before anything else, so the message says only that. */
  | { ok: false; error: string; tooManyHosts?: { limit: number; hosts: number } };

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), '');
}

/** Up to five issues, each with the path where the schema found it, as one line. */
function invalid(issues: readonly z.core.$ZodIssue[], at: PropertyKey[] = []): string {
  const shown = issues.slice(0, 5).map((i) => `${formatPath([...at, ...i.path]) || '(root)'}: ${i.message}`);
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  return `invalid capture bundle: ${shown.join('; ')}${more}`;
}

export function envelopeError(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'not a Tunnelscope capture bundle: expected a JSON object';
  }
  const record = value as Record<string, unknown>;
  if (record.format !== BUNDLE_FORMAT) {
    const got = record.format === undefined ? 'no "format" field' : `format ${JSON.stringify(record.format).slice(0, 80)}`;
    return `not a Tunnelscope capture bundle: ${got}, expected format "${BUNDLE_FORMAT}"`;
  }
  if (record.version !== BUNDLE_VERSION) {
    const got = JSON.stringify(record.version ?? null).slice(0, 40);
    return `unsupported capture bundle version ${got}: this Tunnelscope reads version ${BUNDLE_VERSION}`;
  }
  return null;
}

/** Validates a bundle given as JSON text or as an already parsed value. Never throws. */
export function parseBundle(input: unknown): ParseBundleResult {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      return { ok: false, error: `capture bundle is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  const envelope = envelopeError(value);
  if (envelope) return { ok: false, error: envelope };
  const hosts = (value as Record<string, unknown>).hosts;
  if (Array.isArray(hosts) && hosts.length > BUNDLE_LIMITS.hosts) {
    return { ok: false, error: tooManyHostsMessage(hosts.length), tooManyHosts: { limit: BUNDLE_LIMITS.hosts, hosts: hosts.length } };
  }
  const exact = exactBundle(value as Record<string, unknown>);
  if (exact) return { ok: true, bundle: exact };
  const parsed = captureBundleSchema.safeParse(value, { error: issueMessage });
  if (parsed.success) return { ok: true, bundle: parsed.data as CaptureBundle };
  return { ok: false, error: invalid(parsed.error.issues) };
}

export type CheckHostResult = { ok: true; host: HostCapture } | { ok: false; error: string };

/**
 * One host of a bundle read host by host, checked as parseBundle checks it: the same result, and the same
 * message when it is the bundle's only invalid host (hosts[17].namespaces[0]…).
 */
export function checkHostValue(value: unknown, index: number): CheckHostResult {
  if (isExactHost(value)) return { ok: true, host: value };
  const parsed = hostCapture.safeParse(value, { error: issueMessage });
  if (parsed.success) return { ok: true, host: parsed.data as HostCapture };
  return { ok: false, error: invalid(parsed.error.issues, ['hosts', index]) };
}

export type CheckEnvelopeResult = { ok: true; envelope: BundleEnvelope } | { ok: false; error: string };

/** The members of a bundle other than its hosts, checked as parseBundle checks them; `hosts` must be present (any array). */
export function checkEnvelope(members: Record<string, unknown>): CheckEnvelopeResult {
  const envelope = envelopeError(members);
  if (envelope) return { ok: false, error: envelope };
  const parsed = captureBundleSchema.safeParse({ ...members, hosts: Array.isArray(members.hosts) ? [] : members.hosts }, { error: issueMessage });
  if (!parsed.success) return { ok: false, error: invalid(parsed.error.issues) };
  const { hosts: _hosts, ...rest } = parsed.data;
  return { ok: true, envelope: rest as BundleEnvelope };
}

/** The bundle itself, uncopied, when every host passes the in-place check and the rest passes the schema. */
function exactBundle(value: Record<string, unknown>): CaptureBundle | undefined {
  const hosts = value.hosts;
  if (!Array.isArray(hosts) || !hosts.every(isExactHost)) return undefined;
  const rest = captureBundleSchema.safeParse({ ...value, hosts: [] }, { error: issueMessage });
  return rest.success ? ({ ...rest.data, hosts } as CaptureBundle) : undefined;
}

export function serializeBundle(bundle: CaptureBundle): string {
  return JSON.stringify(bundle);
}
