/**
 * Capture bundles as files of any size. A capture of 500 workers with 60 pods each is a bundle longer than the
 * longest string V8 can make (2^29 − 24 characters), so a bundle file is never read as one string: it is read in
 * chunks, its bytes are scanned as JSON structure, and each element of `hosts` comes out as its own JSON text,
 * one at a time. Only the other top-level members (format, version, createdAt, source, cluster), in any order,
 * are parsed whole. The writer is the mirror: host by host, the same bytes serializeBundle writes.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { checkEnvelope, checkHostValue, envelopeError } from './bundle';
import { sniffFile } from '../import';
import { BUNDLE_LIMITS } from './limits';
import { redactCluster, redactHost } from '../redact';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleEnvelope, type CaptureBundle, type ClusterContext, type HostCapture } from '../types';

export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
/** The most one host (or one other member) may take: it is held in memory whole, as bytes and as a string. */
export const MAX_HOST_BYTES = 256 * 1024 * 1024;

export interface BundleFileOptions {
  /** Bytes read at a time. */
  chunkBytes?: number;
  /** Largest host, or other top-level member, in bytes. */
  maxHostBytes?: number;
}

/** A host as it lies in the file: its JSON text, its place in `hosts` and the byte where it starts. */
export interface HostText {
  text: string;
  index: number;
  at: number;
  /** The text already parsed, when the scan had to parse it to find where the host ends. */
  value?: unknown;
}

/** What the scan meets, in file order: a member other than hosts, the start of `hosts`, each host. */
export type BundleFileItem = { kind: 'member'; name: string; value: unknown } | { kind: 'hosts' } | ({ kind: 'host' } & HostText);

/** A bundle file that cannot be read; the message is one line, written for the user. */
export class BundleFileError extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const END = -1;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${bytes} bytes`;
}

/** JSON.parse's message without its character position, which the caller turns into a byte of the file. */
function notJson(error: unknown, text: string, at: number): BundleFileError {
  const message = error instanceof Error ? error.message : String(error);
  const position = /\bat position (\d+)/.exec(message);
  const byte = at + (position ? Buffer.byteLength(text.slice(0, Number(position[1]))) : 0);
  const reason = message.replace(/\s*in JSON at position \d+.*$/, '').replace(/\s*after JSON at position \d+.*$/, ' after the value');
  return new BundleFileError(`capture bundle is not valid JSON at byte ${byte}: ${reason}`);
}

function parseJson(text: string, at: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw notJson(error, text, at);
  }
}

/**
 * The bytes of a file from the start of the token being read (`keep`) on, refilled a chunk at a time. Only
 * `pos` and `keep` survive a refill: the bytes move to the front of the buffer when it runs out of room.
 */
class Window {
  private buf: Buffer;
  /** The part of buf that holds file data: searching it never runs into stale bytes behind. */
  data: Buffer;
  used = 0;
  pos = 0;
  keep = 0;
  /** File offset of buf[0]. */
  private base = 0;
  private eof = false;
  /** What is being read, for the message when it is too big. */
  reading = 'the bundle';

  constructor(
    private readonly fd: number,
    private readonly chunk: number,
    private readonly maxKeep: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(2 * chunk, 4096));
    this.data = this.buf.subarray(0, 0);
  }

  offset(i = this.pos): number {
    return this.base + i;
  }

  /** Reads another chunk; false at the end of the file. */
  more(): boolean {
    if (this.eof) return false;
    if (this.used - this.keep > this.maxKeep) {
      throw new BundleFileError(`${this.reading} (from byte ${this.offset(this.keep)}) is larger than ${size(this.maxKeep)}, the most Tunnelscope reads at once`);
    }
    if (this.buf.length - this.used < this.chunk) this.makeRoom();
    const n = readSync(this.fd, this.buf, this.used, this.chunk, null);
    if (n === 0) this.eof = true;
    this.used += n;
    this.data = this.buf.subarray(0, this.used);
    return n > 0;
  }

  private makeRoom(): void {
    const live = this.used - this.keep;
    const target = live + this.chunk <= this.buf.length ? this.buf : Buffer.allocUnsafe(Math.max(2 * this.buf.length, live + this.chunk));
    this.buf.copy(target, 0, this.keep, this.used);
    this.buf = target;
    this.base += this.keep;
    this.pos -= this.keep;
    this.used = live;
    this.keep = 0;
  }

  /** The byte at pos, END at the end of the file. */
  byte(): number {
    while (this.pos >= this.used) if (!this.more()) return END;
    return this.data[this.pos];
  }

  text(start: number, end: number): string {
    return this.data.toString('utf8', start, end);
  }
}

/** What follows every host but the last in a compact bundle: the next host's first member. */
const NEXT_HOST = Buffer.from('},{"name":"');
/** How far past a host's start the separator is looked for; a bigger host is scanned. */
const SEPARATOR_SEARCH_BYTES = 64 * 1024 * 1024;

function parsedObject(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the top level of a bundle: `{ "member": value, …, "hosts": [host, …], … }`. */
class BundleScanner {
  private readonly w: Window;
  private separatorMisses = 0;

  constructor(fd: number, opts: BundleFileOptions) {
    this.w = new Window(fd, opts.chunkBytes ?? DEFAULT_CHUNK_BYTES, opts.maxHostBytes ?? MAX_HOST_BYTES);
  }

  *items(): Generator<BundleFileItem> {
    const w = this.w;
    this.skipBom();
    this.skipSpace();
    if (w.byte() === END) this.fail('the file is empty');
    if (w.byte() !== OPEN_BRACE) throw new BundleFileError('not a Tunnelscope capture bundle: expected a JSON object');
    w.pos++;
    this.skipSpace();
    let sawHosts = false;
    if (w.byte() === CLOSE_BRACE) w.pos++;
    else {
      for (;;) {
        const name = this.memberName();
        if (name === 'hosts') {
          if (sawHosts) throw new BundleFileError('invalid capture bundle: "hosts" appears twice');
          sawHosts = true;
          yield { kind: 'hosts' };
          yield* this.hosts();
        } else {
          w.reading = `member "${name.slice(0, 40)}" of the capture bundle`;
          const at = this.value();
          yield { kind: 'member', name, value: parseJson(w.text(w.keep, w.pos), at) };
        }
        if (this.after(CLOSE_BRACE, "',' or '}' after a member")) break;
      }
    }
    w.keep = w.pos;
    this.skipSpace();
    if (w.byte() !== END) this.fail('unexpected data after the bundle');
  }

  private *hosts(): Generator<BundleFileItem> {
    const w = this.w;
    const kind = w.byte();
    if (kind !== OPEN_BRACKET) {
      if (kind === END) this.fail('the file ends inside the bundle (truncated?)');
      throw new BundleFileError(`invalid capture bundle: hosts: Expected array, received ${jsonKind(kind)}`);
    }
    w.pos++;
    this.skipSpace();
    if (w.byte() === CLOSE_BRACKET) {
      w.pos++;
      return;
    }
    for (let index = 0; ; index++) {
      if (index === BUNDLE_LIMITS.hosts) {
        throw new BundleFileError(`capture bundle holds more than ${BUNDLE_LIMITS.hosts} hosts, the most one bundle may hold`);
      }
      w.reading = `host ${index} of the capture bundle`;
      const found = this.hostBySeparator();
      if (found !== undefined) yield { kind: 'host', index, ...found };
      else {
        const at = this.value();
        yield { kind: 'host', text: w.text(w.keep, w.pos), index, at };
      }
      if (this.after(CLOSE_BRACKET, "',' or ']' after a host")) return;
    }
  }

  /**
   * A host of a bundle written compactly, as Tunnelscope writes them, ends right before `},{"name":"` (each host
   * starts with its name). That separator is found with one native search instead of a scan of every byte, and
   * checked by parsing what lies before it: text that parses as one whole object starting where the host starts
   * ends where the host ends, wherever the separator came from. Otherwise (another layout, the last host, a
   * separator inside a host) the host is scanned; after two misses in a row the file is taken to be laid out
   * otherwise and always scanned.
   */
  private hostBySeparator(): { text: string; at: number; value: unknown } | undefined {
    const w = this.w;
    if (this.separatorMisses >= 2 || w.byte() !== OPEN_BRACE) return undefined;
    w.keep = w.pos;
    const at = w.offset();
    let from = w.pos;
    for (;;) {
      const hit = w.data.indexOf(NEXT_HOST, from);
      if (hit >= 0) {
        const text = w.text(w.keep, hit + 1);
        const value = parsedObject(text);
        if (value === undefined) break;
        this.separatorMisses = 0;
        w.pos = hit + 1;
        return { text, at, value };
      }
      const searched = w.data.length - (NEXT_HOST.length - 1) - w.keep;
      if (w.data.length - w.keep > SEPARATOR_SEARCH_BYTES || !this.readMore()) break;
      from = w.keep + Math.max(0, searched);
    }
    this.separatorMisses++;
    w.pos = w.keep;
    return undefined;
  }

  /** More of the file for the separator search; false at its end, or where the window may not grow (the scan decides). */
  private readMore(): boolean {
    try {
      return this.w.more();
    } catch (error) {
      if (error instanceof BundleFileError) return false;
      throw error;
    }
  }

  /** After a value: true at `close`, false after a comma (the next value follows). */
  private after(close: number, expected: string): boolean {
    const w = this.w;
    w.keep = w.pos;
    this.skipSpace();
    const byte = w.byte();
    if (byte !== COMMA && byte !== close) this.fail(`expected ${expected}`);
    w.pos++;
    if (byte === COMMA) this.skipSpace();
    return byte === close;
  }

  private memberName(): string {
    const w = this.w;
    this.skipSpace();
    if (w.byte() !== QUOTE) this.fail('expected a member name in quotes');
    w.keep = w.pos;
    const at = w.offset();
    this.string();
    const name = parseJson(w.text(w.keep, w.pos), at) as string;
    this.skipSpace();
    if (w.byte() !== COLON) this.fail(`expected ':' after "${name.slice(0, 40)}"`);
    w.pos++;
    this.skipSpace();
    return name;
  }

  /** Moves past one value starting at pos, which becomes keep; returns the value's file offset. */
  private value(): number {
    const w = this.w;
    w.keep = w.pos;
    const at = w.offset();
    const first = w.byte();
    if (first === QUOTE) this.string();
    else if (first === OPEN_BRACE || first === OPEN_BRACKET) this.nested();
    else if (first === END || first === COMMA || first === CLOSE_BRACE || first === CLOSE_BRACKET || isSpace(first)) this.fail('expected a value');
    else this.primitive();
    return at;
  }

  /**
   * Brackets are only counted, not matched: JSON.parse of the value's text rejects a mismatch. Strings are skipped
   * byte by byte in the same loop: the command outputs inside a bundle are mostly JSON themselves, so escaped
   * quotes come every few bytes and a search for the next quote would stop at each of them.
   */
  private nested(): void {
    const w = this.w;
    let depth = 0;
    let inString = false;
    let pos = w.pos;
    let data = w.data;
    for (;;) {
      const end = data.length;
      if (inString) {
        while (pos < end) {
          const byte = data[pos];
          if (byte === QUOTE) break;
          pos += byte === BACKSLASH ? 2 : 1;
        }
        if (pos < end) {
          inString = false;
          pos++;
          continue;
        }
      } else {
        while (pos < end) {
          const byte = data[pos++];
          if (byte === QUOTE) {
            inString = true;
            break;
          }
          if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
          else if ((byte === CLOSE_BRACE || byte === CLOSE_BRACKET) && --depth === 0) {
            w.pos = pos;
            return;
          }
        }
        if (inString) continue;
      }
      w.pos = pos;
      if (!w.more()) this.fail(inString ? 'the file ends inside a string (truncated?)' : 'the file ends inside the bundle (truncated?)');
      ({ pos, data } = w);
    }
  }

  /**
   * From an opening quote to past its closing quote. Most of a bundle is long strings (command output), so the
   * next quote is found by indexOf, not byte by byte; it closes the string unless an odd run of backslashes
   * precedes it.
   */
  private string(): void {
    const w = this.w;
    let pos = w.pos + 1;
    let data = w.data;
    for (;;) {
      const quote = data.indexOf(QUOTE, pos);
      if (quote < 0) {
        w.pos = data.length;
        if (!w.more()) this.fail('the file ends inside a string (truncated?)');
        ({ pos, data } = w);
        continue;
      }
      let slash = quote - 1;
      while (data[slash] === BACKSLASH) slash--;
      pos = quote + 1;
      if ((quote - 1 - slash) % 2 === 0) {
        w.pos = pos;
        return;
      }
    }
  }

  private primitive(): void {
    const w = this.w;
    for (;;) {
      const byte = w.byte();
      if (byte === END || byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isSpace(byte)) return;
      w.pos++;
    }
  }

  private skipSpace(): void {
    while (isSpace(this.w.byte())) this.w.pos++;
  }

  private skipBom(): void {
    const w = this.w;
    while (w.used < 3 && w.more());
    if (w.data[0] === 0xef && w.data[1] === 0xbb && w.data[2] === 0xbf) w.pos = 3;
  }

  private fail(expected: string): never {
    const w = this.w;
    const byte = w.byte();
    const found = byte === END ? '' : `, found ${JSON.stringify(String.fromCharCode(byte))}`;
    const reason = byte === END && !expected.startsWith('the file') ? `${expected} but the file ends (truncated?)` : `${expected}${found}`;
    throw new BundleFileError(`capture bundle is not valid JSON at byte ${w.offset()}: ${reason}`);
  }
}

function jsonKind(byte: number): string {
  if (byte === OPEN_BRACE) return 'object';
  if (byte === QUOTE) return 'string';
  if (byte === 0x74 || byte === 0x66) return 'boolean';
  if (byte === 0x6e) return 'null';
  return 'number';
}

function openForReading(file: string): number {
  try {
    return openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BundleFileError(code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file}: ${code ?? String(error)}`);
  }
}

/** The items of a bundle file in file order; hosts are texts, not yet parsed or checked. */
export function* scanBundleFile(file: string, opts: BundleFileOptions = {}): Generator<BundleFileItem> {
  const fd = openForReading(file);
  try {
    yield* new BundleScanner(fd, opts).items();
  } finally {
    closeSync(fd);
  }
}

/** A host's text as a value; the error names the byte of the file where it is not JSON. */
export function parseHostText(host: HostText): unknown {
  return 'value' in host ? host.value : parseJson(host.text, host.at);
}

/** A host's value checked as parseBundle checks it, and redacted. */
export function checkHost(value: unknown, index: number): HostCapture {
  const checked = checkHostValue(value, index);
  if (!checked.ok) throw new BundleFileError(checked.error);
  return redactHost(checked.host);
}

export interface BundleFile {
  /**
   * The hosts' texts in file order. Format and version are checked as soon as they are read (before the first
   * host when they come first); the rest of the envelope when the file has been read to its end.
   */
  hostTexts(): Generator<HostText>;
  /** The hosts, each parsed, checked and redacted as it is read. */
  hosts(): Generator<HostCapture>;
  /** The envelope; known once a pass over the hosts has finished. */
  envelope(): BundleEnvelope;
  cluster(): ClusterContext | undefined;
  /** The whole bundle, as parseBundle and redactBundle would make it of the file's text. */
  readAll(): CaptureBundle;
}

/** Format and version as soon as each is read: one that is missing is only known at the end. */
function checkMembersSoFar(members: Record<string, unknown>): void {
  const error = envelopeError({ format: BUNDLE_FORMAT, version: BUNDLE_VERSION, ...members });
  if (error) throw new BundleFileError(error);
}

function checkedEnvelope(members: Record<string, unknown>): BundleEnvelope {
  const checked = checkEnvelope(members);
  if (!checked.ok) throw new BundleFileError(checked.error);
  const { cluster } = checked.envelope;
  return cluster ? { ...checked.envelope, cluster: redactCluster(cluster) } : checked.envelope;
}

/** A bundle with its members in the order serializeBundle writes a parsed bundle: hosts before cluster. */
export function bundleOf(envelope: BundleEnvelope, hosts: HostCapture[]): CaptureBundle {
  const { cluster, ...head } = envelope;
  return { ...head, hosts, ...(cluster ? { cluster } : {}) };
}

/** Reads a bundle file host by host; nothing is read until a pass starts, and each pass reads the file anew. */
export function openBundleFile(file: string, opts: BundleFileOptions = {}): BundleFile {
  let envelope: BundleEnvelope | undefined;

  function* hostTexts(): Generator<HostText> {
    const members: Record<string, unknown> = {};
    for (const item of scanBundleFile(file, opts)) {
      if (item.kind === 'host') yield item;
      else if (item.kind === 'hosts') members.hosts = [];
      else {
        members[item.name] = item.value;
        checkMembersSoFar(members);
      }
    }
    envelope = checkedEnvelope(members);
  }

  function* hosts(): Generator<HostCapture> {
    for (const text of hostTexts()) yield checkHost(parseHostText(text), text.index);
  }

  return { hostTexts, ...readerOf(hosts, () => envelope) };
}

/** What a pass over a bundle file offers its consumer, however the file is read. */
export type HostReader = Pick<BundleFile, 'hosts' | 'envelope' | 'cluster' | 'readAll'>;

/** The reader around `hosts`, a pass over a file that leaves `envelope()` set once it has read to the end. */
export function readerOf(hosts: () => Generator<HostCapture>, envelope: () => BundleEnvelope | undefined): HostReader {
  function read(): BundleEnvelope {
    const found = envelope();
    if (!found) throw new Error('the bundle file has not been read yet: iterate hosts() first');
    return found;
  }
  return {
    hosts,
    envelope: read,
    cluster: () => read().cluster,
    readAll: () => {
      const all = [...hosts()];
      return bundleOf(read(), all);
    },
  };
}

/** The text of a bundle in pieces, a host at a time: joined, exactly serializeBundle(bundleOf(envelope, hosts)). */
export function* bundlePieces(envelope: BundleEnvelope, hosts: Iterable<HostCapture>): Generator<string> {
  const { cluster, ...head } = envelope;
  const open = JSON.stringify(head);
  yield open === '{}' ? '{"hosts":[' : `${open.slice(0, -1)},"hosts":[`;
  let first = true;
  for (const host of hosts) {
    yield first ? JSON.stringify(host) : `,${JSON.stringify(host)}`;
    first = false;
  }
  yield cluster ? `],"cluster":${JSON.stringify(cluster)}}` : ']}';
}

/** Writes a bundle of any size host by host; returns the bytes written. */
export function writeBundleFile(file: string, envelope: BundleEnvelope, hosts: Iterable<HostCapture>): number {
  const fd = openSync(file, 'w');
  let bytes = 0;
  try {
    for (const piece of bundlePieces(envelope, hosts)) {
      const data = Buffer.from(piece, 'utf8');
      for (let done = 0; done < data.length;) done += writeSync(fd, data, done);
      bytes += data.length;
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** True when the file starts as a capture bundle does (sniffFile on its first 4 KB). */
export function sniffBundleFile(file: string): boolean {
  const fd = openForReading(file);
  try {
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, 0);
    return sniffFile(head.toString('utf8', 0, n)) === 'bundle';
  } finally {
    closeSync(fd);
  }
}
