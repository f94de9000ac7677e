import { describe, expect, it } from 'vitest';
import type { Destination } from '../wire/destination.js';
import { UNFRAGMENTED, type ForwardingHeader } from '../wire/forwarding-header.js';
import { ForwardingOptionFlag } from '../wire/forwarding-option.js';
import { ErrorCode } from '../wire/message-codes.js';
import { overlayParameters } from './overlay-parameters.js';
import { decideRoute, type RouteContext } from './route-decision.js';
import { WILDCARD_NODE_ID, type Router } from './router.js';

const id = (b: number) => new Uint8Array(16).fill(b);
const node = (b: number): Destination => ({ kind: 'node', nodeId: id(b) });
const resource = (b: number): Destination => ({ kind: 'resource', resourceId: Uint8Array.of(b) });
const SELF = 0x50;
const FROM = 0x40;

/** We are responsible for resource 0x50 and for Node-IDs 0x41..0x50; connected to 0x40, 0x45 and 0x60. */
const router: Router = {
  isResponsible: (t) => (t.kind === 'resource' ? t.resourceId[0] === 0x50 : t.nodeId[0]! > 0x40 && t.nodeId[0]! <= 0x50),
  nextHop: () => id(0x60),
};
const ctx: RouteContext = {
  self: id(SELF),
  parameters: overlayParameters({ overlay: 7 }),
  router,
  linkState: (n) => ([0x40, 0x45, 0x60].includes(n[0]!) ? 'open' : undefined),
  understandsForwardingOption: (t) => t === 0x33,
};

function header(h: Partial<ForwardingHeader>): ForwardingHeader {
  return { overlay: 7, configurationSequence: 0, version: 10, ttl: 50, fragment: UNFRAGMENTED, length: 200, transactionId: 1n, maxResponseLength: 0, viaList: [], destinationList: [node(0x90)], options: [], ...h };
}

describe('decideRoute (RFC 6940 §6.1)', () => {
  it.each([
    // [name, header, from, expected action, extra expectations]
    ['own Node-ID, only entry: deliver (§6.1.1)', { destinationList: [node(SELF)] }, FROM, 'deliver'],
    ['wildcard Node-ID: consumed locally (§6.1.1)', { destinationList: [{ kind: 'node', nodeId: WILDCARD_NODE_ID } as Destination, node(0x90)] }, FROM, 'deliver'],
    ['a Resource-ID we are responsible for, only entry: deliver', { destinationList: [resource(0x50)] }, FROM, 'deliver'],
    ['a Resource-ID we are responsible for but not the only entry: silently dropped', { destinationList: [resource(0x50), node(0x90)] }, FROM, 'drop'],
    ['a Node-ID in our range, not connected: silently dropped (§6.1.1)', { destinationList: [node(0x48)] }, FROM, 'drop'],
    ['an opaque ID we did not issue: dropped (§6.1.3)', { destinationList: [{ kind: 'opaque', opaqueId: Uint8Array.of(1) } as Destination] }, FROM, 'drop'],
    ['empty destination list: dropped', { destinationList: [] }, FROM, 'drop'],
    ['other version: dropped', { version: 1 }, FROM, 'drop'],
    ['TTL 0 for this node: delivered', { ttl: 0, destinationList: [node(SELF)] }, FROM, 'deliver'],
  ] as const)('%s', (_name, h, from, action) => {
    expect(decideRoute(header(h as Partial<ForwardingHeader>), id(from), ctx).action).toBe(action);
  });

  it.each([
    ['another overlay', { overlay: 8 }, ErrorCode.Error_Incompatible_with_Overlay],
    ['longer than max-message-size (§6.6)', { length: 5001 }, ErrorCode.Error_Message_Too_Large],
    ['TTL above initial-ttl (§6.3.2)', { ttl: 101 }, ErrorCode.Error_TTL_Exceeded],
    ['TTL 0 and not for this node (§6.3.2)', { ttl: 0 }, ErrorCode.Error_TTL_Exceeded],
    ['this node on the via list, routed by the topology (RFC 7851 §6.2)', { viaList: [node(0x10), node(SELF)] }, ErrorCode.Error_Loop_Detected],
    ['a duplicate destination (§13.6.5)', { destinationList: [node(0x90), node(0x91), node(0x90)] }, ErrorCode.Error_Invalid_Message],
    ['a duplicate far apart on a long destination list (§13.6.5)', { destinationList: [...Array.from({ length: 20 }, (_, i) => node(0x90 + i)), node(0x91)] }, ErrorCode.Error_Invalid_Message],
    ['an unknown FORWARD_CRITICAL option (§6.3.2.3)', { options: [{ type: 0x34, flags: ForwardingOptionFlag.FORWARD_CRITICAL, option: new Uint8Array() }] }, ErrorCode.Error_Unsupported_Forwarding_Option],
  ] as const)('error: %s', (_name, h, code) => {
    const d = decideRoute(header(h as Partial<ForwardingHeader>), id(FROM), ctx);
    expect(d).toMatchObject({ action: 'error', errorCode: code });
  });

  it('the same bytes as different kinds of destination are no duplicate (§13.6.5)', () => {
    const nodeAndResource = [node(0x90), { kind: 'resource', resourceId: id(0x90) } as Destination];
    for (const list of [nodeAndResource, [...Array.from({ length: 20 }, (_, i) => node(0x70 + i)), ...nodeAndResource]]) {
      expect(decideRoute(header({ destinationList: list }), id(FROM), ctx).action).toBe('forward');
    }
  });

  it('tells duplicates of every kind alike on short and long destination lists (§13.6.5)', () => {
    const opaque = (...b: number[]): Destination => ({ kind: 'opaque', opaqueId: Uint8Array.of(...b) });
    const compressed = (n: number): Destination => ({ kind: 'compressed', id: n });
    const unknown = (type: number, ...b: number[]): Destination => ({ kind: 'unknown', type, data: Uint8Array.of(...b) });
    const same: [Destination, Destination][] = [
      [opaque(1, 2), opaque(1, 2)],
      [compressed(0x8001), compressed(0x8001)],
      [unknown(9, 1), unknown(9, 1)],
      [{ kind: 'resource', resourceId: Uint8Array.of(1, 2) }, { kind: 'resource', resourceId: Uint8Array.of(1, 2) }],
    ];
    const different: [Destination, Destination][] = [
      [opaque(1, 2), opaque(1, 2, 0)],
      [compressed(0x8001), compressed(0x8002)],
      [unknown(9, 1), unknown(10, 1)],
      [unknown(9, 1), unknown(9, 2)],
      [opaque(0x80, 0x01), compressed(0x8001)],
      [resource(0x90), node(0x91)],
    ];
    const padding = Array.from({ length: 20 }, (_, i) => node(0x70 + i));
    for (const lead of [[node(0x90)], [node(0x90), ...padding]]) {
      for (const [a, b] of same) expect(decideRoute(header({ destinationList: [...lead, a, b] }), id(FROM), ctx)).toMatchObject({ action: 'error', errorCode: ErrorCode.Error_Invalid_Message });
      for (const [a, b] of different) expect(decideRoute(header({ destinationList: [...lead, a, b] }), id(FROM), ctx).action).toBe('forward');
    }
  });

  it('max-message-size is the message as its originator sent it: the via list relays added is not counted (§6.6, §6.3.2)', () => {
    // 5000 bytes when sent, 18 bytes more (one Node-ID on the via list) at the second relay.
    expect(decideRoute(header({ length: 5018, viaList: [node(0x10)] }), id(FROM), ctx).action).toBe('forward');
    expect(decideRoute(header({ length: 5019, viaList: [node(0x10)] }), id(FROM), ctx)).toMatchObject({ action: 'error', errorCode: ErrorCode.Error_Message_Too_Large });
  });

  it('relays toward another ID: TTL − 1, the previous hop appended to the via list (§6.1.2)', () => {
    const d = decideRoute(header({ viaList: [node(0x10)] }), id(FROM), ctx);
    expect(d).toMatchObject({ action: 'forward', target: { kind: 'node', nodeId: id(0x90) }, relayedFrom: id(FROM), popped: 0 });
    expect(d.action === 'forward' && d.header).toEqual(header({ ttl: 49, viaList: [node(0x10), node(FROM)] }));
  });

  it('pops its own entry and routes on the next one (§6.1.1)', () => {
    const d = decideRoute(header({ destinationList: [node(SELF), node(0x90), node(0x91)] }), id(FROM), ctx);
    expect(d).toMatchObject({ action: 'forward', target: { kind: 'node', nodeId: id(0x90) }, header: { destinationList: [node(0x90), node(0x91)] }, popped: 1 });
  });

  it('forwards to a directly connected Node-ID even inside our range (a client, §6.1.1)', () => {
    expect(decideRoute(header({ destinationList: [node(0x45)] }), id(FROM), ctx)).toMatchObject({ action: 'forward', target: { kind: 'node', nodeId: id(0x45) } });
  });

  it('sends a message for a connected Node-ID in our range down its link even while the link is suspect (§6.1.1)', () => {
    const suspectCtx: RouteContext = { ...ctx, linkState: (n) => (n[0] === 0x45 ? 'suspect' : ctx.linkState(n)) };
    // Relayed, and with this node on the via list: the route is that link, not the topology's, so no loop.
    for (const viaList of [[], [node(SELF)]]) {
      expect(decideRoute(header({ viaList, destinationList: [node(0x45)] }), id(FROM), suspectCtx)).toMatchObject({ action: 'forward', target: { kind: 'node', nodeId: id(0x45) }, direct: true });
    }
    expect(decideRoute(header({ destinationList: [node(0x45)] }), undefined, suspectCtx)).toMatchObject({ action: 'forward', direct: true });
    // A suspect link outside our range is routed round as before.
    const outside: RouteContext = { ...ctx, linkState: (n) => (n[0] === 0x60 ? 'suspect' : ctx.linkState(n)) };
    const around = decideRoute(header({ destinationList: [node(0x60)] }), id(FROM), outside);
    expect(around).toMatchObject({ action: 'forward', target: { kind: 'node', nodeId: id(0x60) } });
    expect(around.action === 'forward' ? around.direct : 'not forwarded').toBeUndefined();
  });

  it('relays over a direct link named by the list although this node is on the via list: not a loop', () => {
    expect(decideRoute(header({ viaList: [node(SELF)], destinationList: [node(0x60), node(0x10)] }), id(FROM), ctx).action).toBe('forward');
  });

  it('keeps understood and non-critical options', () => {
    const options = [
      { type: 0x33, flags: ForwardingOptionFlag.FORWARD_CRITICAL, option: new Uint8Array() },
      { type: 0x34, flags: ForwardingOptionFlag.DESTINATION_CRITICAL, option: new Uint8Array() },
    ];
    expect(decideRoute(header({ options }), id(FROM), ctx)).toMatchObject({ action: 'forward', header: { options } });
  });

  it('originating: initial TTL and empty via list are left alone; no receipt checks', () => {
    const h = header({ ttl: 100 });
    expect(decideRoute(h, undefined, ctx)).toEqual({ action: 'forward', target: { kind: 'node', nodeId: id(0x90) }, header: h });
    expect(decideRoute(header({ destinationList: [node(SELF)] }), undefined, ctx).action).toBe('deliver');
  });
});
