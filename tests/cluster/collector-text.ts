/**
 * A capture written back as public/tunnelscope-collect.sh prints it, for exec answers of simulated hosts (the cluster
 * tests without kernel hosts, and the cluster bench). lib/capture/collect/collector-output.ts reads it back.
 */
import { quoteShellWord } from '@/lib/capture/paste/shell-words';
import type { CommandRecord, HostCapture } from '@/lib/capture/types';

function lines(text: string): { lines: string[]; eol: boolean } {
  if (text === '') return { lines: [], eol: true };
  const eol = text.endsWith('\n');
  return { lines: (eol ? text.slice(0, -1) : text).split('\n'), eol };
}

function exitOf(record: CommandRecord): number {
  if (record.exitCode !== null) return record.exitCode;
  return record.status === 'missing-tool' ? 127 : 137;
}

/** A host as public/tunnelscope-collect.sh prints it (the format lib/capture/collect/collector-output.ts reads). */
export function collectorOutput(host: HostCapture, boundary: string): string {
  const marker = `#ts:${boundary}`;
  const out = [`#tunnelscope-collect format=1 host=${quoteShellWord(host.name)} role=${host.role} date=${host.collectedAt} boundary=${boundary}`];
  for (const ns of host.namespaces) {
    const inNetns = ns.netns === null ? '' : ` ip netns exec ${quoteShellWord(ns.netns)}`;
    for (const c of ns.commands) {
      out.push(`[tunnelscope@${quoteShellWord(host.name)} /]#${inNetns} ${c.argv.map(quoteShellWord).join(' ')} ${marker}`);
      const stdout = lines(c.stdout);
      const stderr = lines(c.stderr);
      out.push(...stdout.lines, ...stderr.lines.map((l) => `${marker} stderr: ${l}`));
      const fields = {
        id: c.id,
        ns: ns.netns === null ? '-' : quoteShellWord(ns.netns),
        exit: exitOf(c),
        status: c.status,
        ms: c.durationMs,
        eol: Number(stdout.eol),
        errs: stderr.lines.length,
        erreol: Number(stderr.eol),
        optional: 0,
      };
      out.push(
        `${marker} end ${Object.entries(fields)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
