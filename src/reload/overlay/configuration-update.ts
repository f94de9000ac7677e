/**
 * ConfigUpdate (RFC 6940 §6.5.4) and the propagation rule of §6.3.2.1: "if the configuration file in
 * the request is too old, the node MUST generate a ConfigUpdate message to update the requesting
 * node". A client of message transport: it handles config_update_req and pushes this peer's signed
 * Configuration Document to peers whose requests carried an older sequence (wire it to
 * TransportInit.onStaleConfiguration with `staleSender`).
 *
 * §6.5.4.2: a ConfigUpdate of type config "MUST be processed only if all the following are true:
 * The sequence number in the document is greater than the current configuration sequence number.
 * The Configuration Document is correctly digitally signed". The signature is checked by the
 * injected `verifyDocument` (reload/security verifyConfigurationDocument, against the configuration
 * in force: its root-certs and configuration-signers); a bad one is Error_Forbidden, one not newer
 * Error_Config_Too_Old. An accepted document becomes the current one and is handed to
 * `onConfiguration`; applying it (new sequence, Kinds, parameters) means restarting the peer with
 * it, which is the composition root's job.
 *
 * DEVIATION: ConfigUpdates of type kind (new kind-blocks signed by a kind-signer) are refused with
 * Error_Forbidden; Kinds change only with a new Configuration Document.
 */
import type { AbortOptions, Clock, Logger } from '../runtime/components.js';
import { silentLogger } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import type { VerifiedSigner } from '../security/signer.js';
import { ANY_CONFIGURATION_SEQUENCE, isNewerSequence, type IncomingRequest, type MessageTransport, type Reply } from '../transport/index.js';
import { toHex } from '../wire/codec/hex.js';
import type { Configuration } from '../wire/config/overlay-configuration.js';
import type { Destination } from '../wire/destination.js';
import type { NodeId } from '../wire/ids.js';
import { ConfigUpdateType } from '../wire/methods/config-update.js';

export interface ConfigurationUpdateDeps {
  readonly transport: MessageTransport;
  readonly clock: Pick<Clock, 'now'>;
  /**
   * Parse and verify a Configuration Document against `current` (the one in force); resolves with
   * its configuration for this overlay, rejects with ReloadError (Error_Forbidden: bad signature,
   * signer not a configuration-signer; Error_Config_Too_Old).
   */
  readonly verifyDocument: (document: string, current: Configuration) => Promise<Configuration>;
  readonly logger?: Logger;
}

export interface ConfigurationUpdateInit {
  /** The configuration in force. */
  readonly configuration: Configuration;
  /** Its signed Configuration Document as received (what stale peers are sent); none: this peer pushes nothing. */
  readonly document?: string;
  /** A newer, verified configuration was accepted. */
  readonly onConfiguration?: (configuration: Configuration, document: string) => void;
  /** Least time between two pushes to one node (ms); default 30 s. */
  readonly pushIntervalMs?: number;
}

const utf8 = new TextEncoder();

export class ConfigurationUpdateService {
  private configuration: Configuration;
  private document: string | undefined;
  private readonly lastPush = new Map<string, number>();
  private readonly unregister: () => void;
  private readonly log: Logger;

  constructor(
    private readonly deps: ConfigurationUpdateDeps,
    private readonly init: ConfigurationUpdateInit,
  ) {
    this.configuration = init.configuration;
    this.document = init.document;
    this.log = deps.logger ?? silentLogger;
    this.unregister = deps.transport.handle('config_update_req', (req) => this.handle(req));
  }

  /** The configuration in force (the latest accepted). */
  current(): { readonly configuration: Configuration; readonly document: string | undefined } {
    return { configuration: this.configuration, document: this.document };
  }

  /**
   * TransportInit.onStaleConfiguration: `sender` sent a request with an older configuration; push
   * ours (rate-limited), along `route` (the way its answer goes back, §6.2.2) when given: a peer
   * still joining is reachable only through the peer it joins by, not by its Node-ID.
   */
  staleSender(sender: VerifiedSigner, theirSequence: number, route?: readonly Destination[]): void {
    if (!this.document || !isNewerSequence(this.configuration.sequence ?? 0, theirSequence)) return;
    const key = toHex(sender.nodeId);
    const now = this.deps.clock.now();
    const last = this.lastPush.get(key);
    if (last !== undefined && now - last < (this.init.pushIntervalMs ?? 30_000)) return;
    this.lastPush.set(key, now);
    this.push(sender.nodeId, this.document, route ? { route } : {}).catch((e: unknown) => this.log.info('ConfigUpdate was not accepted', { nodeId: key, error: String(e) }));
  }

  /**
   * Send `document` (default ours) to `nodeId` in a ConfigUpdate. §6.3.2.1: it carries
   * configuration_sequence 65535, which a node "MUST" accept "regardless of the receiving node's
   * configuration sequence number". Rejects with the receiver's error answer.
   */
  async push(nodeId: NodeId, document: string | undefined = this.document, options: AbortOptions & { readonly route?: readonly Destination[] } = {}): Promise<void> {
    if (document === undefined) throw new RangeError('no Configuration Document to send');
    const { route, ...rest } = options;
    await this.deps.transport.request(
      route && route.length > 0 ? route : [{ kind: 'node', nodeId }],
      { name: 'config_update_req', value: { type: ConfigUpdateType.config, configData: utf8.encode(document) } },
      { ...rest, configurationSequence: ANY_CONFIGURATION_SEQUENCE },
    );
  }

  close(): void {
    this.unregister();
  }

  private async handle(req: IncomingRequest<'config_update_req'>): Promise<Reply<'config_update_ans'>> {
    const body = req.value;
    if (body.type !== ConfigUpdateType.config || !('configData' in body)) {
      throw ReloadError.of('Error_Forbidden', body.type === ConfigUpdateType.kind ? 'this peer accepts Kind updates only in a new Configuration Document' : `unknown ConfigUpdateType ${body.type}`);
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body.configData);
    } catch {
      throw ReloadError.of('Error_Invalid_Message', 'config_data is not UTF-8');
    }
    // §6.5.4.2: "correctly digitally signed" (verifyDocument refuses otherwise, Error_Forbidden) …
    const configuration = await this.verifiedAgainstCurrent(text);
    if (configuration.instanceName !== this.configuration.instanceName) throw ReloadError.of('Error_Forbidden', `the document is for overlay ${configuration.instanceName}`);
    // … and "The sequence number in the document is greater than the current configuration sequence number."
    const theirs = configuration.sequence ?? 0;
    const ours = this.configuration.sequence ?? 0;
    if (!isNewerSequence(theirs, ours)) throw ReloadError.of('Error_Config_Too_Old', `sequence ${theirs} is not newer than ours (${ours})`);
    this.configuration = configuration;
    this.document = text;
    this.log.info('accepted a newer configuration', { sequence: theirs, from: toHex(req.sender.nodeId) });
    this.init.onConfiguration?.(configuration, text);
    return { value: {} };
  }

  /**
   * `text` verified against the configuration in force once the verification has ended. RFC 6940
   * §11.1: "Any configuration file MUST be signed by one of the configuration-signer elements from
   * the previous extant configuration." Another ConfigUpdate may be accepted while this one is
   * verified (it may drop this one's signer), so the verification is done again whenever the
   * configuration in force changed during it; what follows the last one runs without an await.
   * OUR CHOICE: verifying again rather than handling ConfigUpdates one at a time (SerialQueue), so
   * one slow document does not hold up the others; it loops only while newer configurations keep
   * being accepted.
   */
  private async verifiedAgainstCurrent(text: string): Promise<Configuration> {
    for (;;) {
      const against = this.configuration;
      const configuration = await this.deps.verifyDocument(text, against);
      if (this.configuration === against) return configuration;
    }
  }
}
