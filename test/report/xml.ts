// A strict little XML well-formedness reader for the JUnit tests (no XML library is installed):
// elements, attributes, text, the five entities and numeric references; throws on anything else.
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

function decode(text: string, at: number): string {
  return text.replace(/&([^;]*);?/g, (m, body: string) => {
    if (!m.endsWith(';')) throw new Error(`bare & at ${at}`);
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (body in named) return named[body]!;
    const num = /^#(x[0-9a-fA-F]+|\d+)$/.exec(body);
    if (!num) throw new Error(`unknown entity &${body}; at ${at}`);
    return String.fromCodePoint(num[1]!.startsWith('x') ? parseInt(num[1]!.slice(1), 16) : Number(num[1]));
  });
}

/** Parses a document; throws on any well-formedness error. */
export function parseXml(xml: string): XmlElement {
  let pos = 0;
  if (xml.startsWith('<?xml')) pos = xml.indexOf('?>') + 2;
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(xml)) throw new Error('control character in XML');
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (pos < xml.length) {
    const lt = xml.indexOf('<', pos);
    const text = lt === -1 ? xml.slice(pos) : xml.slice(pos, lt);
    if (text.includes('>') ) throw new Error(`stray > at ${pos}`);
    if (stack.length > 0) stack[stack.length - 1]!.text += decode(text, pos);
    else if (text.trim() !== '') throw new Error(`text outside the root at ${pos}`);
    if (lt === -1) break;
    const gt = xml.indexOf('>', lt);
    if (gt === -1) throw new Error(`unclosed tag at ${lt}`);
    const tag = xml.slice(lt + 1, gt);
    pos = gt + 1;
    if (tag.startsWith('/')) {
      const open = stack.pop();
      if (!open || open.name !== tag.slice(1).trim()) throw new Error(`mismatched </${tag.slice(1)}> at ${lt}`);
      if (stack.length === 0) root = open;
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*$/.exec(body);
    if (!m) throw new Error(`bad tag <${tag}> at ${lt}`);
    const attrs: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([A-Za-z_][\w.-]*)="([^"<]*)"/g)) {
      if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]}`);
      attrs[a[1]!] = decode(a[2]!, lt);
    }
    const el: XmlElement = { name: m[1]!, attrs, children: [], text: '' };
    if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
    else if (root) throw new Error('two roots');
    if (selfClosing) {
      if (stack.length === 0) root = el;
    } else stack.push(el);
  }
  if (stack.length > 0 || !root) throw new Error('unclosed elements at the end');
  return root;
}
