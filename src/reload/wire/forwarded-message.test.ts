import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DecodeError, EncodeError } from './codec/decode-error.js';
import { toHex } from './codec/hex.js';
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  MessageTooLargeError,
  decodeForwardedMessage,
  decodeForwardingHeaderOnly,
  encodeForwardedMessage,
  encodeRelayedMessage,
  encodeWithForwardingHeader,
  type ForwardedMessage,
} from './forwarded-message.js';
import { RELOAD_VERSION, UNFRAGMENTED, type ForwardingHeader } from './forwarding-header.js';
import { ErrorCode, MessageCode } from './message-codes.js';
import { arbForwardedMessage, arbForwardingHeader, arbNodeId } from './testing/envelope.arb.js';
import { decodeFailure, expectOnlyDecodeError, hex } from './testing/codec-test-kit.js';

const NODE = hex('00112233445566778899aabbccddeeff');
const HASH = new Uint8Array(32).fill(0xaa);

// A complete ping_req to a Node-ID, written byte by byte from RFC 6940 §6.3.2, §6.3.3, §6.3.4, §6.5.3.
const PING_REQ_FIELDS = [
  // ForwardingHeader (§6.3.2): 38 fixed bytes + 18 of destination list = 56
  'd2454c4f', //  0 relo_token
  '8a4b7c13', //  4 overlay
  '0001', //  8 configuration_sequence = 1
  '0a', // 10 version = 1.0
  '64', // 11 ttl = 100
  'c0000000', // 12 fragment: unfragmented
  '00000073', // 16 length = 115, the whole message
  '0123456789abcdef', // 20 transaction_id
  '00000000', // 28 max_response_length = 0 (no limit)
  '0000', // 32 via_list_length = 0
  '0012', // 34 destination_list_length = 18
  '0000', // 36 options_length = 0
  '01 10 00112233445566778899aabbccddeeff', // 38 destination: node, length 16, Node-ID
  // MessageContents (§6.3.3): 12 bytes
  '0017', // 56 message_code = ping_req
  '00000002', // 58 message_body length
  '0000', // 62 PingReq.padding<0..2^16-1>, empty
  '00000000', // 64 extensions length = 0
  // SecurityBlock (§6.3.4): 47 bytes
  '0000', // 68 certificates<0..2^16-1>: none
  '04 01', // 70 SignatureAndHashAlgorithm: sha256, rsa (rfc6940-readings #3)
  '01', // 72 SignerIdentity.identity_type = cert_hash
  '0022', // 73 SignerIdentity.length = 34
  '04', // 75 hash_alg = sha256
  '20' + toHex(HASH), // 76 certificate_hash<0..2^8-1>: 32 bytes
  '0004 deadbeef', // 109 signature_value<0..2^16-1>
];
const PING_REQ: ForwardedMessage = {
  forwardingHeader: {
    overlay: 0x8a4b7c13,
    configurationSequence: 1,
    version: RELOAD_VERSION,
    ttl: 100,
    fragment: UNFRAGMENTED,
    length: 115,
    transactionId: 0x0123456789abcdefn,
    maxResponseLength: 0,
    viaList: [],
    destinationList: [{ kind: 'node', nodeId: NODE }],
    options: [],
  },
  messageContents: { messageCode: MessageCode.ping_req, messageBody: hex('0000'), extensions: [] },
  securityBlock: {
    certificates: [],
    signature: {
      algorithm: { hash: 4, signature: 1 },
      identity: { identityType: 1, hashAlg: 4, hash: HASH },
      signatureValue: hex('deadbeef'),
    },
  },
};

function pingWith(i: number, value: string): Uint8Array {
  return hex(PING_REQ_FIELDS.map((f, j) => (j === i ? value : f)).join(''));
}

describe('ForwardedMessage (RFC 6940 §6.3) vectors', () => {
  it('a complete ping_req to a node destination', () => {
    const bytes = hex(PING_REQ_FIELDS.join(''));
    expect(bytes.length).toBe(115);
    expect(decodeForwardedMessage(bytes)).toEqual(PING_REQ);
    expect(toHex(encodeForwardedMessage(PING_REQ))).toBe(toHex(bytes));
  });

  it('computes length on encode, whatever the value given', () => {
    const bytes = encodeForwardedMessage({ ...PING_REQ, forwardingHeader: { ...PING_REQ.forwardingHeader, length: 0 } });
    expect(toHex(bytes)).toBe(toHex(hex(PING_REQ_FIELDS.join(''))));
  });

  it('an intermediate reads only the header and re-encodes it with the payload untouched', () => {
    const bytes = hex(PING_REQ_FIELDS.join(''));
    const { header, headerLength, payload } = decodeForwardingHeaderOnly(bytes);
    expect(header).toEqual(PING_REQ.forwardingHeader);
    expect(headerLength).toBe(56);
    expect(payload.length).toBe(59);
    // Forward: TTL - 1, and the previous hop appended to the via list (§6.1.2).
    const forwarded = encodeWithForwardingHeader({ ...header, ttl: 99, viaList: [{ kind: 'compressed', id: 0x8002 }] }, payload);
    expect(forwarded.length).toBe(117);
    const m = decodeForwardedMessage(forwarded);
    expect(m.forwardingHeader.length).toBe(117);
    expect(m.forwardingHeader.ttl).toBe(99);
    expect(m.messageContents).toEqual(PING_REQ.messageContents);
    expect(m.securityBlock).toEqual(PING_REQ.securityBlock);
  });

  it('header-only decoding does not look past the header', () => {
    const bytes = pingWith(13, 'ffff'); // an unknown message code is fine for an intermediate
    expect(decodeForwardingHeaderOnly(bytes).header.transactionId).toBe(0x0123456789abcdefn);
  });
});

describe('ForwardedMessage failures', () => {
  const rows: { name: string; bytes: () => Uint8Array; path: string; reason?: RegExp }[] = [
    { name: 'bad relo_token', bytes: () => pingWith(0, 'd2454c40'), path: 'ForwardedMessage.ForwardingHeader.reloToken' },
    {
      name: 'length field ≠ input length',
      bytes: () => pingWith(6, '00000074'),
      path: 'ForwardedMessage.ForwardingHeader.length',
      reason: /says 116 bytes but the message has 115/,
    },
    {
      name: 'input truncated by one byte',
      bytes: () => hex(PING_REQ_FIELDS.join('')).slice(0, 114),
      path: 'ForwardedMessage.ForwardingHeader.length',
    },
    {
      name: 'trailing byte (length field counts it)',
      bytes: () => hex(PING_REQ_FIELDS.map((f, i) => (i === 6 ? '00000074' : f)).join('') + '00'),
      path: 'ForwardedMessage',
      reason: /1 trailing byte/,
    },
    {
      name: 'truncated via list (via_list_length runs past the message)',
      bytes: () => pingWith(9, '0100'),
      path: 'ForwardedMessage.ForwardingHeader.viaList',
    },
    {
      name: 'destination list shorter than its destination',
      bytes: () => pingWith(10, '0011'),
      path: 'ForwardedMessage.ForwardingHeader.destinationList[0].Destination.length',
    },
    { name: 'a fragment is not a whole message', bytes: () => pingWith(5, '80000000'), path: 'ForwardedMessage.ForwardingHeader.fragment' },
    {
      name: 'SignerIdentity length disagrees with its hash',
      bytes: () => pingWith(20, '0021'),
      path: 'ForwardedMessage.SecurityBlock.Signature.SignerIdentity.identity.certificateHash',
    },
    {
      name: 'Boolean 2 in an extension critical flag',
      bytes: () => {
        const b = encodeForwardedMessage({
          ...PING_REQ,
          messageContents: { ...PING_REQ.messageContents, extensions: [{ type: 0x100, critical: true, extensionContents: new Uint8Array(0) }] },
        });
        b[56 + 12 + 2] = 2; // header, code+body+extensions length, extension type → critical
        return b;
      },
      path: 'ForwardedMessage.MessageContents.extensions[0].MessageExtension.critical',
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const e = decodeFailure(() => decodeForwardedMessage(row.bytes()));
      expect(e.path).toBe(row.path);
      if (row.reason) expect(e.message).toMatch(row.reason);
    });
  }

  it('rejects a message larger than max-message-size with MessageTooLargeError', () => {
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(5000);
    const bytes = hex(PING_REQ_FIELDS.join(''));
    try {
      decodeForwardedMessage(bytes, { maxMessageSize: 114 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MessageTooLargeError);
      expect(e).toBeInstanceOf(DecodeError);
      const m = e as MessageTooLargeError;
      expect(m.path).toBe('ForwardedMessage.ForwardingHeader.length');
      expect(m.errorCode).toBe(ErrorCode.Error_Message_Too_Large);
      expect(m.messageLength).toBe(115);
    }
    expect(() => decodeForwardingHeaderOnly(bytes, { maxMessageSize: 100 })).toThrow(MessageTooLargeError);
    expect(decodeForwardedMessage(bytes, { maxMessageSize: 115 }).forwardingHeader.length).toBe(115);
  });

  it('the default limit is 5000 bytes', () => {
    const big = { ...PING_REQ, messageContents: { ...PING_REQ.messageContents, messageBody: new Uint8Array(5000) } };
    const bytes = encodeForwardedMessage(big);
    expect(() => decodeForwardedMessage(bytes)).toThrow(MessageTooLargeError);
    expect(decodeForwardedMessage(bytes, { maxMessageSize: 10_000 })).toEqual({
      ...big,
      forwardingHeader: { ...big.forwardingHeader, length: bytes.length },
    });
  });

  it('encode refuses a fragment field and a too-large message', () => {
    expect(() => encodeForwardedMessage({ ...PING_REQ, forwardingHeader: { ...PING_REQ.forwardingHeader, fragment: 0x80000000 } })).toThrow(EncodeError);
    expect(() => encodeForwardedMessage(PING_REQ, { maxMessageSize: 100 })).toThrow(EncodeError);
  });
});

describe('ForwardedMessage properties', () => {
  it('decode(encode(x)) equals x', () => {
    fc.assert(
      fc.property(arbForwardedMessage(), (m) => {
        expect(decodeForwardedMessage(encodeForwardedMessage(m))).toEqual(m);
      }),
      { numRuns: 200 },
    );
  });

  it('encode(decode(b)) equals b, and header-only re-encoding is the identity', () => {
    fc.assert(
      fc.property(arbForwardedMessage(), (m) => {
        const b = encodeForwardedMessage(m);
        expect(toHex(encodeForwardedMessage(decodeForwardedMessage(b)))).toBe(toHex(b));
        const { header, payload } = decodeForwardingHeaderOnly(b);
        expect(toHex(encodeWithForwardingHeader(header, payload))).toBe(toHex(b));
      }),
      { numRuns: 200 },
    );
  });

  it('mutated, truncated or extended bytes raise only DecodeError', () => {
    fc.assert(
      fc.property(arbForwardedMessage(), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: -3, max: 3 }), (m, at, v, grow) => {
        let b = encodeForwardedMessage(m);
        b[at % b.length] = v;
        if (grow < 0) b = b.slice(0, b.length + grow);
        if (grow > 0) b = Uint8Array.from([...b, ...new Uint8Array(grow)]);
        expectOnlyDecodeError(() => decodeForwardedMessage(b));
      }),
      { numRuns: 300 },
    );
  });
});

describe('encodeRelayedMessage (RFC 6940 §6.1.2 relaying on the bytes)', () => {
  /** A received message or fragment: any header (options, unknown and compressed entries…) and payload. */
  const arbRelayCase = fc
    .tuple(arbForwardingHeader(), fc.array(arbNodeId, { maxLength: 3 }), arbNodeId, fc.uint8Array({ maxLength: 48 }))
    .filter(([h]) => h.ttl >= 1)
    .map(([h, own, hop, payload]) => {
      const header: ForwardingHeader = { ...h, destinationList: [...own.map((nodeId) => ({ kind: 'node' as const, nodeId })), ...h.destinationList] };
      return { header, popped: own.length, hop, bytes: encodeWithForwardingHeader(header, payload), payload };
    });

  it('is byte for byte the changed header encoded before the same payload: TTL − 1, hop on the via list, own entries popped', () => {
    fc.assert(
      fc.property(arbRelayCase, ({ header, popped, hop, bytes, payload }) => {
        const changed: ForwardingHeader = {
          ...header,
          ttl: header.ttl - 1,
          viaList: [...header.viaList, { kind: 'node', nodeId: hop }],
          destinationList: header.destinationList.slice(popped),
        };
        const relayed = encodeRelayedMessage(bytes, bytes.length - payload.length, header.ttl, hop, popped);
        expect(relayed).toEqual(encodeWithForwardingHeader(changed, payload));
        expect(decodeForwardingHeaderOnly(relayed!, { maxMessageSize: 1 << 24 }).header).toEqual({ ...changed, length: relayed!.length });
      }),
    );
  });

  it('declines what it cannot splice: a hop that is no Node-ID, TTL 0, more pops than entries', () => {
    const header: ForwardingHeader = { overlay: 1, configurationSequence: 0, version: RELOAD_VERSION, ttl: 5, fragment: UNFRAGMENTED, length: 0, transactionId: 1n, maxResponseLength: 0, viaList: [], destinationList: [{ kind: 'node', nodeId: NODE }], options: [] };
    const bytes = encodeWithForwardingHeader(header, Uint8Array.of(1, 2));
    const headerLength = bytes.length - 2;
    expect(encodeRelayedMessage(bytes, headerLength, 5, NODE, 0)).toBeDefined();
    expect(encodeRelayedMessage(bytes, headerLength, 5, NODE.subarray(1), 0)).toBeUndefined();
    expect(encodeRelayedMessage(bytes, headerLength, 0, NODE, 0)).toBeUndefined();
    expect(encodeRelayedMessage(bytes, headerLength, 5, NODE, 2)).toBeUndefined();
  });
});
