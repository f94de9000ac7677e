import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DecodeError } from './codec/decode-error.js';
import { Reader } from './codec/reader.js';
import { encodeWith } from './codec/writer.js';
import { readMessagePartsFast } from './fast-message-parts.js';
import { readMessageContents, writeMessageContents, type MessageContents } from './message-contents.js';
import { readSecurityBlock, writeSecurityBlock, type SecurityBlock } from './security-block.js';
import { arbMessageContents, arbSecurityBlock } from './testing/envelope.arb.js';

function encodeParts(contents: MessageContents, securityBlock: SecurityBlock): Uint8Array {
  return encodeWith((w) => {
    writeMessageContents(w, contents);
    writeSecurityBlock(w, securityBlock);
  });
}

/** What the full readers make of `bytes` (the parts filling it exactly), or the DecodeError's path. */
function slow(bytes: Uint8Array) {
  try {
    const r = new Reader(bytes);
    const contents = readMessageContents(r);
    const contentsLength = r.offset;
    const securityBlock = readSecurityBlock(r);
    r.end('parts');
    return { contents, contentsLength, securityBlock };
  } catch (e) {
    if (e instanceof DecodeError) return { error: e.path };
    throw e;
  }
}

const arbPlainContents = arbMessageContents().map((c) => ({ ...c, extensions: [] }));

describe('readMessagePartsFast (RFC 6940 §6.3.3, §6.3.4: the path of every message for a node)', () => {
  it('reads MessageContents without extensions and any SecurityBlock as the full readers do', () => {
    fc.assert(
      fc.property(arbPlainContents, arbSecurityBlock(), fc.boolean(), (contents, block, owned) => {
        const bytes = encodeParts(contents, block);
        const fast = readMessagePartsFast(bytes, owned);
        expect(fast).toEqual(slow(bytes));
        expect(fast?.contents.messageBody.buffer === bytes.buffer).toBe(owned);
        expect(fast?.securityBlock.signature.signatureValue.buffer === bytes.buffer).toBe(owned);
      }),
    );
  });

  it('reads the parts from `start` on as it reads them alone (a payload after its forwarding header)', () => {
    fc.assert(
      fc.property(arbPlainContents, arbSecurityBlock(), fc.uint8Array({ maxLength: 60 }), (contents, block, header) => {
        const parts = encodeParts(contents, block);
        const bytes = Uint8Array.of(...header, ...parts);
        const fast = readMessagePartsFast(bytes, true, header.length);
        expect(fast).toEqual(readMessagePartsFast(parts, true));
        expect(fast?.contents.messageBody.buffer).toBe(bytes.buffer);
      }),
    );
  });

  it('leaves messages with extensions to the full readers', () => {
    fc.assert(
      fc.property(arbMessageContents(), arbSecurityBlock(), (contents, block) => {
        fc.pre(contents.extensions.length > 0);
        expect(readMessagePartsFast(encodeParts(contents, block), true)).toBeUndefined();
      }),
    );
  });

  it('accepts nothing the full readers refuse, and agrees on all it accepts (damaged and cut bytes)', () => {
    const inputs = fc.oneof(
      fc
        .tuple(arbPlainContents, arbSecurityBlock(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }))
        .map(([c, b, damage]) => {
          const bytes = encodeParts(c, b);
          for (const [at, v] of damage) bytes[at % bytes.length] = v;
          return bytes;
        }),
      fc.tuple(arbPlainContents, arbSecurityBlock(), fc.nat(200)).map(([c, b, cut]) => encodeParts(c, b).subarray(0, -1 - (cut % 40))),
      fc.tuple(arbPlainContents, arbSecurityBlock(), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([c, b, extra]) => Uint8Array.of(...encodeParts(c, b), ...extra)),
    );
    fc.assert(
      fc.property(inputs, (bytes) => {
        const fast = readMessagePartsFast(bytes, true);
        if (fast !== undefined) expect(fast).toEqual(slow(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses message code 0 (§6.3.3: "This code will never be assigned")', () => {
    const bytes = encodeParts({ messageCode: 1, messageBody: new Uint8Array(0), extensions: [] }, { certificates: [], signature: { algorithm: { hash: 0, signature: 0 }, identity: { identityType: 3 }, signatureValue: new Uint8Array(0) } });
    expect(readMessagePartsFast(bytes, true)).toBeDefined();
    bytes[1] = 0;
    expect(readMessagePartsFast(bytes, true)).toBeUndefined();
  });
});
