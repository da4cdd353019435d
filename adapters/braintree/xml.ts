/**
 * A small, strict XML reader for Braintree's webhook payloads (elements, attributes, text,
 * entities, comments, CDATA; no DTDs). It runs only on payloads whose signature verified, and
 * uses no Node API, so webhook handling works on Workers without the SDK's xml2js.
 */

export interface XmlElement {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: XmlElement[];
  text: string;
}

export class XmlError extends Error {}

const NAME = '[A-Za-z_][\\w.:-]*';
const OPEN_TAG = new RegExp(`<(${NAME})`, 'y');
const ATTRIBUTE = new RegExp(`\\s+(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, 'y');
const TAG_END = /\s*(\/?)>/y;
const CLOSE_TAG = new RegExp(`</(${NAME})\\s*>`, 'y');
const ENTITY = /&(?:#x([0-9a-fA-F]+)|#(\d+)|(lt|gt|amp|quot|apos));|&/g;
const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(raw: string): string {
  return raw.replace(ENTITY, (whole, hex?: string, decimal?: string, named?: string) => {
    if (named) return NAMED[named]!;
    const point = hex ? parseInt(hex, 16) : decimal ? Number(decimal) : NaN;
    if (!Number.isInteger(point) || point > 0x10ffff) throw new XmlError(`invalid entity ${whole}`);
    return String.fromCodePoint(point);
  });
}

export function parseXml(source: string): XmlElement {
  let at = 0;

  const expect = (pattern: RegExp): RegExpExecArray => {
    pattern.lastIndex = at;
    const match = pattern.exec(source);
    if (!match) throw new XmlError(`unexpected content at ${at}`);
    at = pattern.lastIndex;
    return match;
  };

  const skipPast = (terminator: string): string => {
    const end = source.indexOf(terminator, at);
    if (end < 0) throw new XmlError(`unterminated construct at ${at}`);
    const skipped = source.slice(at, end);
    at = end + terminator.length;
    return skipped;
  };

  /** Whitespace, comments and processing instructions (the XML declaration) outside the root. */
  const skipProlog = (): void => {
    for (;;) {
      while (at < source.length && /\s/.test(source[at]!)) at += 1;
      if (source.startsWith('<?', at)) skipPast('?>');
      else if (source.startsWith('<!--', at)) skipPast('-->');
      else return;
    }
  };

  const element = (): XmlElement => {
    const name = expect(OPEN_TAG)[1]!;
    const attributes: Record<string, string> = {};
    for (;;) {
      ATTRIBUTE.lastIndex = at;
      const attribute = ATTRIBUTE.exec(source);
      if (!attribute) break;
      at = ATTRIBUTE.lastIndex;
      attributes[attribute[1]!] = decode(attribute[2] ?? attribute[3] ?? '');
    }
    const node: XmlElement = { name, attributes, children: [], text: '' };
    if (expect(TAG_END)[1] === '/') return node;
    for (;;) {
      if (at >= source.length) throw new XmlError(`unclosed element <${name}>`);
      if (source.startsWith('</', at)) {
        const closing = expect(CLOSE_TAG)[1];
        if (closing !== name) throw new XmlError(`</${closing}> closes <${name}>`);
        return node;
      }
      if (source.startsWith('<!--', at)) skipPast('-->');
      else if (source.startsWith('<![CDATA[', at)) {
        at += '<![CDATA['.length;
        node.text += skipPast(']]>');
      } else if (source[at] === '<') node.children.push(element());
      else {
        const next = source.indexOf('<', at);
        const end = next < 0 ? source.length : next;
        node.text += decode(source.slice(at, end));
        at = end;
      }
    }
  };

  skipProlog();
  const root = element();
  skipProlog();
  if (at !== source.length) throw new XmlError('content after the root element');
  return root;
}

export function childElement(parent: XmlElement, name: string): XmlElement | undefined {
  return parent.children.find((child) => child.name === name);
}

/** The trimmed text of a child element; null when it is missing or marked `nil="true"`. */
export function childText(parent: XmlElement, name: string): string | null {
  const child = childElement(parent, name);
  if (!child || child.attributes.nil === 'true') return null;
  return child.text.trim();
}
