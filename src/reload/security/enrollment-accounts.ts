/**
 * Accounts of an enrollment server that authenticates (RFC 6940 §11.3): "If authentication is
 * required, there MUST be form parameters of "password" and "username" containing the user's
 * account name and password ... The username and password strings MUST be UTF-8 strings compared
 * as binary objects." The server "MUST authenticate the request using the provided account name
 * and password".
 *
 * Passwords are kept as PBKDF2-SHA-256 hashes (WebCrypto) with a per-account salt; comparison is
 * constant-time. Each account may use one user name.
 */
import type { Random } from '../runtime/components.js';
import { bufferSource, type CryptoDeps } from './security-components.js';

/** What an authenticated account may be issued. */
export interface Account {
  /** The account name (the "username" form parameter). */
  readonly accountName: string;
  /** The rfc822Name this account may use. */
  readonly userName: string;
}

export interface AccountDirectory {
  /** The account, if `password` is its password; undefined otherwise. */
  authenticate(accountName: string, password: string): Promise<Account | undefined>;
}

export interface PasswordRecord {
  readonly accountName: string;
  readonly userName: string;
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly hash: Uint8Array;
}

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
export const DEFAULT_PBKDF2_ITERATIONS = 600_000;

export async function hashPassword(crypto: Crypto, password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: bufferSource(salt), iterations }, key, 256));
}

/** Accounts with PBKDF2 password hashes, kept in memory (load and save the records elsewhere). */
export class PasswordAccounts implements AccountDirectory {
  private readonly records = new Map<string, PasswordRecord>();

  constructor(
    private readonly deps: CryptoDeps & { readonly random: Random },
    private readonly iterations = DEFAULT_PBKDF2_ITERATIONS,
  ) {}

  /** Add or replace an account. */
  async set(accountName: string, password: string, userName: string): Promise<PasswordRecord> {
    const salt = this.deps.random.bytes(16);
    const record = { accountName, userName, salt, iterations: this.iterations, hash: await hashPassword(this.deps.crypto, password, salt, this.iterations) };
    this.records.set(accountName, record);
    return record;
  }

  add(record: PasswordRecord): void {
    this.records.set(record.accountName, record);
  }

  async authenticate(accountName: string, password: string): Promise<Account | undefined> {
    const r = this.records.get(accountName);
    // Hash even for an unknown account, so timing does not tell which accounts exist.
    const salt = r?.salt ?? new Uint8Array(16);
    const hash = await hashPassword(this.deps.crypto, password, salt, r?.iterations ?? this.iterations);
    if (!r || !constantTimeEqual(hash, r.hash)) return undefined;
    return { accountName: r.accountName, userName: r.userName };
  }
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
