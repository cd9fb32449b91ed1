/**
 * Fix commands are printed for a person to paste into a root shell; Tunnelscope never runs them. Every name in one
 * came from a host or an upload, so a fix line is only ever built by `sh` (a command) or `note` (a comment), which
 * quote what they are given: the type `ShellLine` makes the compiler hold every rule to that.
 */
import { quoteShellWord, splitShellLine } from '@/lib/capture/paste/shell-words';

declare const shellLine: unique symbol;
/** A line that is safe to paste into a POSIX shell: every interpolated value is one quoted word. */
export type ShellLine = string & { readonly [shellLine]: true };

/** Part of a command built by `part`, inserted into `sh` as it is (a string is always one quoted word). */
export class ShellPart {
  private constructor(readonly text: string) {}

  /** Only `part` below makes one. */
  static of(text: string): ShellPart {
    return new ShellPart(text);
  }
}

/** What `sh` and `note` take: a word to quote, a number, a part built before, several words, or nothing (an optional part left out). */
export type ShellValue = string | number | ShellPart | readonly (string | number)[] | false | null | undefined;

function brand(text: string): ShellLine {
  return text as ShellLine;
}

/** C0 controls except tab and newline, DEL and C1 controls: a terminal acts on them, so they are spelled as octal. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]+/g;

function octal(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
}

/**
 * One POSIX shell word that reads back as `word`: plain names stay as they are (`eth0`, `10.0.0.1/24`), anything
 * else is single-quoted, and control characters come from printf so that no raw escape reaches the terminal.
 */
export function shellQuote(word: string): string {
  if (!CONTROL.test(word)) return quoteShellWord(word);
  CONTROL.lastIndex = 0;
  const parts: string[] = [];
  let at = 0;
  for (const m of word.matchAll(CONTROL)) {
    if (m.index > at) parts.push(quoteShellWord(word.slice(at, m.index)));
    parts.push(`"$(printf '${octal(m[0])}')"`);
    at = m.index + m[0].length;
  }
  if (at < word.length) parts.push(quoteShellWord(word.slice(at)));
  return parts.join('');
}

function render(value: ShellValue): string {
  if (value === false || value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (value instanceof ShellPart) return value.text;
  if (typeof value === 'string') return shellQuote(value);
  return value.map((w) => (typeof w === 'number' ? String(w) : shellQuote(w))).join(' ');
}

function join(strings: readonly string[], values: ShellValue[]): string {
  return strings.reduce((line, text, i) => line + text + (i < values.length ? render(values[i]) : ''), '');
}

/** A placeholder for the reader to fill in (`<gateway>`, `<unique MAC>`) stays one quoted word, never a redirection. */
function placeholdersQuoted(strings: TemplateStringsArray): string[] {
  return strings.map((text) => text.replace(/<[A-Za-z][^<>'\n]*>/g, (p) => `'${p}'`));
}

/** A command line: `sh\`ip link set ${name} up\`` quotes `name` when it needs quoting. An array is several words. */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): ShellLine {
  return brand(join(placeholdersQuoted(strings), values));
}

/** Words to put into a command later: `part\` via ${gateway}\``. */
export function part(strings: TemplateStringsArray, ...values: ShellValue[]): ShellPart {
  return ShellPart.of(join(placeholdersQuoted(strings), values));
}

/**
 * A comment line for the reader (`# restart flannel on ${host}`): values are quoted as in a command, so one copied
 * from it is safe too, and a line break in a name cannot end the comment and start a command.
 */
export function note(strings: TemplateStringsArray, ...values: ShellValue[]): ShellLine {
  const text = join(strings, values).replace(/[\r\n]/g, (c) => (c === '\n' ? '\\n' : '\\r'));
  return brand(`# ${text}`);
}

/** Prefix a command with `ip netns exec NS ` when the device lives in a named namespace. */
export function inNetns(netns: string | null, command: ShellLine): ShellLine {
  return netns === null ? command : brand(`ip netns exec ${shellQuote(netns)} ${command}`);
}

/**
 * The command that deletes an iptables-save rule (`-A CHAIN …`): its words, as iptables-save quoted them, each
 * quoted again for the shell. A rule whose text a shell would not read as plain words is left for a person.
 */
export function iptablesDelete(table: string, rule: string): ShellLine {
  const split = splitShellLine(rule);
  const plain = split.ok && split.unresolved.length === 0 && split.segments.length === 1;
  const words = (plain && split.segments[0]?.words) || [];
  if (words[0] !== '-A' || words.length < 2) return note`delete this ${table} rule by hand (its text is not plain words): ${rule}`;
  return sh`iptables -t ${table} -D ${words.slice(1)}`;
}

/** A device name in a sysctl key: sysctl separates with dots, so a dot in the name is written as a slash (eth0.100 → eth0/100). */
export function sysctlName(device: string): string {
  return device.replace(/\./g, '/');
}

/** Where a device is, for explanations: "eth0 in netns podns on host vm-1". */
export function where(host: string, netns: string | null, device?: string): string {
  const ns = netns === null ? 'the root namespace' : `netns ${netns}`;
  return device === undefined ? `${ns} on host ${host}` : `${device} in ${ns} on host ${host}`;
}
