/**
 * The configuration producer's XML writer (xml-writer.ts) writes what fast-xml-parser's XMLBuilder
 * wrote for it before (preserveOrder, format, two-space indent, empty elements as `<x/>`), byte for
 * byte, so documents produced (and signed) before keep their text; XMLBuilder stays here only as
 * the oracle. Its output parses back (xml-parser.ts) to the tree written.
 */
import fc from 'fast-check';
import { XMLBuilder } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from './configuration-error.js';
import { readXmlDocument } from './xml-parser.js';
import { isElement } from './xml-tree.js';
import type { XmlNode } from './xml-tree.js';
import { escapeXml, writeXmlDocument } from './xml-writer.js';
import type { XmlOutElement, XmlOutNode } from './xml-writer.js';

const oracleBuilder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  processEntities: true,
});

type Ordered = Record<string, unknown>;

function toOrdered(node: XmlOutNode): Ordered {
  if (typeof node === 'string') return { '#text': node };
  const out: Ordered = { [node.qname]: node.children.map(toOrdered) };
  if (Object.keys(node.attributes).length > 0) out[':@'] = node.attributes;
  return out;
}

function oracle(declaration: Record<string, string>, root: XmlOutElement): string {
  return oracleBuilder.build([{ '?xml': [{ '#text': '' }], ':@': declaration }, toOrdered(root)]) as string;
}

const textChar = fc.constantFrom(...'ab Z0&<>"\'=é\n\t/', '😀');
const anyText = fc.string({ unit: textChar, maxLength: 8 });
// XMLBuilder wrote a tab or line feed in an attribute as it is, which a parser reads back as a
// space (XML 1.0 §3.3.3); ours writes a character reference (the read-back property below).
const attributeText = fc.string({ unit: fc.constantFrom(...'ab Z0&<>"\'=é/', '😀'), maxLength: 8 });
const attributes = fc.dictionary(fc.constantFrom('x', 'id', 'p:name', 'xmlns:q', 'instance-name'), attributeText, { maxKeys: 3 });

const { element } = fc.letrec<{ element: XmlOutElement }>((tie) => ({
  element: fc.record({
    qname: fc.constantFrom('overlay', 'configuration', 'kind', 'chord:chord-reactive', 'x'),
    attributes,
    children: fc.array(fc.oneof({ depthSize: 'small' }, anyText, tie('element')), { maxLength: 4 }),
  }),
}));

/** The tree as the parser returns it: attributes by qname, adjacent text merged, no empty text. */
function parsedShape(node: XmlNode): unknown {
  if (!isElement(node)) return node.text;
  return { qname: node.qname, attributes: Object.fromEntries(node.attributes.map((a) => [a.qname, a.value])), children: node.children.map(parsedShape) };
}

describe('writeXmlDocument', () => {
  it('writes a configuration-like document as the producer always has', () => {
    const root: XmlOutElement = {
      qname: 'overlay',
      attributes: { xmlns: 'urn:ietf:params:xml:ns:p2p:config-base' },
      children: [
        { qname: 'configuration', attributes: { 'instance-name': 'a&b "c"' }, children: [{ qname: 'no-ice', attributes: {}, children: ['false'] }, { qname: 'bootstrap-node', attributes: { port: '1' }, children: [] }] },
        { qname: 'signature', attributes: {}, children: ['AAAA'] },
      ],
    };
    expect(writeXmlDocument({ version: '1.0', encoding: 'UTF-8' }, root)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<overlay xmlns="urn:ietf:params:xml:ns:p2p:config-base">',
        '  <configuration instance-name="a&amp;b &quot;c&quot;">',
        '    <no-ice>false</no-ice>',
        '    <bootstrap-node port="1"/>',
        '  </configuration>',
        '  <signature>AAAA</signature>',
        '</overlay>',
      ].join('\n'),
    );
  });

  it('escapes the five XML-special characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });

  it('property: writes what XMLBuilder wrote, byte for byte (mixed content, empty text and special characters included)', () => {
    fc.assert(
      fc.property(element, fc.constantFrom<Record<string, string>>({ version: '1.0', encoding: 'UTF-8' }, { version: '1.0' }), (root, declaration) => {
        expect(writeXmlDocument(declaration, root)).toBe(oracle(declaration, root));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a character XML cannot carry, rather than write a document no parser takes (XML 1.0 §2.2)', () => {
    expect(() => writeXmlDocument({ version: '1.0' }, { qname: 'x', attributes: { a: 'bad\u0001' }, children: [] })).toThrow(ConfigurationError);
    expect(() => writeXmlDocument({ version: '1.0' }, { qname: 'x', attributes: {}, children: ['\uFFFE'] })).toThrow(ConfigurationError);
  });

  it('property: element-only trees read back as written', () => {
    const elementOnly = fc.letrec<{ element: XmlOutElement }>((tie) => ({
      element: fc.record({
        qname: fc.constantFrom('overlay', 'kind', 'x'),
        attributes: fc.dictionary(fc.constantFrom('x', 'id'), fc.string({ unit: fc.constantFrom(...'ab Z0&<>"\'=é/\t\n\r', '😀'), maxLength: 8 }), { maxKeys: 2 }),
        children: fc.oneof(
          { depthSize: 'small', maxDepth: 5 },
          fc.string({ unit: fc.constantFrom(...'ab&<>"\'é\r'), minLength: 1, maxLength: 8 }).filter((s) => s.trim() !== '').map((s) => [s]),
          fc.array(tie('element'), { maxLength: 3 }),
        ),
      }),
    })).element;
    const shapeOf = (n: XmlOutNode): unknown => (typeof n === 'string' ? n : { qname: n.qname, attributes: n.attributes, children: n.children.map(shapeOf) });
    fc.assert(
      fc.property(elementOnly, (root) => {
        const { root: parsed, declaration } = readXmlDocument(writeXmlDocument({ version: '1.0' }, root));
        expect(declaration).toEqual({ version: '1.0' });
        // Formatting white space between elements aside, the tree is the one written.
        const strip = (n: unknown): unknown =>
          typeof n === 'string' ? n : { ...(n as object), children: ((n as { children: unknown[] }).children as unknown[]).filter((c) => typeof c !== 'string' || c.trim() !== '').map(strip) };
        expect(strip(parsedShape(parsed))).toEqual(shapeOf(root));
      }),
      { numRuns: 300 },
    );
  });
});
