/** The commands that analyse captures they are given: import, topology, diagnose, trace and diff. */
import { stringOption, UsageError, type ParsedArgs } from './args';
import { formatFindings, formatTopology, formatTrace } from './format';
import { loadAnalysis, loadBundle } from './input';
import type { Io } from './io';
import type { Finding } from '@/lib/diagnose/types';
import { serializeBundle } from '@/lib/capture/bundle/bundle';
import { writeBundleFile } from '@/lib/capture/bundle/bundle-file';
import { analyze } from '@/lib/analyze';
import { findingForTrace, traceRoute } from '@/lib/diagnose/trace';
import { counterFindings } from '@/lib/diff/counters';
import { diffBy, findingKey } from '@/lib/diff/diff';
import { UNCOVERED_FAULTS } from '@/lib/diagnose';

export async function cmdImport(args: ParsedArgs, io: Io): Promise<number> {
  const { hosts, ...envelope } = await loadBundle(args.positionals, io);
  const output = stringOption(args, 'o', 'output');
  if (output && output !== '-') writeBundleFile(output, envelope, hosts);
  else io.out(printable(() => serializeBundle({ ...envelope, hosts })));
  return 0;
}

/** Text for standard output, or one line saying to write a file when the bundle is longer than a string can be. */
function printable(text: () => string): string {
  try {
    return text();
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError('the bundle is too big to print; write it to a file with -o FILE');
    throw error;
  }
}

export async function cmdTopology(args: ParsedArgs, io: Io): Promise<number> {
  const { topology } = await loadAnalysis(args.positionals, io);
  io.out(args.options.json ? JSON.stringify({ nodes: topology.nodes, edges: topology.edges }, null, 2) : formatTopology(topology));
  return 0;
}

export async function cmdDiagnose(args: ParsedArgs, io: Io): Promise<number> {
  const { findings, rulesVersion } = await loadAnalysis(args.positionals, io);
  if (args.options.json) {
    io.out(JSON.stringify({ rulesVersion, findings, uncovered: UNCOVERED_FAULTS }, null, 2));
  } else {
    io.out(formatFindings(findings));
    io.out(`\nNot checked (${UNCOVERED_FAULTS.length} catalog faults need data a capture does not hold): tunnelscope diagnose --json lists them.`);
  }
  return 0;
}

export async function cmdTrace(args: ParsedArgs, io: Io): Promise<number> {
  const from = stringOption(args, 'from');
  const to = stringOption(args, 'to');
  if (!from || !to) throw new UsageError('trace needs --from ELEMENT|HOST and --to IP');
  const { topology, findings } = await loadAnalysis(args.positionals, io);
  const result = traceRoute(topology, from, to);
  const finding = findingForTrace(result, findings);
  io.out(args.options.json ? JSON.stringify({ ...result, finding }, null, 2) : formatTrace(result, finding));
  return 0;
}

/** Two captures, in the order they were taken when both say when; the counters are read from the earlier one. */
export async function cmdDiff(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positionals.length !== 2) throw new UsageError('diff needs two input files: BEFORE AFTER');
  const loaded = [];
  for (const file of args.positionals) {
    const bundle = await loadBundle([file], io);
    loaded.push({ file, time: Date.parse(bundle.createdAt), analysis: analyze(bundle) });
  }
  const [earlier, later] = loaded[1].time < loaded[0].time ? [loaded[1], loaded[0]] : loaded;
  const seconds = Number.isNaN(earlier.time) || Number.isNaN(later.time) ? undefined : (later.time - earlier.time) / 1000;
  const between = counterFindings(earlier.analysis.topology, later.analysis.topology, seconds);
  const findings = diffBy(earlier.analysis.findings, later.analysis.findings, findingKey);
  if (args.options.json) {
    io.out(JSON.stringify({ before: earlier.file, after: later.file, seconds, between, resolved: findings.removed, new: findings.added }, null, 2));
    return 0;
  }
  const list = (items: Finding[]): string => (items.length ? items.map((f) => `  [${f.rule}] ${f.title}`).join('\n') : '  none');
  io.out(`${earlier.file} → ${later.file}${seconds === undefined ? '' : ` (${Math.round(seconds)} s apart)`}`);
  io.out(`\nResolved findings:\n${list(findings.removed)}\nNew findings:\n${list(findings.added)}`);
  io.out(`\nBetween the captures:\n${between.length ? formatFindings(between) : '  No tunnel went one way and no error counter grew.'}`);
  return 0;
}
