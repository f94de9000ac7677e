/**
 * Admitting a node into a CHORD-RELOAD overlay (RFC 6940 §10.5 steps 5-8, §6.4.2.1), the
 * admitting peer's side: checking the JoinReq, the JoinAns (step 5), the hand-over Stores (step
 * 6), the Update that labels the joining node our predecessor (step 7) and the Updates to our
 * neighbours (step 8), one joining node at a time. The joining node's side is chord-join.ts.
 */
import { nodeIdKey } from '../../forwarding/index.js';
import { AbortError } from '../../runtime/components.js';
import { ReloadError } from '../../runtime/reload-error.js';
import type { IncomingRequest, Reply } from '../../transport/index.js';
import type { NodeId } from '../../wire/ids.js';
import type { ChordCore } from './chord-core.js';
import type { ChordMaintenance } from './chord-maintenance.js';
import { ringPosition, sameId } from './ring.js';

/**
 * Longest a peer still being admitted holds a JoinReq before answering it (handleJoin): within the
 * 15 s maximum request lifetime (RFC 6940 §6.2.1), so the joining node gets an answer, not a timeout.
 */
const ADMIT_WAIT_MS = 10_000;

export class ChordAdmission {
  /** Admissions are done one at a time (§10.5 steps 5-8 for one joining node, then the next). */
  private admissions: Promise<void> = Promise.resolve();

  constructor(
    private readonly core: ChordCore,
    private readonly maintenance: ChordMaintenance,
  ) {}

  /**
   * §6.4.2.1 JoinReq: "Receivers of the JoinReq MUST verify that the joining_peer_id field matches
   * the Node-ID used to sign the message ... MUST verify that any JoinReq they receive arrives from
   * a transport channel that is bound to the Node-ID to be assumed by the Joining Node."
   */
  async handleJoin(req: IncomingRequest<'join_req'>): Promise<Reply<'join_ans'>> {
    const core = this.core;
    const jn = req.value.joiningPeerId;
    if (!sameId(jn, req.sender.nodeId)) throw ReloadError.of('Error_Forbidden', 'joining_peer_id is not the Node-ID that signed the JoinReq');
    if (!req.from || !sameId(req.from, jn) || req.header.viaList.length > 0) throw ReloadError.of('Error_Forbidden', 'a JoinReq must arrive over a link bound to the joining Node-ID');
    // A peer in `joining` already answers for its range (§10.5 step 5), so a node joining just
    // below it can take it as its admitting peer; it admits once its own admission is complete
    // (step 7) instead of refusing a Join it is about to be able to take (many joins at once).
    if (core.state === 'joining') await this.untilNotJoining(ADMIT_WAIT_MS);
    if (core.state !== 'joined') throw ReloadError.of('Error_Forbidden', 'this peer is not part of the overlay');
    // One admission at a time: wait for the previous one to finish.
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const previous = this.admissions;
    this.admissions = previous.then(() => mine);
    await previous;
    const [first, beyond] = core.table.predecessors;
    if (first?.key === nodeIdKey(jn) && core.state === 'joined') {
      // Admitted already: either its JoinAns or our Update was lost and it tried again, or it
      // restarted at once with the same Node-ID (a reloaded tab keeps its certificate) and empty
      // storage, over a link that replaced the old one before we saw that one fail. We cannot tell
      // which, so steps 6-8 again, for the range it had: RFC 6940 §10.5 step 6, "AP MUST do a
      // series of Store requests to JN to store the data that JN will be responsible for";
      // §6.4.2.1, "the responding peer MUST follow up by executing the right sequence of Stores and
      // Updates". A copy it still holds is taken as a repeat (store-operation.ts).
      return this.admitLater(jn, { after: beyond ? beyond.id : core.self, upTo: jn }, release);
    }
    if (!core.router.responsibleFor(ringPosition(jn)) || core.table.has(nodeIdKey(jn)) || core.state !== 'joined') {
      release();
      throw ReloadError.of('Error_Forbidden', 'this peer is not the admitting peer for that Node-ID');
    }
    const oldPred = core.router.effectivePredecessor();
    return this.admitLater(jn, { after: oldPred ? oldPred.id : core.self, upTo: jn }, release);
  }

  /** "The AP MUST send the response to the Join" first (§10.5 step 5); steps 6-8 follow once it is out. */
  private admitLater(jn: NodeId, range: { after: NodeId; upTo: NodeId }, release: () => void): Reply<'join_ans'> {
    this.core.deps.clock.setTimer(0, () => void this.admit(jn, range, release).finally(release));
    return { value: { overlaySpecificData: new Uint8Array(0) } };
  }

  /**
   * §10.5 steps 6-8 for `jn`, then a second hand-over of what was stored for JN's range meanwhile.
   * `release` lets the next queued Join in once steps 6-8 are done (JN has its Update and answers
   * for its range), so a joining node that vanishes right after it joined (a tab closed or
   * reloaded) does not hold every later Join behind that second hand-over.
   *
   * OUR CHOICE: the admission is abandoned the moment JN's link is gone (closed, and no newer link
   * to it took its place): its Stores and Update would otherwise wait out their whole transaction
   * lifetime (§6.2.1, some 15 s) for a peer that is no longer there, and later Joins with them.
   */
  private async admit(jn: NodeId, range: { after: NodeId; upTo: NodeId }, release: () => void): Promise<void> {
    const core = this.core;
    const key = nodeIdKey(jn);
    const gone = new AbortController();
    const stopWatching = core.deps.forwarding.onLinkEvent((e) => {
      if (e.type !== 'removed' || !sameId(e.nodeId, jn)) return;
      // A link replaced by a newer one to the same peer is removed and added in one go.
      queueMicrotask(() => {
        if (!core.deps.forwarding.getLink(jn)) gone.abort(new AbortError('the joining node\'s link closed during its admission'));
      });
    });
    // Closed already (while its Join waited in the queue): no event will come.
    if (!core.deps.forwarding.getLink(jn)) gone.abort(new AbortError('the joining node\'s link closed before its admission'));
    const options = { signal: gone.signal };
    const admitted = this.maintenance.admitting(jn);
    try {
      // Step 6: "AP MUST do a series of Store requests to JN to store the data that JN will be responsible for."
      await core.deps.data.handOver(jn, range, options);
      gone.signal.throwIfAborted();
      this.maintenance.hold();
      try {
        // JN becomes our first predecessor: from now on we route its range to it.
        this.maintenance.addPeer(jn);
        if (!core.table.has(key)) throw new Error('the joining node is gone');
        // Step 7: "AP MUST send JN an Update explicitly labeling JN as its predecessor."
        const outcome = await core.sendUpdate(jn, 'neighbors', options);
        if (outcome === 'refused') throw new Error('our own cap on pending requests refused the Update to the joining node');
        if (outcome !== 'answered') throw new Error('the joining node did not take the Update');
      } finally {
        // Step 8: "The AP MUST send an Update to all of its neighbors (including JN) with the new
        // values of its neighbor set (including JN)."
        this.maintenance.release();
        this.maintenance.scheduleFlush();
      }
      core.log.debug('admitted', { peer: key });
    } catch (e) {
      stopWatching();
      core.log.info('admission failed', { peer: key, error: String(e) });
      return;
    } finally {
      admitted();
    }
    release();
    try {
      // What was stored here for JN's range while the first hand-over ran.
      await core.deps.data.handOver(jn, range, options);
    } catch (e) {
      core.log.debug('late hand-over to an admitted peer abandoned', { peer: key, error: String(e) });
    } finally {
      stopWatching();
    }
  }

  /** Resolves when this peer leaves the `joining` state, or after `ms`. */
  private untilNotJoining(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        unsubscribe();
        timer.cancel();
        resolve();
      };
      const unsubscribe = this.core.subscribe((e) => {
        if (e.type === 'state' && e.state !== 'joining') done();
      });
      const timer = this.core.deps.clock.setTimer(ms, done);
    });
  }
}
