import { describe, expect, it } from 'vitest';
import type { Kind } from '../wire/config/overlay-configuration.js';
import { createKindTable, kindFromConfiguration, KindDefinitionError, kindTableFromConfiguration, type KindDefinition } from './kind-table.js';
import type { AccessPolicy } from './access-control.js';
import { createDataStore } from './data-store.js';
import { createMemoryBackend } from './memory-backend.js';
import { FakeOracle } from './testing/fake-oracle.js';
import { FakeTrust } from './testing/fake-trust.js';
import { ManualClock } from '../testing/manual-clock.js';
import { resourceIdHash, TEST_CONFIGURATION } from './testing/storage-fixture.js';
import { webHasher } from '../testing/web-hasher.js';

const base = { extensions: [], maxCount: 2, maxSize: 10 } as const;

describe('Kind table (RFC 6940 §7.4.5, §11.1)', () => {
  it('from the configuration, IANA registrations override data model and access control', () => {
    const t = kindTableFromConfiguration(TEST_CONFIGURATION);
    expect(t.get(1)).toEqual({ id: 1, name: 'SIP-REGISTRATION', dataModel: 'dictionary', accessControl: 'USER-NODE-MATCH', maxCount: 3, maxSize: 200 });
    expect(t.get(2)).toEqual({ id: 2, name: 'TURN-SERVICE', dataModel: 'single', accessControl: 'NODE-MULTIPLE', maxCount: 1, maxSize: 64, maxNodeMultiple: 3 });
    expect(t.get(16)?.dataModel).toBe('array');
    expect(t.get(2001)).toEqual({ id: 2001, dataModel: 'dictionary', accessControl: 'USER-MATCH', maxCount: 4, maxSize: 64 });
    expect(t.models(2002)).toBe('array');
    expect(t.models(0xf00d)).toBeUndefined();
    expect(t.get(0xf00d)).toBeUndefined();
  });

  it('TURN-SERVICE takes the registered counter 20 when the configuration gives none (§9)', () => {
    expect(kindFromConfiguration({ ...base, name: 'TURN-SERVICE', dataModel: 'SINGLE', accessControl: 'NODE-MULTIPLE' } as Kind).maxNodeMultiple).toBe(20);
  });

  it('a Kind given by id that IANA registered gets the registration too', () => {
    expect(kindFromConfiguration({ ...base, id: 1, dataModel: 'SINGLE', accessControl: 'USER-MATCH' } as Kind)).toMatchObject({ id: 1, name: 'SIP-REGISTRATION', dataModel: 'dictionary' });
  });

  it.each([
    { name: 'an unregistered name', make: () => kindFromConfiguration({ ...base, name: 'NO-SUCH-KIND', dataModel: 'SINGLE', accessControl: 'USER-MATCH' } as Kind) },
    { name: 'USER-NODE-MATCH on a single value (§7.3.3)', make: () => createKindTable([def({ accessControl: 'USER-NODE-MATCH', dataModel: 'single' })]) },
    { name: 'NODE-MULTIPLE without max-node-multiple (§11.1)', make: () => createKindTable([def({ accessControl: 'NODE-MULTIPLE' })]) },
    { name: 'a Kind-ID twice', make: () => createKindTable([def({}), def({})]) },
    { name: 'Kind-ID 0 (INVALID)', make: () => createKindTable([def({ id: 0 })]) },
    { name: 'a negative max-count', make: () => createKindTable([def({ maxCount: -1 })]) },
  ])('rejects $name', ({ make }) => {
    expect(make).toThrow(KindDefinitionError);
  });
});

describe('policies the Kinds need', () => {
  const redir = createKindTable([kindFromConfiguration({ ...base, name: 'REDIR', dataModel: 'DICTIONARY', accessControl: 'USER-MATCH' } as Kind)]);
  const clock = new ManualClock();
  const deps = {
    backend: createMemoryBackend(),
    clock,
    epochClock: () => clock.now(),
    verifier: new FakeTrust(),
    hasher: webHasher,
    resourceIdHash,
    responsibility: new FakeOracle(),
  };

  it('REDIR (RFC 7374) needs its NODE-ID-MATCH policy: refused without it, accepted with it', () => {
    expect(redir.get(0x104)?.accessControl).toBe('NODE-ID-MATCH');
    expect(() => createDataStore(deps, { kinds: redir })).toThrow(KindDefinitionError);
    const nodeIdMatch: AccessPolicy = { name: 'NODE-ID-MATCH', check: async () => 'not implemented here' };
    expect(createDataStore(deps, { kinds: redir, extraPolicies: [nodeIdMatch] }).kinds).toBe(redir);
  });
});

function def(d: Partial<KindDefinition>): KindDefinition {
  return { id: 4000, dataModel: 'single', accessControl: 'USER-MATCH', maxCount: 1, maxSize: 1, ...d };
}
