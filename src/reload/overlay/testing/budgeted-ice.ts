/**
 * TESTS ONLY: an IceCapability (overlay-types.ts) that only answers, on an injected clock, with
 * answers made as webrtc-network.ts makes them: each takes a PeerConnectionBudget slot, given back
 * when its peer connection closes (cancel) or its channel has not opened within the connect
 * timeout. For the tests of what becomes of an answer whose Attach/AppAttach answer does not go.
 */
import { LinkOpenError, type Link } from '../../links/link.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../../links/webrtc/index.js';
import type { Clock, Timer } from '../../runtime/components.js';
import { DtlsSetupRole } from '../../wire/methods/dtls-fingerprint.js';
import type { IceAttachParameters, IceCapability } from '../overlay-types.js';
import type { PeerConnectionBudget } from '../peer-connection-budget.js';

const utf8 = new TextEncoder();

/** ICE parameters with `ufrag` and a DTLS fingerprint of `fingerprintBytes` bytes. */
export const iceParams = (ufrag: string, fingerprintBytes = 32): IceAttachParameters => ({
  ufrag: utf8.encode(ufrag),
  password: utf8.encode(`${ufrag}-password-0123456789`),
  candidates: [],
  dtls: { hashFunction: utf8.encode('sha-256'), fingerprint: new Uint8Array(fingerprintBytes).fill(9), setup: DtlsSetupRole.actpass },
});

/**
 * Answers with `local`, each holding a slot of `budget` from the start (while it gathers, as
 * webrtc-network.ts counts it) until cancelled or the connect timeout is over; `gatherMs`: how long
 * after the Attach its parameters are ready (default at once).
 */
export function budgetedIce(clock: Clock, budget: PeerConnectionBudget, local: IceAttachParameters, gatherMs = 0): IceCapability {
  return {
    offer: () => Promise.reject(new Error('this peer only answers')),
    answer: async (requester) => {
      const slot = budget.take(requester);
      if (gatherMs > 0) await new Promise<void>((resolve) => clock.setTimer(gatherMs, resolve));
      let timer: Timer | undefined;
      let fail: (e: Error) => void = () => undefined;
      const link = new Promise<Link>((_resolve, reject) => {
        fail = reject;
        timer = clock.setTimer(DEFAULT_CONNECT_TIMEOUT_MS, () => {
          slot.release();
          reject(new Error('the data channel did not open'));
        });
      });
      link.catch(() => undefined);
      return {
        local,
        link,
        // As webrtc-connection.ts's: the closed peer connection fails the link.
        cancel: () => {
          timer?.cancel();
          slot.release();
          fail(new LinkOpenError('the peer connection closed before its channel opened'));
        },
      };
    },
  };
}
