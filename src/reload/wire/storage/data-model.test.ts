import { describe, expect, it } from 'vitest';
import { DecodeError } from '../codec/decode-error.js';
import { decodeAll } from '../codec/reader.js';
import { KindId } from '../message-codes.js';
import {
  DataModelName,
  IANA_KIND_MODELS,
  UnknownKindError,
  UnknownKinds,
  dataModelFromName,
  ianaKindModels,
  kindModelsFrom,
  modelOfKind,
} from './data-model.js';

describe('IANA Kind data models', () => {
  it.each([
    ['SIP-REGISTRATION (RFC 7904 §7)', KindId.SIP_REGISTRATION, 'dictionary'],
    ['TURN-SERVICE (RFC 6940 §9: "a single value for each Resource-ID")', KindId.TURN_SERVICE, 'single'],
    ['CERTIFICATE_BY_NODE (RFC 6940 §8: array)', KindId.CERTIFICATE_BY_NODE, 'array'],
    ['CERTIFICATE_BY_USER (RFC 6940 §8: array)', KindId.CERTIFICATE_BY_USER, 'array'],
    ['REDIR (RFC 7374 §6)', KindId.REDIR, 'dictionary'],
  ] as const)('%s', (_name, kind, model) => {
    expect(IANA_KIND_MODELS.get(kind)).toBe(model);
    expect(ianaKindModels(kind)).toBe(model);
  });

  it('knows nothing else', () => {
    expect(IANA_KIND_MODELS.size).toBe(5);
    expect(ianaKindModels(KindId.INVALID)).toBeUndefined();
    expect(ianaKindModels(0xf0000001)).toBeUndefined();
  });

  it('kindModelsFrom adds configured Kinds on top of the IANA ones', () => {
    const kinds = kindModelsFrom([[0xf0000001, 'array']]);
    expect(kinds(0xf0000001)).toBe('array');
    expect(kinds(KindId.SIP_REGISTRATION)).toBe('dictionary');
    expect(kinds(0xf0000002)).toBeUndefined();
    expect(kindModelsFrom(new Map([[KindId.TURN_SERVICE, 'array']]))(KindId.TURN_SERVICE)).toBe('array');
    expect(kindModelsFrom([], () => undefined)(KindId.TURN_SERVICE)).toBeUndefined();
  });
});

describe('§14.7 Data Model registry names', () => {
  it('maps SINGLE, ARRAY, DICTIONARY both ways', () => {
    expect(DataModelName).toEqual({ single: 'SINGLE', array: 'ARRAY', dictionary: 'DICTIONARY' });
    expect(dataModelFromName('SINGLE')).toBe('single');
    expect(dataModelFromName('ARRAY')).toBe('array');
    expect(dataModelFromName('DICTIONARY')).toBe('dictionary');
  });

  it.each(['INVALID', 'EXP-DATA', 'RESERVED', 'LIST', '', 'single', ' ARRAY'])('has no codec model for %j', (name) => {
    expect(dataModelFromName(name)).toBeUndefined();
  });
});

describe('UnknownKindError', () => {
  const unknownAt = (bytes: Uint8Array) =>
    decodeAll(bytes, 'Thing', (r) =>
      r.scope('Thing', () => {
        r.u8('pad');
        const at = r.offset;
        return modelOfKind(r, ianaKindModels, r.u32('kind'), at);
      }),
    );

  it('is a DecodeError naming the kind field, with the Kind-ID', () => {
    try {
      unknownAt(Uint8Array.of(0, 0xf0, 0, 0, 1));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UnknownKindError);
      expect(e).toBeInstanceOf(DecodeError);
      const u = e as UnknownKindError;
      expect(u.name).toBe('UnknownKindError');
      expect(u.kindId).toBe(0xf0000001);
      expect(u.kindIds).toEqual([0xf0000001]);
      expect(u.path).toBe('Thing.kind');
      expect(u.structure).toBe('Thing');
      expect(u.field).toBe('kind');
      expect(u.offset).toBe(1);
      expect(u.message).toMatch(/unknown Kind 0xf0000001/);
    }
  });

  it('returns the model of a known Kind', () => {
    expect(unknownAt(Uint8Array.of(0, 0, 0, 0, 2))).toBe('single');
  });

  it('UnknownKinds collects distinct Kinds and reports the first site', () => {
    const err = (() => {
      try {
        decodeAll(Uint8Array.of(0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 7), 'L', (r) => {
          const unknown = new UnknownKinds();
          const models = [];
          for (let i = 0; i < 4; i++) {
            const at = r.offset;
            models.push(unknown.model(r, ianaKindModels, r.u32('kind'), at));
          }
          expect(models).toEqual([undefined, 'dictionary', undefined, undefined]);
          unknown.throwIfAny();
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UnknownKindError);
    const u = err as UnknownKindError;
    expect(u.kindId).toBe(9);
    expect(u.kindIds).toEqual([9, 7]);
    expect(u.offset).toBe(0);
    expect(u.path).toBe('L.kind');
    expect(u.reason).toMatch(/0x9, 0x7/);
  });

  it('UnknownKinds is silent when every Kind is known', () => {
    expect(() => new UnknownKinds().throwIfAny()).not.toThrow();
  });
});
