/**
 * A small XML 1.0 well-formedness checker for tests (no XML parser is installed): balanced tags, quoted
 * attributes without raw "<", only the five predefined or numeric entity references, no raw "<" or "&" in text.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  /** Text directly or indirectly inside the element, entities decoded. */
  text: string;
}

const NAME = '[A-Za-z_:][-A-Za-z0-9_.:]*';
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function decode(value: string): string {
  return value.replace(ENTITY, (e) => {
    const named: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };
    if (named[e]) return named[e];
    const code = e.startsWith('&#x') ? parseInt(e.slice(3, -1), 16) : parseInt(e.slice(2, -1), 10);
    return String.fromCodePoint(code);
  });
}

function checkText(text: string, where: string): void {
  if (text.replace(ENTITY, '').includes('&')) throw new Error(`bare & in ${where}: ${text.slice(0, 80)}`);
  if (text.includes('<')) throw new Error(`raw < in ${where}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(text)) throw new Error(`control character in ${where}`);
}

/** Throws on the first well-formedness error; returns every element in document order. */
export function parseXml(xml: string): XmlElement[] {
  let rest = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: XmlElement[] = [];
  const all: XmlElement[] = [];
  let roots = 0;
  const tag = new RegExp(`^<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*"[^"<]*")*)\\s*(/?)>`);
  const attr = new RegExp(`(${NAME})\\s*=\\s*"([^"<]*)"`, 'g');
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const text = lt === -1 ? rest : rest.slice(0, lt);
    if (text.length > 0) {
      checkText(text, 'text');
      if (stack.length === 0 && text.trim() !== '') throw new Error('text outside the root element');
      for (const open of stack) open.text += decode(text);
    }
    if (lt === -1) break;
    rest = rest.slice(lt);
    if (rest.startsWith('<!--')) {
      const end = rest.indexOf('-->');
      if (end === -1) throw new Error('unterminated comment');
      rest = rest.slice(end + 3);
      continue;
    }
    const m = tag.exec(rest);
    if (!m) throw new Error(`malformed tag near: ${rest.slice(0, 60)}`);
    const [whole, closing, name, attrText, selfClosing] = m;
    rest = rest.slice(whole.length);
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const a of attrText.matchAll(attr)) {
      if (a[1] in attributes) throw new Error(`duplicate attribute ${a[1]} on <${name}>`);
      checkText(a[2], `attribute ${a[1]}`);
      attributes[a[1]] = decode(a[2]);
    }
    if (stack.length === 0) roots += 1;
    const element: XmlElement = { name, attributes, text: '' };
    all.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (roots !== 1) throw new Error(`expected one root element, found ${roots}`);
  return all;
}
