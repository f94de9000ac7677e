/**
 * Issue 5 (page load → joined ≤ 1 s): libraries kept for Node-only code must not reach the
 * browser. The overlay reads the configuration document (RFC 6940 §11.1) with our own
 * xml-parser.ts, and reads, checks and makes certificates with our own DER code (asn1/der.ts,
 * certificate.ts); fast-xml-parser (the producer's tests' oracle) and @peculiar/x509 with its stack
 * (the certificate authority's, behind x509.ts) stay out. Checked on one real build of the app
 * (browser-bundle.ts): the chunks a first visit loads up to the overlay (the entry chunks and their
 * static imports, bundle-size-report.ts's walk, plus overlay-boot.ts's chunks, overlay-preload.ts's
 * walk) must bundle our replacement, and no chunk of the app may bundle the library.
 */
import { describe, expect, it } from 'vitest';
import { buildBrowserBundle, bundledModules } from './browser-bundle.js';
import { initialJavaScript, sourceGroup } from './bundle-size-report.js';
import { overlayPreloadFiles } from './overlay-preload.js';

interface Kept {
  readonly library: string;
  /** A module id that comes from the library (or its one door of ours). */
  readonly from: (id: string) => boolean;
  /** Our replacement, which the overlay's chunks must bundle (so an empty or wrong bundle cannot pass). */
  readonly replacement: readonly RegExp[];
}

const FAST_XML_PARSER = ['fast-xml-parser', 'fast-xml-builder', '@nodable/entities', 'is-unsafe', 'path-expression-matcher', 'strnum', 'xml-naming'];
const X509_STACK = ['asn1js', 'reflect-metadata', 'tsyringe', 'pvtsutils', 'pvutils'];

const KEPT_OUT: readonly Kept[] = [
  {
    library: 'fast-xml-parser',
    from: (id) => FAST_XML_PARSER.includes(sourceGroup(id)),
    replacement: [/src\/reload\/wire\/config\/xml-parser\.ts$/],
  },
  {
    library: '@peculiar/x509',
    from: (id) => /^@peculiar\//.test(sourceGroup(id)) || X509_STACK.includes(sourceGroup(id)) || /\/src\/reload\/security\/x509\.ts$/.test(id),
    replacement: [/src\/reload\/security\/certificate\.ts$/, /src\/reload\/security\/chain-validator\.ts$/],
  },
];

describe('Node-only libraries stay out of the browser build', () => {
  it.each(KEPT_OUT.map((k) => [k.library, k] as const))('%s: the overlay bundles our replacement, and no chunk bundles the library', async (_name, kept) => {
    const bundle = await built();
    const uptoOverlay = bundledModules(bundle, [...new Set([...initialJavaScript(bundle).files.map((f) => f.fileName), ...overlayPreloadFiles(bundle)])]);
    expect(uptoOverlay).toEqual(expect.arrayContaining(kept.replacement.map((r) => expect.stringMatching(r))));
    expect(bundledModules(bundle).filter(kept.from)).toEqual([]);
  }, 120_000);
});

let bundle: ReturnType<typeof buildBrowserBundle> | undefined;
/** One build for every row. */
function built(): ReturnType<typeof buildBrowserBundle> {
  return (bundle ??= buildBrowserBundle('tmp/browser-free-unused'));
}
