/**
 * The enrollment server (RFC 6940 §11.3) as a pure request handler: an HTTP request in, an HTTP
 * response out, no sockets (src/server/enrollment-route.ts wires it to Node's HTTP server).
 *
 * §11.3: "The request MUST be an HTTP POST with the parameters encoded as described in [RFC2388]"
 * (multipart/form-data): "password" and "username" when authentication is required, "nodeids"
 * when more than one Node-ID is required, "csr" with content type application/pkcs10, and "The
 * Accept header MUST contain the type "application/pkix-cert"". "If the authentication succeeds
 * and the requested user name in the CSR is acceptable, the server MUST generate and return a
 * certificate for the CSR", with Node-IDs "cryptographically random ... chosen by the enrollment
 * server in such a way that it is unpredictable to the requesting user"; a returning user gets
 * the same Node-IDs.
 *
 * Two modes:
 * - `accounts`: §11.3 as written; the account decides the user name.
 * - `open` (workshop): no password; a user name alone, first come first served. A name belongs to
 *   the key that first enrolled it: the same key may come back (and gets the same Node-IDs),
 *   another key asking for it is refused with username_not_available and a detail saying the name
 *   is taken. Names the server keeps for itself (`reservedUserName`) are refused the same way. A
 *   per-address rate limit keeps one client from taking every name.
 * Both modes rate-limit per address (password guessing, CPU for CSR checks).
 *
 * The CSR's key must be one the overlay accepts; the user name goes through user-name.ts's
 * preparation and must be in the overlay's domain.
 */
import type { Clock, Logger, Random } from '../runtime/components.js';
import { silentLogger } from '../runtime/components.js';
import { SerialQueue } from '../runtime/serial-queue.js';
import { parseBase64 } from '../wire/config/configuration-values.js';
import { fromHex, toHex } from '../wire/codec/hex.js';
import { NODE_ID_LENGTH } from '../wire/ids.js';
import type { AccountDirectory } from './enrollment-accounts.js';
import { ENROLLMENT_DETAIL_HEADER, EnrollmentField, PKIX_CERT_MEDIA_TYPE, headerSafe, type EnrollmentErrorToken } from './enrollment-protocol.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { readCertificateRequest } from './certificate-request.js';
import { FormDataError, multipartBoundary, parseFormData, type FormField } from './form-data.js';
import type { NameRecord, NameRegistryStore } from './name-registry.js';
import { RateLimiter, type RateLimitInit } from './rate-limiter.js';
import { sha256, type WallClock } from './security-components.js';
import type { SignatureKeyType } from './signature-algorithm.js';
import { prepareUserName, userNameDomain } from './user-name.js';
import { decodePem, PEM_CERTIFICATE_REQUEST } from './pem.js';

/** An HTTP request as the handler needs it. */
export interface EnrollmentHttpRequest {
  readonly method: string;
  readonly contentType?: string;
  readonly accept?: string;
  readonly body: Uint8Array;
  /** The client's address (for the per-address rate limit). */
  readonly remoteAddress: string;
}

export interface EnrollmentHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export type EnrollmentMode = { readonly kind: 'accounts'; readonly accounts: AccountDirectory } | { readonly kind: 'open' };

export interface EnrollmentServiceDeps {
  readonly crypto: Crypto;
  readonly random: Random;
  /** Monotonic time for the rate limit. */
  readonly clock: Clock;
  /** Calendar time for the registry. */
  readonly wallClock: WallClock;
  readonly logger?: Logger;
}

export interface EnrollmentServiceInit {
  readonly authority: CertificateAuthority;
  readonly mode: EnrollmentMode;
  readonly registry: NameRegistryStore;
  /** Key types the overlay accepts (TrustPolicy.keyTypes; default RSA only). */
  readonly keyTypes?: readonly SignatureKeyType[];
  /** Most Node-IDs one certificate may hold (default 1). */
  readonly maxNodeIds?: number;
  /** Lifetime of issued certificates, ms (default the CA's). */
  readonly certificateLifetimeMs?: number;
  /** Default 10 requests per address per minute. */
  readonly rateLimit?: RateLimitInit;
  /** The domain of every user name; a bare name gets it (default the overlay name). */
  readonly userNameDomain?: string;
  /**
   * Prepared user names nobody may enroll (the server's own peers' names): refused like a taken
   * name. RFC 6940 §13.3: user names "MUST be unique".
   */
  readonly reservedUserName?: (userName: string) => boolean;
}

export const DEFAULT_ENROLLMENT_RATE_LIMIT: RateLimitInit = { burst: 10, windowMs: 60_000 };

/** A refusal: an HTTP status, and for 403 a §11.3 token; `detail` is for people. */
class Refusal {
  constructor(
    readonly status: number,
    readonly token: EnrollmentErrorToken | undefined,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

const refuse = (token: EnrollmentErrorToken, detail: string) => new Refusal(403, token, detail);

/** §11.3: a "cryptographically random" Node-ID; never the all-zero or the wildcard all-ones id. */
export function randomNodeId(random: Pick<Random, 'bytes'>): Uint8Array {
  for (;;) {
    const id = random.bytes(NODE_ID_LENGTH);
    if (!id.every((b) => b === 0) && !id.every((b) => b === 0xff)) return id;
  }
}

export class EnrollmentService {
  private readonly limiter: RateLimiter;
  private readonly log: Logger;
  /** Registry updates run one at a time, so two clients cannot both win the same name. */
  private readonly registryUpdates = new SerialQueue();

  constructor(
    private readonly deps: EnrollmentServiceDeps,
    private readonly init: EnrollmentServiceInit,
  ) {
    this.limiter = new RateLimiter(deps, init.rateLimit ?? DEFAULT_ENROLLMENT_RATE_LIMIT);
    this.log = deps.logger ?? silentLogger;
  }

  async handle(request: EnrollmentHttpRequest): Promise<EnrollmentHttpResponse> {
    try {
      const der = await this.enroll(request);
      return { status: 200, headers: { 'Content-Type': PKIX_CERT_MEDIA_TYPE, 'Cache-Control': 'no-store' }, body: der };
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      this.log.info('enrollment refused', { address: request.remoteAddress, status: e.status, token: e.token, detail: e.detail });
      const body = new TextEncoder().encode(e.token ?? `${e.detail}\n`);
      return {
        status: e.status,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', [ENROLLMENT_DETAIL_HEADER]: headerSafe(e.detail), ...e.headers },
        body,
      };
    }
  }

  private async enroll(request: EnrollmentHttpRequest): Promise<Uint8Array> {
    if (request.method !== 'POST') throw new Refusal(405, undefined, 'the enrollment server takes POST requests (RFC 6940 §11.3)', { Allow: 'POST' });
    const rate = this.limiter.take(request.remoteAddress);
    if (!rate.allowed) {
      const seconds = Math.ceil(rate.retryAfterMs / 1000);
      throw new Refusal(429, undefined, `too many enrollment requests from this address; try again in ${seconds} s`, { 'Retry-After': String(seconds) });
    }
    if (request.accept !== undefined && !acceptsPkixCert(request.accept)) {
      throw new Refusal(406, undefined, `the response is ${PKIX_CERT_MEDIA_TYPE}; the Accept header must allow it (§11.3)`);
    }
    const boundary = multipartBoundary(request.contentType);
    if (!boundary) throw new Refusal(415, undefined, 'the request must be multipart/form-data (§11.3, RFC 2388)');
    let fields: FormField[];
    try {
      fields = parseFormData(request.body, boundary);
    } catch (e) {
      if (e instanceof FormDataError) throw new Refusal(400, undefined, `malformed form data: ${e.message}`);
      throw e;
    }
    const field = (name: string) => fields.find((f) => f.name === name);
    const text = (name: string) => {
      const f = field(name);
      return f ? utf8(f.data) : undefined;
    };

    const nodeIdCount = this.nodeIdCount(text(EnrollmentField.nodeids));
    const account = await this.authenticate(text(EnrollmentField.username), text(EnrollmentField.password));
    const csrField = field(EnrollmentField.csr);
    if (!csrField) throw refuse('bad_CSR', 'no "csr" form parameter');
    const csrDer = csrBytes(csrField);
    if (!csrDer) throw refuse('bad_CSR', 'the csr parameter is neither DER, PEM nor base64');
    const csr = await readCertificateRequest(this.deps, csrDer);
    if ('error' in csr) throw refuse('bad_CSR', csr.error);
    const keyTypes = this.init.keyTypes ?? ['rsa'];
    if (!keyTypes.includes(csr.keyType)) throw refuse('bad_CSR', `this overlay accepts ${keyTypes.join(' and ')} keys, not ${csr.keyType}`);

    const userName = this.userNameFor(account, csr.requestedUserName, text(EnrollmentField.username));
    const keyHash = toHex(await sha256(this.deps.crypto, csr.subjectPublicKeyInfo));
    const nodeIds = await this.registryUpdates.run(() => this.allocate(userName, keyHash, nodeIdCount, account !== undefined));
    const der = await this.init.authority.issue({
      publicKey: csr.subjectPublicKeyInfo,
      nodeIds,
      userName,
      ...(this.init.certificateLifetimeMs === undefined ? {} : { lifetimeMs: this.init.certificateLifetimeMs }),
    });
    this.log.info('enrolled', { address: request.remoteAddress, userName, nodeIds: nodeIds.map(toHex) });
    return der;
  }

  private nodeIdCount(value: string | undefined): number {
    const max = this.init.maxNodeIds ?? 1;
    if (value === undefined) return 1;
    const n = /^\s*\d{1,4}\s*$/.test(value) ? Number(value) : NaN;
    if (!(n >= 1 && n <= max)) throw refuse('Node-IDs_not_available', `this server gives 1 to ${max} Node-IDs per certificate, not "${value.slice(0, 20)}"`);
    return n;
  }

  private async authenticate(username: string | undefined, password: string | undefined): Promise<{ readonly userName: string } | undefined> {
    const mode = this.init.mode;
    if (mode.kind === 'open') return undefined;
    if (username === undefined || password === undefined) throw refuse('failed_authentication', 'this server requires the "username" and "password" form parameters');
    const account = await mode.accounts.authenticate(username, password);
    if (!account) throw refuse('failed_authentication', 'wrong account name or password');
    return account;
  }

  /** The prepared user name to issue, or a refusal. */
  private userNameFor(account: { readonly userName: string } | undefined, inCsr: string | undefined, formName: string | undefined): string {
    const domain = this.init.userNameDomain ?? this.init.authority.overlay;
    const prepare = (name: string) => {
      const p = prepareUserName(name, domain);
      if ('error' in p) throw refuse('username_not_available', p.error);
      if (userNameDomain(p.userName) !== domain.toLowerCase()) throw refuse('username_not_available', `user names in this overlay end in @${domain}`);
      // OUR CHOICE: a reserved name is answered as a taken one (the same token and wording), in
      // both modes: to the client there is no difference, the name is someone else's.
      if (this.init.reservedUserName?.(p.userName)) throw refuse('username_not_available', takenDetail(p.userName));
      return p.userName;
    };
    if (account) {
      const own = prepare(account.userName);
      if (inCsr !== undefined && prepare(inCsr) !== own) throw refuse('username_not_available', `this account may use the user name ${own}, not ${inCsr}`);
      return own;
    }
    const asked = inCsr ?? formName;
    if (asked === undefined) throw refuse('username_not_available', 'ask for a user name (the "username" parameter, or an rfc822Name in the CSR)');
    const userName = prepare(asked);
    if (inCsr !== undefined && formName !== undefined && prepare(formName) !== userName) {
      throw refuse('username_not_available', `the CSR asks for ${userName} but the form for ${formName}`);
    }
    return userName;
  }

  /** The Node-IDs for this user and key, updating the registry (§11.3: the same Node-IDs for a returning user). */
  private async allocate(userName: string, keyHash: string, count: number, authenticated: boolean): Promise<Uint8Array[]> {
    const { registry } = this.init;
    const now = this.deps.wallClock.epochMs();
    const existing = await registry.get(userName);
    if (existing && !authenticated && existing.keyHash !== keyHash) {
      // Open enrollment: first come, first served; the name stays with the key that took it.
      throw refuse('username_not_available', takenDetail(userName));
    }
    const ids = [...(existing?.nodeIds ?? [])];
    while (ids.length < count) ids.push(toHex(randomNodeId(this.deps.random)));
    const record: NameRecord = { userName, keyHash, nodeIds: ids, firstIssuedAt: existing?.firstIssuedAt ?? now, lastIssuedAt: now };
    await registry.put(record);
    return ids.slice(0, count).map((h) => fromHex(h)!);
  }
}

const takenDetail = (userName: string) => `the user name ${userName} is already taken by someone else: choose another one`;

function acceptsPkixCert(accept: string): boolean {
  return accept.split(',').some((item) => {
    const type = item.split(';')[0]!.trim().toLowerCase();
    return type === PKIX_CERT_MEDIA_TYPE || type === 'application/*' || type === '*/*';
  });
}

/** The CSR's DER from the form part: binary DER, PEM, or base64 (RFC 2311 sends application/pkcs10 in base64). */
function csrBytes(f: FormField): Uint8Array | undefined {
  if (f.data[0] === 0x30 && f.transferEncoding !== 'base64') return f.data;
  const text = utf8(f.data);
  if (text === undefined) return undefined;
  if (text.includes('-----BEGIN')) return decodePem(text).find((b) => b.label === PEM_CERTIFICATE_REQUEST)?.der;
  return parseBase64(text.trim());
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
