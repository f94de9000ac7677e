import { describe, expect, it } from 'vitest';
import { parseOverlayConfiguration, produceOverlayConfiguration } from '../../reload/wire/config/index.js';
import { configurationWithDefaults } from '../../reload/wire/config/overlay-configuration.js';
import { iceServerElements, iceServersOf, parseIceServer } from './ice-servers.js';

describe('ICE servers in the configuration', () => {
  it.each([
    ['stun.example.org', 'stun', { urls: 'stun:stun.example.org' }],
    ['192.0.2.1:3478', 'stun', { urls: 'stun:192.0.2.1:3478' }],
    ['stun:[2001:db8::1]:3478', 'stun', { urls: 'stun:[2001:db8::1]:3478' }],
    ['alice:s3cret@turn.example.org:3478', 'turn', { urls: 'turn:turn.example.org:3478', username: 'alice', credential: 's3cret' }],
    ['turns:u:p@turn.example.org', 'turn', { urls: 'turns:turn.example.org', username: 'u', credential: 'p' }],
  ] as const)('reads %s as a %s server', (text, scheme, expected) => {
    expect(parseIceServer(text, scheme)).toEqual(expected);
  });

  it.each([['a b', 'stun'], ['turn.example.org', 'turn'], ['stun:host/path', 'stun'], ['', 'stun']] as const)('refuses %j as a %s server', (text, scheme) => {
    expect(() => parseIceServer(text, scheme)).toThrow(RangeError);
  });

  it('survives producing and parsing the configuration document', () => {
    const servers = [{ urls: 'stun:192.0.2.1:3478' }, { urls: 'turn:192.0.2.2:3478', username: 'u', credential: 'p&<"' }];
    const c = configurationWithDefaults({ instanceName: 'x.example', extensions: iceServerElements(servers) });
    const xml = produceOverlayConfiguration({ configurations: [c] });
    expect(iceServersOf(parseOverlayConfiguration(xml).configurations[0]!)).toEqual(servers);
  });
});
