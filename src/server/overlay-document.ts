/**
 * The overlay configuration document the server publishes at `/.well-known/reload-config`
 * (RFC 6940 §11.1, §11.2), signed by the server's own peer as configuration-signer and
 * kind-signer, and kept in `<data>/reload-config.xml` so that its sequence survives restarts.
 *
 * §11.1 sequence: "a monotonically increasing sequence number ... Any time the configuration
 * changes, the sequence number MUST be incremented". On start the server builds the document it
 * wants; when the stored one says the same (apart from sequence and signatures) it keeps the
 * stored sequence, otherwise it publishes the next one. A stored document that does not parse or
 * whose signature does not verify is a corrupt configuration: the server stops with one line
 * naming the file rather than silently starting another overlay.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReloadError } from '../reload/runtime/reload-error.js';
import { signConfigurationDocument } from '../reload/security/configuration-signer.js';
import { writeFileAtomic } from '../reload/security/node/private-file.js';
import type { Signer } from '../reload/security/signer.js';
import { signatureAlgorithmElements } from '../reload/security/trust-policy.js';
import { parseOverlayConfiguration, produceOverlayConfiguration } from '../reload/wire/config/index.js';
import { configurationWithDefaults, type Configuration } from '../reload/wire/config/overlay-configuration.js';
import { chordphoneKindBlocks } from '../app/overlay/chordphone-kinds.js';
import { iceServerElements, type IceServer } from '../app/overlay/ice-servers.js';

/** The file under the data directory. */
export const CONFIG_FILE = 'reload-config.xml';
/** §11.1 sequence is 16 bits; 65535 is never used (§6.3.2.1 compares modulo 65535). */
const MAX_SEQUENCE = 65534;

export interface OverlayDocumentInit {
  readonly overlay: string;
  readonly rootCert: Uint8Array;
  /** The server peer: configuration-signer and kind-signer (§11.1). */
  readonly signer: Signer;
  readonly enrollmentServers: readonly string[];
  /** `cp:bootstrap-ws` URLs. */
  readonly bootstrapWebSockets: readonly string[];
  readonly iceServers?: readonly IceServer[];
  /** Overrides (timers, sizes) on top of the server's defaults. */
  readonly overrides?: Partial<Configuration>;
}

/** The stored configuration document is unreadable or fails its checks. */
export class CorruptConfigurationError extends Error {
  override readonly name = 'CorruptConfigurationError';
}

export interface OverlayDocument {
  readonly xml: string;
  readonly configuration: Configuration;
}

/** What the server publishes (unsigned, with `sequence`). */
export function serverConfiguration(init: OverlayDocumentInit, sequence: number): Configuration {
  return configurationWithDefaults({
    instanceName: init.overlay,
    sequence,
    rootCerts: [init.rootCert],
    enrollmentServers: [...init.enrollmentServers],
    bootstrapWebSockets: [...init.bootstrapWebSockets],
    configurationSigners: [init.signer.nodeId],
    kindSigners: [init.signer.nodeId],
    requiredKinds: chordphoneKindBlocks(),
    // Browsers enroll ECDSA P-256 or RSA keys; both are allowed (reload/security/trust-policy.ts).
    extensions: [...signatureAlgorithmElements(['rsa', 'ecdsa-p256']), ...iceServerElements(init.iceServers ?? [])],
    // §6.6.3.1-style liveness is per link; Chord's own timers are shortened for a small,
    // interactive overlay (chord-update-interval in seconds, §10.7.4.3).
    chordUpdateInterval: 60,
    chordPingInterval: 60,
    maxMessageSize: 64_000,
    ...init.overrides,
  });
}

/** The document in `<dataDir>/reload-config.xml` (written or re-signed as needed). */
export async function loadOrCreateOverlayDocument(dataDir: string, init: OverlayDocumentInit): Promise<OverlayDocument> {
  const path = join(dataDir, CONFIG_FILE);
  const previous = await readPrevious(path);
  let sequence = 1;
  if (previous && previous.instanceName === init.overlay) {
    const old = previous.sequence ?? 0;
    sequence = sameContent(previous, serverConfiguration(init, old)) ? old : (old % MAX_SEQUENCE) + 1;
  }
  const configuration = serverConfiguration(init, sequence);
  const xml = await signConfigurationDocument({ configurations: [configuration] }, init.signer, { kindSigner: init.signer });
  await writeFileAtomic(path, xml, 0o644);
  return { xml, configuration };
}

async function readPrevious(path: string): Promise<Configuration | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new CorruptConfigurationError(`cannot read ${path} (${code ?? String(e)})`);
  }
  try {
    // Our own file: it must parse and pass the §11.1 checks; its signature is not re-checked (the
    // certificate that made it may have been renewed since).
    const c = parseOverlayConfiguration(text).configurations[0];
    if (!c) throw new Error('it holds no configuration');
    return c;
  } catch (e) {
    const reason = e instanceof ReloadError ? new TextDecoder().decode(e.info) : e instanceof Error ? e.message : String(e);
    throw new CorruptConfigurationError(`${path} is not a valid overlay configuration (${oneLine(reason)}); repair it or delete it to publish a new one`);
  }
}

/** Equal apart from the signatures (and kind-signatures). */
function sameContent(a: Configuration, b: Configuration): boolean {
  const strip = (c: Configuration): Configuration => ({ ...c, signatures: [], requiredKinds: c.requiredKinds.map((k) => ({ kind: k.kind })) });
  try {
    return produceOverlayConfiguration({ configurations: [strip(a)] }) === produceOverlayConfiguration({ configurations: [strip(b)] });
  } catch {
    return false;
  }
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
