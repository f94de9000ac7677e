/**
 * What the configuration signer and the kind signers sign (RFC 6940 §11.1).
 *
 * §11.1: "The configuration element MUST be treated as a binary blob that cannot be changed --
 * including any whitespace changes -- or the signature will break. The signature MUST be computed
 * by taking each configuration element and starting from, and including, the first < at the start
 * of <configuration> up to and including the > in </configuration> and treating this as a binary
 * blob that MUST be signed using the standard SecurityBlock defined in Section 6.3.4."
 * The kind-signature "is computed across the kind element from the beginning of the first < of the
 * kind element to the end of the last > of the kind element in the same way".
 *
 * So the signed bytes are the document's own bytes for that element, exactly as served: no
 * canonicalization, no namespace context (a prefix declared on `<overlay>` is outside the blob).
 * The document is UTF-8 (§11.1 "MUST use the UTF-8 character encoding"), and a string decoded
 * from valid UTF-8 encodes back to the same bytes, so the UTF-8 encoding of the element's exact
 * substring is the blob. CR LF line ends are kept as written (the substring is taken from the
 * input, not from a normalized copy).
 *
 * Our reading (the RFC says no more): the signature input is the blob alone. §6.3.4's message
 * signature input (`overlay || transaction_id || MessageContents || SignerIdentity`) does not
 * apply; the SecurityBlock only carries the certificates and the Signature (algorithm, identity,
 * value) over the blob. A self-closing `<configuration …/>` is signed from its `<` to its `/>`.
 */

/** The exact text of one `<configuration>` element and of its kinds, as they appear in the document. */
export interface ConfigurationSource {
  /** From the `<` of `<configuration` to the `>` of `</configuration>` (or of `/>`). */
  readonly text: string;
  /** For each kind-block of required-kinds, in order: the `<kind …>…</kind>` text. */
  readonly kindTexts: readonly string[];
}

/** The bytes the configuration signer signs for a configuration (§11.1): UTF-8 of its exact text. */
export function configurationSignatureInput(source: ConfigurationSource): Uint8Array {
  return new TextEncoder().encode(source.text);
}

/** The bytes a kind signer signs for the `kindIndex`-th kind-block's `<kind>` (§11.1). */
export function kindSignatureInput(source: ConfigurationSource, kindIndex: number): Uint8Array {
  const text = source.kindTexts[kindIndex];
  if (text === undefined) throw new RangeError(`no kind-block ${kindIndex} (the configuration has ${source.kindTexts.length})`);
  return new TextEncoder().encode(text);
}
