/**
 * The configuration document's XML parser (xml-parser.ts): one row per construct XML 1.0 and
 * Namespaces in XML 1.0 let a document use, each giving the expected namespace-resolved tree, and
 * one row per refusal, each a ConfigurationError at path `document` naming the offset (and line and
 * column) of the fault.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from './configuration-error.js';
import { MAX_ELEMENT_DEPTH, readXmlDocument } from './xml-parser.js';
import { XML_NAMESPACE, isElement } from './xml-tree.js';
import type { XmlElement, XmlNode } from './xml-tree.js';

/** A tree without offsets, for comparing structure: `{ns}name`, attributes `{ns}name=value`, children. */
type Shape = string | { readonly el: string; readonly attrs?: readonly string[]; readonly kids?: readonly Shape[] };

function shape(node: XmlNode): Shape {
  if (!isElement(node)) return node.text;
  const el = `{${node.namespace}}${node.name}`;
  const attrs = node.attributes.map((a) => `{${a.namespace}}${a.name}=${a.value}`);
  const kids = node.children.map(shape);
  return { el, ...(attrs.length > 0 ? { attrs } : {}), ...(kids.length > 0 ? { kids } : {}) };
}

const U1 = 'urn:example:one';
const U2 = 'urn:example:two';

describe('readXmlDocument: accepted constructs', () => {
  const rows: [string, string, Shape][] = [
    ['an empty root element', '<a/>', { el: '{}a' }],
    ['start and end tag with nothing between', '<a></a>', { el: '{}a' }],
    ['white space in tags', '<a  x = "1"\n\ty=\'2\' ></a  >', { el: '{}a', attrs: ['{}x=1', '{}y=2'] }],
    ['both quote styles, each holding the other', `<a x="it's" y='say "hi"'/>`, { el: '{}a', attrs: [`{}x=it's`, '{}y=say "hi"'] }],
    ['white-space-only text kept', '<a> <b/>\n</a>', { el: '{}a', kids: [' ', { el: '{}b' }, '\n'] }],
    ['nested elements and text', '<a>x<b>y<c/>z</b>w</a>', { el: '{}a', kids: ['x', { el: '{}b', kids: ['y', { el: '{}c' }, 'z'] }, 'w'] }],
    ['predefined entities in text', '<a>&lt;&gt;&amp;&quot;&apos;</a>', { el: '{}a', kids: [`<>&"'`] }],
    ['character references, decimal and hex, leading zeros', '<a>&#65;&#x42;&#x0043;&#0068;&#x1F600;&#xa9;</a>', { el: '{}a', kids: ['ABCD😀©'] }],
    ['references in attribute values', '<a x="&lt;&amp;&#x41;&quot;"/>', { el: '{}a', attrs: ['{}x=<&A"'] }],
    ['">" in text and attribute values', '<a x="a>b">1 > 0</a>', { el: '{}a', attrs: ['{}x=a>b'], kids: ['1 > 0'] }],
    ['a CDATA section, markup inside taken as text', '<a><![CDATA[<b>&amp;]]]]></a>', { el: '{}a', kids: ['<b>&amp;]]'] }],
    ['an empty CDATA section adds no text', '<a><![CDATA[]]></a>', { el: '{}a' }],
    ['text, CDATA and references are one run', '<a>x<![CDATA[y]]>&amp;z</a>', { el: '{}a', kids: ['xy&z'] }],
    ['comments skipped, the text either side one run', '<!-- before --><a>x<!-- in -->y<!---->z</a><!-- after -->', { el: '{}a', kids: ['xyz'] }],
    ['a comment with single dashes', '<a><!-- a - b -c- --></a>', { el: '{}a' }],
    ['processing instructions skipped', '<?pi data?><a>x<?target some data ?>y<?t?></a><?after?>', { el: '{}a', kids: ['xy'] }],
    ['a PI with quotes and markup-like data', `<a><?pi say "it's" <b> &x ?></a>`, { el: '{}a' }],
    ['a PI whose target starts with xml', '<?xml-stylesheet href="a"?><a/>', { el: '{}a' }],
    ['a byte order mark', '\uFEFF<a/>', { el: '{}a' }],
    ['white space around the root', ' \n\t<a/>\r\n ', { el: '{}a' }],
    ['line ends in text normalized (§2.11)', '<a>1\r\n2\r3\n4</a>', { el: '{}a', kids: ['1\n2\n3\n4'] }],
    ['line ends in CDATA normalized', '<a><![CDATA[1\r\n2\r3]]></a>', { el: '{}a', kids: ['1\n2\n3'] }],
    ['literal white space in attribute values becomes spaces (§3.3.3)', '<a x="1\t2\n3\r\n4\r5"/>', { el: '{}a', attrs: ['{}x=1 2 3 4 5'] }],
    ['character references to white space in attribute values kept (§3.3.3)', '<a x="1&#9;2&#10;3&#13;4"/>', { el: '{}a', attrs: ['{}x=1\t2\n3\r4'] }],
    ['non-ASCII names and name characters', '<café x.y-z_1="1"><ü·/></café>', { el: '{}café', attrs: ['{}x.y-z_1=1'], kids: [{ el: '{}ü·' }] }],
    ['a default namespace, inherited', `<a xmlns="${U1}"><b/></a>`, { el: `{${U1}}a`, kids: [{ el: `{${U1}}b` }] }],
    ['a default namespace undeclared and redeclared', `<a xmlns="${U1}"><b xmlns=""><c/></b><d xmlns="${U2}"/><e/></a>`, { el: `{${U1}}a`, kids: [{ el: '{}b', kids: [{ el: '{}c' }] }, { el: `{${U2}}d` }, { el: `{${U1}}e` }] }],
    ['prefixes, scoped and shadowed', `<p:a xmlns:p="${U1}"><p:b xmlns:p="${U2}"><p:c/></p:b><p:d/></p:a>`, { el: `{${U1}}a`, kids: [{ el: `{${U2}}b`, kids: [{ el: `{${U2}}c` }] }, { el: `{${U1}}d` }] }],
    ['a prefix declared after its use on the same element', `<p:a p:x="1" xmlns:p="${U1}"/>`, { el: `{${U1}}a`, attrs: [`{${U1}}x=1`] }],
    ['unprefixed attributes in no namespace, even under a default one', `<a xmlns="${U1}" xmlns:q="${U2}" x="1" q:x="2"/>`, { el: `{${U1}}a`, attrs: ['{}x=1', `{${U2}}x=2`] }],
    ['the xml prefix, predeclared and declarable', `<a xml:lang="en"><b xmlns:xml="${XML_NAMESPACE}" xml:space="preserve"/></a>`, { el: '{}a', attrs: [`{${XML_NAMESPACE}}lang=en`], kids: [{ el: '{}b', attrs: [`{${XML_NAMESPACE}}space=preserve`] }] }],
    ['the same local name in two namespaces', `<a xmlns:p="${U1}" xmlns:q="${U2}" p:x="1" q:x="2"/>`, { el: '{}a', attrs: [`{${U1}}x=1`, `{${U2}}x=2`] }],
  ];

  it.each(rows.map(([name, xml, expected]) => ({ name, xml, expected })))('$name', ({ xml, expected }) => {
    expect(shape(readXmlDocument(xml).root)).toEqual(expected);
  });

  it('keeps the qualified names as written', () => {
    const { root } = readXmlDocument(`<p:a xmlns:p="${U1}" p:x="1"><b/></p:a>`);
    expect(root.qname).toBe('p:a');
    expect(root.attributes[0]?.qname).toBe('p:x');
    expect((root.children[0] as XmlElement).qname).toBe('b');
  });

  it.each([
    ['none', '<a/>', undefined],
    ['version only', '<?xml version="1.0"?><a/>', { version: '1.0' }],
    ['all three, single quotes, spaces around "="', `<?xml version = '1.1' encoding='utf-8'  standalone="yes" ?>\n<a/>`, { version: '1.1', encoding: 'utf-8', standalone: 'yes' }],
    ['after a byte order mark', '\uFEFF<?xml version="1.0" encoding="UTF-8"?><a/>', { version: '1.0', encoding: 'UTF-8' }],
  ] as const)('XML declaration: %s', (_name, xml, declaration) => {
    expect(readXmlDocument(xml).declaration).toEqual(declaration);
  });

  it('records each element’s offsets in the text as written: its first "<" and just past its last ">"', () => {
    const xml = '<?xml version="1.0"?>\r\n<a>\r\n  <b x="1"/>\r\n  <c>t<d></d ></c>\r\n</a>\r\n';
    const { root } = readXmlDocument(xml);
    const [b, c] = root.children.filter(isElement);
    const d = c?.children.find(isElement);
    expect(xml.slice(root.start, root.end)).toBe('<a>\r\n  <b x="1"/>\r\n  <c>t<d></d ></c>\r\n</a>');
    expect(b && xml.slice(b.start, b.end)).toBe('<b x="1"/>');
    expect(c && xml.slice(c.start, c.end)).toBe('<c>t<d></d ></c>');
    expect(d && xml.slice(d.start, d.end)).toBe('<d></d >');
  });

  it(`accepts elements nested ${MAX_ELEMENT_DEPTH} deep`, () => {
    const xml = '<a>'.repeat(MAX_ELEMENT_DEPTH) + '</a>'.repeat(MAX_ELEMENT_DEPTH);
    let depth = 0;
    for (let el: XmlElement | undefined = readXmlDocument(xml).root; el; el = el.children.find(isElement)) depth++;
    expect(depth).toBe(MAX_ELEMENT_DEPTH);
  });

  it('reads a wide document (many siblings, many attributes) without trouble', () => {
    const attrs = Array.from({ length: 2000 }, (_, i) => `a${i}="${i}"`).join(' ');
    const xml = `<r ${attrs}>${'<s/>x'.repeat(20_000)}</r>`;
    const { root } = readXmlDocument(xml);
    expect(root.attributes).toHaveLength(2000);
    expect(root.children).toHaveLength(40_000);
  });
});

/** `at`: the offset the error must name, or a marker whose first occurrence in the text is that offset. */
const refusals: [string, string, RegExp, number | string][] = [
  ['an empty document', '', /no root element/, 0],
  ['only a comment', '<!-- x -->', /no root element/, 10],
  ['two root elements', '<a/><b/>', /more than one root element \(<a> and <b>\)/, '<b'],
  ['text before the root', 'x<a/>', /text is not allowed outside the root element/, 0],
  ['text after the root', '<a/>x', /text is not allowed outside the root element/, 'x'],
  ['a reference outside the root', '<a/>&amp;', /outside the root element/, '&'],
  ['CDATA outside the root', '<a/><![CDATA[x]]>', /unexpected "<!\[CDATA\[" outside the root/, '<!['],
  ['an end tag outside the root', '<a/></a>', /outside the root element/, '</a>'],
  ['mismatched end tag', '<a><b></a></b>', /end tag <\/a> does not match the start tag <b> at line 1, column 4/, '</a>'],
  ['end tag with another prefix', `<p:a xmlns:p="${U1}" xmlns:q="${U1}"></q:a>`, /end tag <\/q:a> does not match/, '</q:a>'],
  ['an unclosed element', '<a><b></b>', /<a> is not closed/, 0],
  ['an unclosed start tag', '<a x="1"', /the start tag of <a> is not closed/, 0],
  ['an unclosed end tag', '<a></a', /the end tag of <a> is not closed/, 6],
  ['garbage in an end tag', '<a></a b>', /the end tag of <a> is not closed/, 'b>'],
  ['"<" not starting a tag', '<a>1 < 2</a>', /"<" must start a tag/, '< 2'],
  ['white space after "<"', '< a/>', /"<" must start a tag/, 0],
  ['a duplicate attribute', '<a x="1" y="2" x="3"/>', /attribute x appears twice on <a>/, 'x="3"'],
  ['a duplicate expanded attribute name', `<a xmlns:p="${U1}" xmlns:q="${U1}" p:x="1" q:x="2"/>`, new RegExp(`attribute \\{${U1}\\}x appears twice`), 'q:x'],
  ['a duplicate namespace declaration', `<a xmlns:p="${U1}" xmlns:p="${U2}"/>`, /attribute xmlns:p appears twice/, `xmlns:p="${U2}"`],
  ['an attribute without a value', '<a x/>', /attribute x of <a> has no "=" and value/, '/>'],
  ['an unquoted attribute value', '<a x=1/>', /must be quoted/, '1'],
  ['no white space between attributes', '<a x="1"y="2"/>', /white space is required before attribute y/, 'y'],
  ['an unclosed attribute value', '<a x="1/>', /value of attribute x is not closed/, '"'],
  ['"<" in an attribute value', '<a x="1<2"/>', /"<" is not allowed in the value of attribute x/, '<2'],
  ['an undeclared element prefix', '<a><zz:thing/></a>', /namespace prefix "zz" is not declared/, '<zz'],
  ['an undeclared attribute prefix', '<a zz:x="1"/>', /namespace prefix "zz" is not declared/, 'zz'],
  ['a prefix used outside its scope', `<a><b xmlns:p="${U1}"/><p:c/></a>`, /namespace prefix "p" is not declared/, '<p:c'],
  ['a prefix undeclared (XML 1.0 namespaces cannot)', '<a xmlns:p=""/>', /prefix "p" cannot be undeclared/, 'xmlns:p'],
  ['xml bound to another namespace', `<a xmlns:xml="${U1}"/>`, /prefix "xml" cannot be bound/, 'xmlns:xml'],
  ['another prefix bound to the xml namespace', `<a xmlns:x="${XML_NAMESPACE}"/>`, /prefix "x" cannot be bound/, 'xmlns:x'],
  ['the xmlns prefix declared', '<a xmlns:xmlns="urn:x"/>', /prefix "xmlns" cannot be bound/, 'xmlns:xmlns'],
  ['the default namespace set to the xmlns namespace', '<a xmlns="http://www.w3.org/2000/xmlns/"/>', /default namespace cannot be/, 'xmlns'],
  ['an element with the xmlns prefix', '<xmlns:a/>', /reserved for namespace declarations/, 0],
  ['a name with two colons', `<p:a:b xmlns:p="${U1}"/>`, /"p:a:b" is not a valid qualified name/, 0],
  ['a name with an empty prefix', '<:a/>', /":a" is not a valid qualified name/, 0],
  ['an attribute name ending in a colon', '<a x:="1"/>', /"x:" is not a valid qualified name/, 'x:'],
  ['a control character', '<a>\u0001</a>', /character U\+0001 is not allowed in XML/, '\u0001'],
  ['a lone surrogate', '<a>\uD800</a>', /character U\+D800 is not allowed/, '\uD800'],
  ['U+FFFE', '<a x="\uFFFE"/>', /character U\+FFFE is not allowed/, '\uFFFE'],
  ['a NUL in a comment', '<a><!-- \u0000 --></a>', /character U\+0000 is not allowed/, '\u0000'],
  ['a reference to NUL', '<a>&#0;</a>', /character reference &#0; is not an XML character/, '&'],
  ['a reference to a surrogate', '<a>&#xD800;</a>', /&#xD800; is not an XML character/, '&'],
  ['a reference past U+10FFFF', '<a x="&#x110000;"/>', /&#x110000; is not an XML character/, '&'],
  ['a huge decimal reference', '<a>&#99999999999999999999;</a>', /is not an XML character/, '&'],
  ['a reference to U+FFFF', '<a>&#65535;</a>', /is not an XML character/, '&'],
  ['an unknown entity', '<a>&nbsp;</a>', /unknown entity reference &nbsp;/, '&'],
  ['an unknown entity in an attribute', '<a x="&foo;"/>', /unknown entity reference &foo;/, '&'],
  ['a bare "&"', '<a>fish & chips</a>', /"&" must start a reference/, '&'],
  ['a reference without ";"', '<a>&amp</a>', /"&" must start a reference/, '&'],
  ['an empty character reference', '<a>&#;</a>', /malformed character reference/, '&'],
  ['a hex reference without digits', '<a>&#x;</a>', /malformed character reference/, '&'],
  ['a hex reference with an upper-case X', '<a>&#X41;</a>', /malformed character reference/, '&'],
  ['a character reference with bad digits', '<a>&#12a;</a>', /malformed character reference/, '&'],
  ['"]]>" in text', '<a>x]]>y</a>', /"]]>" is not allowed in character data/, ']]>'],
  ['"--" in a comment', '<a><!-- a -- b --></a>', /"--" is not allowed inside a comment/, '-- b'],
  ['a comment ending in "--->"', '<a><!-- a ---></a>', /"--" is not allowed inside a comment/, '---'],
  ['an unclosed comment', '<a><!-- a </a>', /comment is not closed/, '<!--'],
  ['an unclosed CDATA section', '<a><![CDATA[x</a>', /CDATA section is not closed/, '<!['],
  ['an unclosed processing instruction', '<a><?pi x</a>', /processing instruction is not closed/, '<?'],
  ['a processing instruction without a target', '<a><? x?></a>', /without a target/, '<?'],
  ['a processing instruction target with a colon', '<a><?a:b x?></a>', /contains a colon/, '<?'],
  ['a processing instruction target run into its data', '<a><?pi"x"?></a>', /white space expected after the processing instruction target/, '"x"'],
  ['other markup declarations', '<a><!ELEMENT a ANY></a>', /unexpected "<!ELEMENT" in element content/, '<!E'],
  ['a DOCTYPE', '<!DOCTYPE a><a/>', /DOCTYPE declaration is not allowed/, 0],
  ['a DOCTYPE after the declaration and a comment', '<?xml version="1.0"?>\n<!-- c -->\n<!DOCTYPE a SYSTEM "http://a.example/a.dtd"><a/>', /DOCTYPE declaration is not allowed/, '<!DOCTYPE'],
  ['entity expansion (billion laughs)', '<!DOCTYPE a [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;">]><a>&l2;</a>', /DOCTYPE declaration is not allowed/, 0],
  ['an XML declaration not at the start', ' <?xml version="1.0"?><a/>', /XML declaration is allowed only at the very start/, 1],
  ['an XML declaration inside the root', '<a><?xml version="1.0"?></a>', /XML declaration is allowed only at the very start/, '<?'],
  ['an upper-case XML declaration', '<?XML version="1.0"?><a/>', /XML declaration is allowed only at the very start/, 0],
  ['an XML declaration without version', '<?xml encoding="UTF-8"?><a/>', /the XML declaration has no version/, 0],
  ['an empty XML declaration', '<?xml?><a/>', /the XML declaration has no version/, 0],
  ['an XML declaration with version 2.0', '<?xml version="2.0"?><a/>', /bad version in the XML declaration/, 'version'],
  ['an XML declaration out of order', '<?xml encoding="UTF-8" version="1.0"?><a/>', /"version" is not allowed here in the XML declaration/, 'version'],
  ['an XML declaration with a bad standalone', '<?xml version="1.0" standalone="maybe"?><a/>', /bad standalone/, 'standalone'],
  ['an XML declaration with an unknown pseudo-attribute', '<?xml version="1.0" colour="red"?><a/>', /unknown pseudo-attribute "colour"/, 'colour'],
  ['an unclosed XML declaration', '<?xml version="1.0"', /malformed XML declaration/, 19],
  [`elements nested deeper than ${MAX_ELEMENT_DEPTH}`, '<a>'.repeat(MAX_ELEMENT_DEPTH + 1), new RegExp(`nested deeper than ${MAX_ELEMENT_DEPTH} levels`), MAX_ELEMENT_DEPTH * 3],
];

describe('readXmlDocument: refusals', () => {
  it.each(refusals.map(([name, xml, reason, at]) => ({ name, xml, reason, at })))('$name', ({ xml, reason, at }) => {
    const offset = typeof at === 'number' ? at : xml.indexOf(at);
    expect(offset).toBeGreaterThanOrEqual(0);
    let error: unknown;
    try {
      readXmlDocument(xml);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const ce = error as ConfigurationError;
    expect(ce.path).toBe('document');
    expect(ce.reason).toMatch(reason);
    expect(ce.offset).toBe(offset);
    expect(ce.reason).toMatch(/\(line \d+, column \d+\)$/);
  });

  it('names the line and column of the fault, counting CR LF, CR and LF as line ends', () => {
    const xml = '<a>\r\n<b>\r<c>\n  <d x="1" x="2"/></c></b></a>';
    expect(() => readXmlDocument(xml)).toThrow(/attribute x appears twice on <d> \(line 4, column 12\)/);
  });

  it('refuses a document nested a hundred thousand deep with a ConfigurationError, not a stack overflow', () => {
    const xml = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
    expect(() => readXmlDocument(xml)).toThrow(ConfigurationError);
  });

  it('throws nothing but ConfigurationError for any prefix, suffix or one-character corruption of a document', () => {
    const xml = `<?xml version="1.0"?><!-- c --><p:a xmlns:p="${U1}" x='1&amp;'><b>t&#65;<![CDATA[<]]><?pi d?></b><c/></p:a>`;
    for (let i = 0; i <= xml.length; i++) {
      for (const variant of [xml.slice(0, i), xml.slice(i), xml.slice(0, i) + '<' + xml.slice(i + 1), xml.slice(0, i) + '"' + xml.slice(i), xml.slice(0, i) + xml.slice(i + 1)]) {
        try {
          readXmlDocument(variant);
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigurationError);
        }
      }
    }
  });
});
