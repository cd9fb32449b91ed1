/**
 * A finding's fix as blocks of lines, each with the place it runs in words: "on podvm-1 (pod VM of shop/web-7c9,
 * whose pod is on worker-1)", "with kubectl". One block is one shell to open. Pure, for the page, the CLI and
 * report.md alike.
 */
import type { Finding, FixTarget } from '@/lib/diagnose/types';

export interface FixBlock {
  /** Where the lines run; absent for lines no host was found for (and for findings stored before fixes said where). */
  where?: string;
  lines: string[];
}

function podVmWords({ pod, podNetns, worker }: Extract<FixTarget, { kind: 'host' }>): string {
  if (pod !== undefined) return `pod VM of pod ${pod}${worker === undefined ? '' : `, on worker ${worker}`}`;
  if (worker === undefined) return 'pod VM';
  return podNetns === undefined ? `pod VM of a peer pod on worker ${worker}` : `pod VM of the peer pod in netns ${podNetns} on worker ${worker}`;
}

function hostWords(target: Extract<FixTarget, { kind: 'host' }>): string {
  const { host, node } = target;
  const sameNode = node === undefined || node === host;
  switch (target.role) {
    case 'unnamed':
      return 'on the unnamed host (the paste named none: the machine its outputs came from)';
    case 'pod-vm':
      return `on ${host} (${podVmWords(target)})`;
    case 'worker':
      return `on ${host} (worker node${sameNode ? '' : ` ${node}`})`;
    case 'node':
      return `on ${host} (Kubernetes node${sameNode ? '' : ` ${node}`})`;
    default:
      return `on ${host}`;
  }
}

/** Where a fix step runs, as a phrase that completes "Run …". */
export function fixTargetWords(target: FixTarget): string {
  if (target.kind === 'cluster') return `with kubectl, from any machine with access to ${target.cluster === undefined ? 'the cluster' : `cluster ${target.cluster}`}`;
  return hostWords(target);
}

export function fixBlocks(finding: Pick<Finding, 'fix' | 'fixOn'>): FixBlock[] {
  const fix: string[] = finding.fix ?? [];
  const steps = (finding.fixOn ?? []).filter((s) => s.from >= 0 && s.from < fix.length);
  const blocks: FixBlock[] = [];
  const first = steps[0]?.from ?? fix.length;
  if (first > 0) blocks.push({ lines: fix.slice(0, first) });
  steps.forEach((step, i) => {
    const lines = fix.slice(step.from, steps[i + 1]?.from ?? fix.length);
    if (lines.length > 0) blocks.push({ where: fixTargetWords(step.on), lines });
  });
  return blocks;
}
