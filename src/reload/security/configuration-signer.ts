/**
 * Signing and verifying the overlay configuration document (RFC 6940 §11.1).
 *
 * §11.1: the configuration element "MUST be signed using the standard SecurityBlock defined in
 * Section 6.3.4. The SecurityBlock MUST be base-64 encoded ... and MUST be put in the signature
 * element following the configuration object in the configuration file. Any configuration file
 * MUST be signed by one of the configuration-signer elements from the previous extant
 * configuration. Recipients MUST verify the signature prior to accepting the configuration file."
 * "kind-block elements MUST be signed by a node listed in the kind-signers block of the current
 * configuration. Receivers MUST verify the signature prior to accepting a kind-block."
 * What is signed is the element's exact text (wire/config/configuration-signature.ts).
 *
 * OUR READINGS:
 * - The signature is over the blob alone (configurationSignatureInput), made by an ordinary
 *   Signer (X509Signer), so the signer's certificate travels in the SecurityBlock and must chain
 *   to a root-cert; the signing Node-ID must be a configuration-signer (kind-signer for kinds).
 * - "The previous extant configuration" is the one in force for the same instance-name, when the
 *   caller has one; on first contact there is none and the document's own configuration-signers
 *   and root-certs are used (the document came over HTTPS from the overlay's server, §11.2).
 * - "The current configuration" whose kind-signers sign the kinds is the document being accepted
 *   (its own signature is checked first); certificates chain to the trusted root-certs.
 * - A configuration is accepted when at least one of its signature elements is valid; the
 *   `algorithm` attribute is not used (the SecurityBlock's Signature names the algorithm).
 * - A configuration whose expiration has passed, or whose sequence is older than the previous
 *   one's (modulo 65535, as §6.3.2.1 compares configuration sequences), is refused.
 */
import { ReloadError } from '../runtime/reload-error.js';
import { DecodeError } from '../wire/codec/decode-error.js';
import { decodeAll } from '../wire/codec/reader.js';
import { encodeWith } from '../wire/codec/writer.js';
import { bytesEqual, toHex } from '../wire/codec/hex.js';
import { configurationSignatureInput, kindSignatureInput, parseOverlayConfigurationWithSource, produceOverlayConfiguration, utcDateTimeMs } from '../wire/config/index.js';
import type { Configuration, OverlayConfiguration, ParsedOverlayConfiguration, SignatureElement } from '../wire/config/index.js';
import type { NodeId } from '../wire/ids.js';
import { readSecurityBlock, writeSecurityBlock } from '../wire/security-block.js';
import { forbidden } from './reload-certificate.js';
import type { Signer, VerifiedSigner } from './signer.js';
import { trustPolicyFromConfiguration } from './trust-policy.js';
import { X509Verifier, type X509VerifierDeps } from './x509-verifier.js';

/** One signature element for `input`: base64 of a SecurityBlock (the producer does the base64). */
async function signatureElement(signer: Signer, input: Uint8Array): Promise<SignatureElement> {
  const signature = await signer.sign(input);
  return { value: encodeWith((w) => writeSecurityBlock(w, { certificates: signer.certificates(), signature })) };
}

export interface SignConfigurationOptions {
  /** Also sign every kind-block with this kind-signer (§11.1). */
  readonly kindSigner?: Signer;
}

/**
 * Produce `overlay` as a document whose every configuration is signed by `signer` (its
 * existing signature elements are replaced). Returns the document text.
 */
export async function signConfigurationDocument(overlay: OverlayConfiguration, signer: Signer, options: SignConfigurationOptions = {}): Promise<string> {
  let doc = overlay;
  if (options.kindSigner) {
    const parsed = parseOverlayConfigurationWithSource(produceOverlayConfiguration(doc));
    const configurations: Configuration[] = [];
    for (const [i, c] of doc.configurations.entries()) {
      const source = parsed.sources[i]!;
      const requiredKinds = [];
      for (const [k, block] of c.requiredKinds.entries()) requiredKinds.push({ ...block, kindSignature: await signatureElement(options.kindSigner, kindSignatureInput(source, k)) });
      configurations.push({ ...c, requiredKinds });
    }
    doc = { configurations };
  }
  const parsed = parseOverlayConfigurationWithSource(produceOverlayConfiguration({ configurations: doc.configurations.map((c) => ({ ...c, signatures: [] })) }));
  const configurations: Configuration[] = [];
  for (const [i, c] of doc.configurations.entries()) configurations.push({ ...c, signatures: [await signatureElement(signer, configurationSignatureInput(parsed.sources[i]!))] });
  const text = produceOverlayConfiguration({ configurations });
  // Producing again must not have changed what was signed.
  const check = parseOverlayConfigurationWithSource(text);
  check.sources.forEach((s, i) => {
    if (s.text !== parsed.sources[i]!.text) throw new Error('producing the signed document changed a configuration’s text');
  });
  return text;
}

export interface VerifyConfigurationOptions {
  /** The configurations in force ("the previous extant configuration"), by instance-name. */
  readonly previous?: readonly Configuration[];
  /** Check kind-signatures (default true). */
  readonly requireKindSignatures?: boolean;
}

/** A verified document, and who signed each configuration. */
export interface VerifiedConfigurationDocument extends ParsedOverlayConfiguration {
  readonly signers: readonly VerifiedSigner[];
}

/**
 * Parse `xml` and verify every configuration's signature (and kind-signatures) before use.
 * Rejects with ReloadError Error_Forbidden (bad or missing signature, signer not allowed,
 * expired) or Error_Config_Too_Old (older than the previous configuration).
 */
export async function verifyConfigurationDocument(deps: X509VerifierDeps, xml: string, options: VerifyConfigurationOptions = {}): Promise<VerifiedConfigurationDocument> {
  const parsed = parseOverlayConfigurationWithSource(xml);
  const signers: VerifiedSigner[] = [];
  for (const [i, c] of parsed.overlay.configurations.entries()) {
    const source = parsed.sources[i]!;
    const previous = options.previous?.find((p) => p.instanceName === c.instanceName);
    const trusted = previous ?? c;
    const what = `configuration ${c.instanceName}`;
    if (c.expiration !== undefined) {
      // RFC 6940 §11.1 expiration: "Time in the future at which this overlay configuration is no
      // longer valid." A time that cannot be computed is refused: it must never read as "not yet".
      const expires = utcDateTimeMs(c.expiration);
      if (expires === undefined) throw forbidden(`${what}: expiration "${c.expiration}" is not a UTC date-time (§11.1)`);
      if (expires < deps.wallClock.epochMs()) throw forbidden(`${what} expired at ${c.expiration} (§11.1)`);
    }
    if (previous && isOlderSequence(c.sequence ?? 0, previous.sequence ?? 0)) {
      throw ReloadError.of('Error_Config_Too_Old', `${what}: sequence ${c.sequence ?? 0} is older than the configuration in force (${previous.sequence ?? 0})`);
    }
    const verifier = new X509Verifier(deps, { policy: trustPolicyFromConfiguration(trusted) });
    // The configuration's and the kinds' signatures are checked side by side (one shared verifier
    // and certificate cache); the first failure in document order is the one reported.
    const checks = [verifySignatures(verifier, c.signatures, configurationSignatureInput(source), trusted.configurationSigners, `${what}: `, 'configuration-signer')];
    if (options.requireKindSignatures ?? true) {
      for (const [k, block] of c.requiredKinds.entries()) {
        const name = block.kind.name ?? `kind ${block.kind.id}`;
        checks.push(verifySignatures(verifier, block.kindSignature ? [block.kindSignature] : [], kindSignatureInput(source, k), c.kindSigners, `${what}, ${name}: `, 'kind-signer'));
      }
    }
    const outcomes = await Promise.allSettled(checks);
    for (const o of outcomes) if (o.status === 'rejected') throw o.reason;
    signers.push((outcomes[0] as PromiseFulfilledResult<VerifiedSigner>).value);
  }
  return { ...parsed, signers };
}

async function verifySignatures(verifier: X509Verifier, elements: readonly SignatureElement[], input: Uint8Array, allowed: readonly NodeId[], prefix: string, role: string): Promise<VerifiedSigner> {
  if (elements.length === 0) throw forbidden(`${prefix}no signature (§11.1: recipients MUST verify the signature prior to accepting it)`);
  if (allowed.length === 0) throw forbidden(`${prefix}no ${role} is listed, so no signature can be accepted`);
  const reasons: string[] = [];
  for (const el of elements) {
    try {
      const block = decodeAll(el.value, 'SecurityBlock', readSecurityBlock);
      const signer = await verifier.verify(input, block.signature, block.certificates);
      if (allowed.some((n) => bytesEqual(n, signer.nodeId))) return signer;
      reasons.push(`signed by Node-ID ${toHex(signer.nodeId)}, which is not a ${role}`);
    } catch (e) {
      if (e instanceof DecodeError) reasons.push(`the signature is not a SecurityBlock: ${e.message}`);
      else if (e instanceof ReloadError) reasons.push(new TextDecoder().decode(e.info));
      else throw e;
    }
  }
  throw forbidden(`${prefix}no valid signature by a ${role}: ${reasons.join('; ')}`);
}

/** §6.3.2.1's reading (reload/transport/configuration-sequence.ts): older when (theirs − ours) mod 65535 is not in 0..32767. */
function isOlderSequence(theirs: number, ours: number): boolean {
  const ahead = (((theirs - ours) % 65535) + 65535) % 65535;
  return ahead > 32767;
}
