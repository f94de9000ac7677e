import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FakePhone, FakeSession, fakeCall } from '../history/fake-session.js';
import { CallLayer } from './CallLayer.js';
import { Dialer } from './Dialer.js';

function layerWith(...calls: Parameters<typeof fakeCall>[]): string {
  const session = new FakeSession();
  const phone = new FakePhone('sip:alice@test.example');
  session.ready('alice', 'test.example', phone);
  for (const c of calls) phone.setCall(fakeCall(...c));
  // React marks text boundaries with empty comments; read the text as a person would.
  return renderToString(<CallLayer session={session} navigate={() => {}} />).replaceAll('<!-- -->', '');
}

/** The attributes of the element whose text is `text` (a button's, say). */
function attrsOf(html: string, tag: string, text: string): string | undefined {
  return new RegExp(`<${tag}([^>]*)>${text.replace(/[()]/g, (c) => `\\${c}`)}</${tag}>`).exec(html)?.[1];
}

describe('CallLayer', () => {
  it('renders nothing without calls', () => {
    expect(layerWith()).toBe('');
  });

  it('an incoming call: who (name and AoR), Answer, Answer with video, Decline', () => {
    const html = layerWith(['c1', { state: 'incoming', remoteUser: 'bob', remoteAor: 'sip:bob@test.example' }]);
    expect(html).toContain('data-testid="call" data-call-id="c1" data-state="incoming" data-direction="incoming"');
    expect(html).toContain('bob is calling you.');
    expect(html).toContain('sip:bob@test.example');
    for (const name of ['Answer', 'Answer with video', 'Decline']) expect(attrsOf(html, 'button', name)).toBeDefined();
  });

  it('a second call during a call: both shown, answering says it holds the first', () => {
    const html = layerWith(['c1', { state: 'connected', direction: 'outgoing', remoteUser: 'carol' }], ['c2', { state: 'incoming', remoteUser: 'bob' }]);
    expect(html.match(/data-testid="call"/g)).toHaveLength(2);
    expect(html.indexOf('data-call-id="c2"')).toBeLessThan(html.indexOf('data-call-id="c1"'));
    expect(html).toContain('Answering puts your call with carol on hold.');
  });

  it('a connected call: timer, meters, Mute pressed when muted, Hold, Keypad, Video, Devices, Call details, Hang up', () => {
    const html = layerWith(['c1', { state: 'connected', direction: 'outgoing', muted: true, connectedAt: Date.now() - 61_000 }]);
    expect(html).toMatch(/role="timer" aria-label="Call duration">01:0[12]</);
    expect(attrsOf(html, 'button', 'Mute')).toContain('aria-pressed="true"');
    expect(attrsOf(html, 'button', 'Video')).toContain('aria-pressed="false"');
    expect(attrsOf(html, 'button', 'Keypad')).toContain('aria-expanded="false"');
    for (const name of ['Hold', 'Devices', 'Call details', 'Hang up']) expect(attrsOf(html, 'button', name)).toBeDefined();
    expect(html).toContain('role="meter" aria-label="Your microphone level" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"');
    expect(html).toContain('aria-label="bob&#x27;s level"');
    expect(html).toContain('(muted)');
  });

  it('held here offers Resume; held by the other side says so and still offers Hold', () => {
    expect(attrsOf(layerWith(['c1', { state: 'connected', held: true, onHold: { local: true, remote: false } }]), 'button', 'Resume')).toBeDefined();
    const remote = layerWith(['c1', { state: 'connected', held: true, onHold: { local: false, remote: true } }]);
    expect(remote).toContain('bob put the call on hold.');
    expect(attrsOf(remote, 'button', 'Hold')).toBeDefined();
  });

  it('DTMF received shows', () => {
    expect(layerWith(['c1', { state: 'connected', dtmfReceived: '12#' }])).toContain('Keys received: 12#');
  });

  it('after the last call, the outcome of the latest: a status when ended, an alert in this side\'s words when failed', () => {
    const ended = layerWith(['c1', { state: 'ended' }]);
    expect(ended).toMatch(/data-testid="call-outcome" data-state="ended" role="status">The call with bob ended.</);
    const declined = layerWith(['c1', { state: 'ended' }], ['c2', { state: 'failed', errorCode: 'declined' }]);
    expect(declined).toMatch(/data-testid="call-outcome" data-state="failed" role="alert">You declined the call from bob.</);
    expect(attrsOf(declined, 'button', 'Dismiss')).toBeDefined();
  });
});

describe('Dialer', () => {
  function dialer(target?: string): string {
    const session = new FakeSession();
    session.ready('alice', 'test.example', new FakePhone('sip:alice@test.example'));
    return renderToString(<Dialer session={session} navigate={() => {}} {...(target !== undefined ? { target: { view: 'phone', with: target } } : {})} />);
  }

  it('"Call address" and "Call", the formats in words, a "Video call" option', () => {
    const html = dialer();
    expect(html).toMatch(/<label for="([^"]+)">Call address<\/label>/);
    expect(attrsOf(html, 'button', 'Call')).not.toContain('disabled');
    expect(html).toContain('A name (bob), name@test.example or sip:bob@test.example.');
    expect(html).toMatch(/type="checkbox"[^>]*\/> Video call/);
  });

  it('#/phone/<address> prefills', () => {
    expect(dialer('carol@test.example')).toContain('value="carol@test.example"');
  });

  it('what is wrong with a typed address is said at once, tied to the box', () => {
    const html = dialer('tel:123');
    expect(html).toContain('aria-invalid="true"');
    const describedBy = /aria-describedby="([^"]+)"/.exec(html)?.[1];
    expect(html).toMatch(new RegExp(`id="${describedBy}"[^>]*>&quot;tel:&quot; addresses cannot be called here`));
  });
});
