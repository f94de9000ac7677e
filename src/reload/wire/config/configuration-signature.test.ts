import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbOverlayConfiguration } from '../testing/config.arb.js';
import { ConfigurationError } from './configuration-error.js';
import { configurationSignatureInput, kindSignatureInput } from './configuration-signature.js';
import { CONFIG_BASE_NAMESPACE } from './overlay-configuration.js';
import { parseOverlayConfiguration, parseOverlayConfigurationWithSource } from './parse-configuration.js';
import { produceOverlayConfiguration } from './produce-configuration.js';

const example = readFileSync(new URL('./fixtures/rfc6940-example.xml', import.meta.url));

describe('configuration signature input (RFC 6940 §11.1)', () => {
  const { sources } = parseOverlayConfigurationWithSource(new TextDecoder().decode(example));

  it('is the document bytes from <configuration to </configuration>, byte for byte', () => {
    const input = configurationSignatureInput(sources[0]!);
    const start = example.indexOf(Buffer.from('<configuration '));
    const end = example.indexOf(Buffer.from('</configuration>')) + '</configuration>'.length;
    expect(Buffer.from(input).equals(example.subarray(start, end))).toBe(true);
    expect(new TextDecoder().decode(configurationSignatureInput(sources[1]!))).toBe('<configuration instance-name="other.example.net">\n   </configuration>');
  });

  it('is the <kind> element bytes for a kind-signature', () => {
    const input = kindSignatureInput(sources[0]!, 0);
    const start = example.indexOf(Buffer.from('<kind name="SIP-REGISTRATION">'));
    const end = example.indexOf(Buffer.from('</kind>'), start) + '</kind>'.length;
    expect(Buffer.from(input).equals(example.subarray(start, end))).toBe(true);
    expect(() => kindSignatureInput(sources[0]!, 2)).toThrow(RangeError);
  });

  it('encodes non-ASCII text as the UTF-8 the document was served in', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><overlay xmlns="${CONFIG_BASE_NAMESPACE}"><configuration instance-name="é€😀"/></overlay>`;
    const utf8 = new TextEncoder().encode(xml);
    const { sources: s } = parseOverlayConfigurationWithSource(new TextDecoder().decode(utf8));
    const input = configurationSignatureInput(s[0]!);
    const start = Buffer.from(utf8).indexOf(Buffer.from('<configuration'));
    expect(Buffer.from(input).equals(Buffer.from(utf8).subarray(start, utf8.length - '</overlay>'.length))).toBe(true);
  });
});

describe('parser robustness', () => {
  it('property: a produced document with one character changed or dropped raises only ConfigurationError', () => {
    fc.assert(
      fc.property(arbOverlayConfiguration, fc.nat(), fc.constantFrom('', '<', '>', '&', '"', 'x', ' ', '/', '='), (c, at, ch) => {
        const xml = produceOverlayConfiguration(c);
        const i = at % xml.length;
        const mangled = xml.slice(0, i) + ch + xml.slice(i + 1);
        try {
          parseOverlayConfiguration(mangled);
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigurationError);
        }
      }),
      { numRuns: 150 },
    );
  });
});
