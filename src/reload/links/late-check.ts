/** Timers that run late because this end was not running (FramedLink's liveness check, AckWaiters). */

/**
 * OUR CHOICE: a liveness check (or a probe's timeout, AckWaiters) that runs this many ms or more after it was due finds that this end
 * was not running meanwhile (a blocked event loop — every peer of `chordphone serve` shares one
 * process —, a starved or suspended process, a throttled tab). Frames that arrived in that time
 * are still waiting to be read (Node runs due timers before it reads input), so the silence it
 * sees is its own as much as the peer's: that time does not count as the peer's silence (§6.6.3.1
 * and §6.6.5 judge the peer by the ACKs it sends), and the verdict waits until input has been read
 * (LATE_CHECK_GRACE_MS later). Without this, a process blocked for longer than `failureTimeoutMs`
 * closed every one of its links as `dead` the moment it ran again — in `chordphone serve`, the
 * links between its own peers too — though each ack was waiting in its buffer. Lateness under a
 * second (a busy machine) counts as silence as before.
 */
export const LATE_CHECK_MS = 1_000;
/** After a late check (LATE_CHECK_MS), the next one: time for the input that waited to be read. */
export const LATE_CHECK_GRACE_MS = 100;
