/**
 * A kept page as every viewer gets it: the same HTML for everyone, so its inline scripts are allowed by their hashes
 * instead of a per-response nonce (CSP3 hash-source: the SHA-256 of the script element's text content, UTF-8).
 *
 * Only the scripts the render marked with its nonce are hashed, so the policy allows exactly what the nonce allowed:
 * a script that reached the HTML without the nonce (an injection) would still be refused. Any script the page's
 * HTML does not let this scan read as the browser does (a script with both src and content, text the HTML parser
 * would not pass through as it is, a script without the nonce) leaves the page on the nonce path.
 *
 * The render's nonce is taken out of the kept body (its attributes and the value in the page's flight data): it
 * stays valid in the first viewer's document, so it is not handed to everyone after. The hashes are of the body as
 * it is sent.
 */
import { createHash } from 'node:crypto';

/** A script start tag: its attributes, and where the tag ends. */
interface ScriptTag {
  attributes: Map<string, string>;
  end: number;
}

const SCRIPT_OPEN = /<script(?=[\t\n\f\r />])/giy;
const SCRIPT_CLOSE = /<\/script[\t\n\f\r />]/gi;
const ATTRIBUTE = /[\t\n\f\r /]*([^\t\n\f\r />"'=][^\t\n\f\r />=]*)(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"([^"]*)"|'([^']*)'|([^\t\n\f\r >]+)))?/y;
/** What the HTML parser would not hand to the script as written: escaped-text states, and characters it rewrites. */
const UNREAD = /<!--|[\r\0]/;

/** The start tag whose name ends at `from`, as the parser reads its attributes (the first of a name counts). */
function scriptTag(html: string, from: number): ScriptTag | undefined {
  const attributes = new Map<string, string>();
  let at = from;
  for (;;) {
    ATTRIBUTE.lastIndex = at;
    const match = ATTRIBUTE.exec(html);
    if (!match || match[0].length === 0) break;
    const name = match[1].toLowerCase();
    if (!attributes.has(name)) attributes.set(name, match[2] ?? match[3] ?? match[4] ?? '');
    at = ATTRIBUTE.lastIndex;
  }
  while (/[\t\n\f\r /]/.test(html[at] ?? '')) at += 1;
  return html[at] === '>' ? { attributes, end: at + 1 } : undefined;
}

/**
 * The text of every inline script of `html`, or undefined when a script is not read as the browser reads it or, with
 * `nonce` given, does not carry it.
 */
function scriptTexts(html: string, nonce?: string): string[] | undefined {
  const texts: string[] = [];
  let at = 0;
  for (;;) {
    const open = html.indexOf('<', at);
    if (open === -1) return texts;
    if (html.startsWith('<!--', open)) {
      // `<!-->` and `<!--->` close at once.
      const close = html.indexOf('-->', open + 2);
      if (close === -1) return undefined;
      at = close + 3;
      continue;
    }
    SCRIPT_OPEN.lastIndex = open;
    if (!SCRIPT_OPEN.test(html)) {
      at = open + 1;
      continue;
    }
    const tag = scriptTag(html, SCRIPT_OPEN.lastIndex);
    if (!tag || (nonce !== undefined && tag.attributes.get('nonce') !== nonce)) return undefined;
    SCRIPT_CLOSE.lastIndex = tag.end;
    const close = SCRIPT_CLOSE.exec(html);
    if (!close) return undefined;
    const text = html.slice(tag.end, close.index);
    if (UNREAD.test(text) || (tag.attributes.has('src') && text.length > 0)) return undefined;
    if (!tag.attributes.has('src')) texts.push(text);
    at = close.index + close[0].length;
  }
}

export interface HashedPage {
  body: Buffer;
  /** CSP hash sources, one per distinct inline script text, in the order they first appear. */
  hashes: string[];
}

/** `body` without `nonce` and the hashes of its inline scripts, or undefined when the page keeps its nonce. */
export function hashedPage(body: Buffer, nonce: string): HashedPage | undefined {
  const html = body.toString('utf8');
  if (!Buffer.from(html, 'utf8').equals(body) || scriptTexts(html, nonce) === undefined) return undefined;
  const kept = html.replaceAll(` nonce="${nonce}"`, '').replaceAll(nonce, '');
  const texts = scriptTexts(kept);
  if (texts === undefined) return undefined;
  const hashes = new Set(texts.map((text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`));
  return { body: Buffer.from(kept, 'utf8'), hashes: [...hashes] };
}
