/**
 * Getting an overlay's configuration (RFC 6940 §11.2): GET `<base>/.well-known/reload-config`,
 * then verify it before use (§11.1 "Recipients MUST verify the signature prior to accepting the
 * configuration file"; reload/security/configuration-signer.ts). Used by browsers and by
 * `chordphone peer` alike; `fetch` is injected. `loadConfiguration` also gives the document
 * before its verification ends, for work that accepts nothing of it (overlay-client.ts).
 */
import { verifyConfigurationDocument } from '../../reload/security/configuration-signer.js';
import { parseOverlayConfiguration } from '../../reload/wire/config/index.js';
import type { WallClock } from '../../reload/security/security-components.js';
import type { Configuration } from '../../reload/wire/config/overlay-configuration.js';
import { ReloadError } from '../../reload/runtime/reload-error.js';
import { CONFIGURATION_REQUEST, configurationUrl, type ConfigurationPrefetch } from './configuration-prefetch.js';


export interface FetchedConfiguration {
  readonly configuration: Configuration;
  /** The document as served (signed XML). */
  readonly xml: string;
  /** Where it came from. */
  readonly url: string;
}

export interface ConfigurationFetchDeps {
  readonly crypto: Crypto;
  readonly wallClock: WallClock;
  readonly fetch: (url: string, init?: RequestInit) => Promise<Response>;
  /**
   * The configuration already asked for (early-boot.ts, configuration-prefetch.ts): the first
   * load of its URL takes that answer; any later load (e.g. a restart after a ConfigUpdate) asks
   * the server again.
   */
  readonly prefetched?: ConfigurationPrefetch;
}

/** The configuration could not be fetched or was refused. The message is one line, for people. */
export class ConfigurationFetchError extends Error {
  override readonly name = 'ConfigurationFetchError';
}

export async function fetchConfiguration(deps: ConfigurationFetchDeps, base: string, options: { readonly signal?: AbortSignal } = {}): Promise<FetchedConfiguration> {
  return loadConfiguration(deps, base, options).verified;
}

/** A configuration document being fetched: read at once, accepted once its signature verifies. */
export interface LoadingConfiguration {
  /**
   * The document as served, parsed but NOT verified yet: only for local work that can start
   * early (naming the key store entry, making a key) and for asking the server it came from for a
   * certificate; nothing of it may be used in the overlay before `verified` resolves.
   */
  readonly unverified: Promise<FetchedConfiguration>;
  /** The same document once verified (§11.1); rejects with ConfigurationFetchError when refused. */
  readonly verified: Promise<FetchedConfiguration>;
}

/**
 * Fetch the configuration and start verifying it (RFC 6940 §11.1 "Recipients MUST verify the
 * signature prior to accepting the configuration file"): `unverified` lets work that does not
 * accept the configuration overlap the verification (issue 5: page load → joined).
 */
export function loadConfiguration(deps: ConfigurationFetchDeps, base: string, options: { readonly signal?: AbortSignal } = {}): LoadingConfiguration {
  const url = configurationUrl(base);
  const xml = fetchText(deps, url, options);
  const refused = (e: unknown) => {
    const reason = e instanceof ReloadError ? new TextDecoder().decode(e.info) : e instanceof Error ? e.message : String(e);
    return new ConfigurationFetchError(`the overlay configuration from ${url} was refused: ${reason.replace(/\s+/g, ' ')}`);
  };
  const unverified = xml.then((text) => {
    try {
      return { configuration: firstConfiguration(parseOverlayConfiguration(text).configurations), xml: text, url };
    } catch (e) {
      throw refused(e);
    }
  });
  const verified = xml.then(async (text) => {
    try {
      const doc = await verifyConfigurationDocument(deps, text);
      return { configuration: firstConfiguration(doc.overlay.configurations), xml: text, url };
    } catch (e) {
      throw refused(e);
    }
  });
  // Either may be left unawaited when the other fails first.
  unverified.catch(() => undefined);
  verified.catch(() => undefined);
  return { unverified, verified };
}

function firstConfiguration(configurations: readonly Configuration[]): Configuration {
  const configuration = configurations[0];
  if (!configuration) throw new Error('the document holds no configuration');
  return configuration;
}

async function fetchText(deps: ConfigurationFetchDeps, url: string, options: { readonly signal?: AbortSignal }): Promise<string> {
  let response: Response;
  try {
    const early = deps.prefetched?.url === url ? deps.prefetched.take(options) : undefined;
    response = await (early ?? deps.fetch(url, { ...CONFIGURATION_REQUEST, ...(options.signal ? { signal: options.signal } : {}) }));
  } catch (e) {
    throw new ConfigurationFetchError(`cannot fetch the overlay configuration from ${url}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`);
  }
  // The server answers 503 while it is starting, before its document is signed (reload-config-route.ts).
  if (response.status === 503) throw new ConfigurationFetchError(`${url} answered HTTP 503: the server is starting; try again in a moment`);
  if (!response.ok) throw new ConfigurationFetchError(`${url} answered HTTP ${response.status}; is this a Chordphone server?`);
  return response.text();
}
