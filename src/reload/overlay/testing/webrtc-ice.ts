/**
 * TESTS ONLY (Node): an IceCapability (overlay-types.ts) made of reload/links/webrtc's offer and
 * answer over node-datachannel on loopback: what a WebRTC PeerNetwork provides, for tests of
 * AppAttach over real WebRTC before the real network is composed.
 */
import { answerWebRtc, offerWebRtc, type IceParameters, type WebRtcInit } from '../../links/webrtc/index.js';
import { nodeRtcConfiguration, nodeWrtc } from '../../links/webrtc/node/index.js';
import type { IceAttachParameters, IceCapability } from '../overlay-types.js';
import { realClock } from './app-overlay-fixture.js';

const utf8 = new TextEncoder();
const text = new TextDecoder();
const toWebRtc = (p: IceAttachParameters): IceParameters => ({ ufrag: text.decode(p.ufrag), password: text.decode(p.password), candidates: p.candidates, dtls: p.dtls });
const fromWebRtc = (p: IceParameters): IceAttachParameters => ({ ufrag: utf8.encode(p.ufrag), password: utf8.encode(p.password), candidates: p.candidates, dtls: p.dtls });

/** An IceCapability made of reload/links/webrtc's offer and answer (what a WebRTC PeerNetwork provides). */
export function webRtcIce(): IceCapability {
  const deps = { clock: realClock };
  const init: WebRtcInit = { wrtc: nodeWrtc, rtcConfiguration: nodeRtcConfiguration([], '127.0.0.1') };
  return {
    async offer() {
      const o = await offerWebRtc(deps, init);
      return { local: fromWebRtc(o.local), complete: async (_answerer, remote, options) => (await o.complete(toWebRtc(remote), options)).link, cancel: () => o.cancel() };
    },
    async answer(_requester, remote) {
      const a = await answerWebRtc(deps, init, toWebRtc(remote));
      return { local: fromWebRtc(a.local), link: a.connection.then((c) => c.link), cancel: () => a.cancel() };
    },
  };
}

