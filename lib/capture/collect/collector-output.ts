import { findCatalogEntry, paramsFromArgv } from '../catalog';
import { hostStatus } from './host-status';
import { CATALOG } from '../catalog';
import { NamespaceGroups } from '../paste/namespace-groups';
import { problemAt, type ImportProblem } from '../problems';
import { splitShellLine } from '../paste/shell-words';
import type { CommandRecord, CommandStatus, HostCapture, HostRole } from '../types';

/** First line of public/tunnelscope-collect.sh output. */
export const COLLECTOR_HEADER = '#tunnelscope-collect ';
export const COLLECTOR_FORMAT = '1';

const STATUSES: readonly CommandStatus[] = ['ok', 'error', 'missing-tool', 'timeout'];
const ROLES: readonly HostRole[] = ['worker', 'podvm', 'node', 'unknown'];

export function looksLikeCollectorOutput(text: string): boolean {
  return text.startsWith(COLLECTOR_HEADER) || text.includes(`\n${COLLECTOR_HEADER}`);
}

function fields(words: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of words) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

function keyValues(text: string): Record<string, string> {
  return fields(text.trim().split(/\s+/));
}

/**
 * The header's fields. The host name is printed as one shell word and may hold spaces, quotes and `=` (a host names
 * itself, and the kernel takes any bytes), so the header is read as shell words; one a shell would not split into
 * plain words is read at white space.
 */
function headerFields(text: string): Record<string, string> {
  const split = splitShellLine(text);
  return split.ok && split.unresolved.length === 0 && split.segments.length === 1 ? fields(split.segments[0].words) : keyValues(text);
}

function joinLines(lines: string[], endsWithNewline: boolean): string {
  return lines.length === 0 ? '' : lines.join('\n') + (endsWithNewline ? '\n' : '');
}

interface Pending {
  line: number;
  text: string;
  netns: string | null;
  argv: string[];
  out: string[];
  err: string[];
}

class HostReader {
  readonly groups = new NamespaceGroups();
  private pending: Pending | null = null;
  private readonly marker: string;
  /** What starts the marker's own lines, and what ends a command's prompt line. */
  private readonly markerLine: string;
  private readonly promptEnd: string;

  constructor(
    readonly header: Record<string, string>,
    private readonly problems: ImportProblem[],
  ) {
    this.marker = `#ts:${header.boundary ?? ''}`;
    this.markerLine = `${this.marker} `;
    this.promptEnd = ` ${this.marker}`;
  }

  private begin(lineNo: number, line: string): boolean {
    if (!line.startsWith('[') || !line.endsWith(this.promptEnd)) return false;
    const prompt = line.indexOf(']# ');
    if (prompt < 0) return false;
    const split = splitShellLine(line.slice(prompt + 3, line.length - this.promptEnd.length));
    const words = split.ok ? split.segments.flatMap((s) => s.words) : [];
    const inNetns = words[0] === 'ip' && words[1] === 'netns' && words[2] === 'exec' && words.length > 4;
    this.pending = { line: lineNo, text: line, netns: inNetns ? words[3] : null, argv: inNetns ? words.slice(4) : words, out: [], err: [] };
    return true;
  }

  private end(fields: Record<string, string>): void {
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    const entry = findCatalogEntry(fields.id ?? '');
    if (!entry) {
      this.problems.push(problemAt(p.line, p.text, `unknown command id "${fields.id ?? ''}" in collector output`));
      return;
    }
    const params = paramsFromArgv(entry, p.argv);
    const exit = Number.parseInt(fields.exit ?? '', 10);
    const status = STATUSES.find((s) => s === fields.status) ?? (exit === 0 ? 'ok' : 'error');
    const record: CommandRecord = {
      id: entry.id,
      argv: p.argv,
      ...(params && Object.keys(params).length > 0 ? { params } : {}),
      stdout: joinLines(p.out, fields.eol !== '0'),
      stderr: joinLines(p.err, fields.erreol !== '0'),
      exitCode: status === 'missing-tool' || status === 'timeout' || Number.isNaN(exit) ? null : exit,
      durationMs: Math.max(0, Number.parseInt(fields.ms ?? '0', 10) || 0),
      status,
      // The script runs an ip without -j (busybox's) in iproute2's text form.
      format: entry.tool === 'ip' && !p.argv.includes('-j') ? 'text' : entry.format,
    };
    this.groups.add(p.netns, record);
  }

  /** Records whose end marker is missing: the file was cut. */
  flush(): void {
    const p = this.pending;
    if (!p) return;
    this.problems.push(problemAt(p.line, p.text, 'the output of this command is cut before its end marker'));
    this.end({ id: findCatalogEntry(this.guessId(p))?.id ?? '', status: 'error', exit: '' });
    const last = this.groups
      .namespaces()
      .find((ns) => ns.netns === p.netns)
      ?.commands.at(-1);
    if (last) last.truncated = true;
  }

  private guessId(p: Pending): string {
    return CATALOG.find((e) => paramsFromArgv(e, p.argv) !== null)?.id ?? '';
  }

  read(lineNo: number, line: string): void {
    if (this.begin(lineNo, line)) return;
    if (line.startsWith(this.markerLine)) {
      const rest = line.slice(this.markerLine.length);
      if (rest.startsWith('stderr: ')) this.pending?.err.push(rest.slice(8));
      else if (rest.startsWith('end ')) this.end(keyValues(rest.slice(4)));
      return;
    }
    if (this.pending) this.pending.out.push(line);
    else if (line.trim() !== '') this.problems.push(problemAt(lineNo, line, 'line outside any command output'));
  }
}

function toHost(reader: HostReader): HostCapture {
  const h = reader.header;
  const namespaces = reader.groups.namespaces();
  const role = ROLES.find((r) => r === h.role) ?? 'unknown';
  const date = h.date && !Number.isNaN(Date.parse(h.date)) ? new Date(h.date).toISOString() : new Date(0).toISOString();
  return { name: h.host || 'unknown', role, collectedAt: date, ...hostStatus(CATALOG, namespaces), namespaces };
}

/**
 * Reads the output of public/tunnelscope-collect.sh as it arrives, in pieces cut anywhere (an exec's frames), so
 * that a host is imported while it streams and its whole text is never held at once. Several outputs may follow
 * one another (one per host).
 */
export class CollectorOutputReader {
  private readonly problems: ImportProblem[] = [];
  private readonly hosts: HostCapture[] = [];
  private reader: HostReader | null = null;
  /** The last line so far, not yet ended by a newline. */
  private partial = '';
  private lineNo = 0;
  private firstLine: string | undefined;
  private sawText = false;

  /** Something other than white space was written. */
  get printed(): boolean {
    return this.sawText;
  }

  write(text: string): void {
    if (!this.sawText && /\S/.test(text)) this.sawText = true;
    let at = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', at)) {
      const piece = text.slice(at, nl);
      this.line(this.partial === '' ? piece : this.partial + piece);
      this.partial = '';
      at = nl + 1;
    }
    if (at < text.length) this.partial += text.slice(at);
  }

  private line(line: string): void {
    const lineNo = ++this.lineNo;
    this.firstLine ??= line;
    if (line.startsWith(COLLECTOR_HEADER)) {
      if (this.reader) {
        this.reader.flush();
        this.hosts.push(toHost(this.reader));
      }
      const header = headerFields(line.slice(COLLECTOR_HEADER.length));
      if (header.format !== COLLECTOR_FORMAT) {
        this.problems.push(problemAt(lineNo, line, `collector output format ${header.format ?? '(none)'} is not supported; this Tunnelscope reads format ${COLLECTOR_FORMAT}`));
        this.reader = null;
        return;
      }
      this.reader = new HostReader(header, this.problems);
      return;
    }
    if (this.reader) this.reader.read(lineNo, line);
    else if (line.trim() !== '' && this.hosts.length === 0 && this.problems.length === 0) {
      this.problems.push(problemAt(lineNo, line, 'text before the collector header is ignored'));
    }
  }

  /** The hosts read, once the output has ended; a last line without a newline counts as one. */
  end(): { hosts: HostCapture[]; problems: ImportProblem[] } {
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
    if (this.reader) {
      this.reader.flush();
      this.hosts.push(toHost(this.reader));
      this.reader = null;
    }
    if (this.hosts.length === 0 && this.problems.length === 0) this.problems.push(problemAt(1, this.firstLine ?? '', 'no tunnelscope-collect header found'));
    return { hosts: this.hosts, problems: this.problems };
  }
}

/**
 * Imports the output of public/tunnelscope-collect.sh losslessly: stdout and stderr byte for byte,
 * exit code, status and duration. Several outputs may be concatenated (one per host).
 */
export function parseCollectorOutput(text: string): { hosts: HostCapture[]; problems: ImportProblem[] } {
  const reader = new CollectorOutputReader();
  reader.write(text);
  return reader.end();
}
