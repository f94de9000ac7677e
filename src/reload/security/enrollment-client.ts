/**
 * The client side of the enrollment protocol (RFC 6940 §11.3): send a PKCS#10 request with the
 * form parameters, receive one X.509 certificate, and check it before use: "The client MUST check
 * that the returned certificate chains back to one of the certificates received in the
 * "root-cert" list of the overlay configuration data (including PKIX BasicConstraints checks).
 * The node then reads the certificate to find the Node-ID it can use." We also check that it
 * certifies our own key. `fetch` is injected (the browser's, Node's, or a test double).
 */
import { bytesEqual } from '../wire/codec/hex.js';
import type { NodeId } from '../wire/ids.js';
import { ChainValidator } from './chain-validator.js';
import { createCertificateRequest } from './certificate-request.js';
import { ENROLLMENT_DETAIL_HEADER, ENROLLMENT_ERROR_TEXT, EnrollmentErrorToken, EnrollmentField, PKCS10_MEDIA_TYPE, PKIX_CERT_MEDIA_TYPE } from './enrollment-protocol.js';
import { parseReloadCertificate } from './reload-certificate.js';
import type { CryptoDeps, WallClock } from './security-components.js';
import type { TrustPolicy } from './trust-policy.js';

export interface EnrollmentClientDeps extends CryptoDeps {
  readonly fetch: (input: string, init: RequestInit) => Promise<Response>;
  readonly wallClock: WallClock;
}

export interface EnrollRequest {
  /** An enrollment-server URL of the configuration (§11.1). */
  readonly url: string;
  readonly policy: TrustPolicy;
  readonly keys: CryptoKeyPair;
  /** The user name to ask for (put in the CSR). */
  readonly userName?: string;
  /** Account name and password, where the server requires them (§11.3). */
  readonly account?: { readonly username: string; readonly password: string };
  /** Open enrollment: the user name as the "username" parameter. */
  readonly openUsername?: string;
  /** How many Node-IDs (default 1). */
  readonly nodeIds?: number;
  readonly signal?: AbortSignal;
}

export interface Enrollment {
  readonly certificate: Uint8Array;
  readonly nodeIds: readonly NodeId[];
  readonly userName: string;
}

/** The server refused, or answered something that is not a usable certificate. */
export class EnrollmentError extends Error {
  override readonly name = 'EnrollmentError';
  constructor(
    message: string,
    readonly status: number,
    /** The §11.3 token, when the server sent a known one. */
    readonly token?: EnrollmentErrorToken,
    readonly detail?: string,
  ) {
    super(message);
  }
}

export async function enroll(deps: EnrollmentClientDeps, request: EnrollRequest): Promise<Enrollment> {
  const csr = await createCertificateRequest(deps, { keys: request.keys, ...(request.userName === undefined ? {} : { userName: request.userName }) });
  const form = new FormData();
  if (request.account) {
    form.set(EnrollmentField.username, request.account.username);
    form.set(EnrollmentField.password, request.account.password);
  } else if (request.openUsername !== undefined) {
    form.set(EnrollmentField.username, request.openUsername);
  }
  if ((request.nodeIds ?? 1) !== 1) form.set(EnrollmentField.nodeids, String(request.nodeIds));
  form.set(EnrollmentField.csr, new Blob([csr.slice()], { type: PKCS10_MEDIA_TYPE }), 'request.csr');
  const response = await deps.fetch(request.url, { method: 'POST', body: form, headers: { Accept: PKIX_CERT_MEDIA_TYPE }, ...(request.signal ? { signal: request.signal } : {}) });
  const body = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 200) {
    const text = new TextDecoder().decode(body).trim();
    const token = (Object.values(EnrollmentErrorToken) as string[]).includes(text) ? (text as EnrollmentErrorToken) : undefined;
    const detail = response.headers.get(ENROLLMENT_DETAIL_HEADER) ?? undefined;
    // §11.3: "If the client receives an unknown token in the body, it SHOULD treat it as a failure for an unknown reason."
    const message = detail ?? (token ? ENROLLMENT_ERROR_TEXT[token] : `enrollment failed (HTTP ${response.status})`);
    throw new EnrollmentError(message, response.status, token, detail);
  }
  const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== PKIX_CERT_MEDIA_TYPE) throw new EnrollmentError(`the enrollment server answered ${type ?? 'no content type'}, not ${PKIX_CERT_MEDIA_TYPE}`, response.status);
  let cert;
  try {
    cert = parseReloadCertificate(body, request.policy.overlay);
    await new ChainValidator(deps, { rootCerts: request.policy.rootCerts }).validate(cert, [], deps.wallClock.epochMs());
  } catch (e) {
    throw new EnrollmentError(`the enrollment server returned an unusable certificate: ${e instanceof Error ? e.message : String(e)}`, response.status);
  }
  const ours = new Uint8Array(await deps.crypto.subtle.exportKey('spki', request.keys.publicKey));
  if (!bytesEqual(ours, cert.subjectPublicKeyInfo)) throw new EnrollmentError('the enrollment server returned a certificate for another key', response.status);
  return { certificate: cert.der, nodeIds: cert.nodeIds, userName: cert.userName };
}
