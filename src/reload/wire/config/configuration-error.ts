/**
 * The one error the overlay configuration parser and producer throw (RFC 6940 §11.1). It names
 * where the document broke a rule of the §11.1.1 grammar or of the §11.1 value rules, as a path
 * of element names with indexes among same-named siblings, e.g.
 * `configuration[0].kind[2].max-count` (`kind[i]` is the kind of the i-th kind-block of
 * required-kinds) or `configuration[1].bootstrap-node[0].port`. Attributes are named like child
 * elements. A problem with the document as a whole (not well-formed XML) has the path `document`.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  /** Where the problem is, e.g. `configuration[0].kind[2].max-count`. */
  readonly path: string;
  /** What was wrong, without the location. */
  readonly reason: string;
  /** Character offset in the document of the element concerned, when known. */
  readonly offset: number | undefined;

  constructor(path: string, reason: string, offset?: number) {
    super(`${path}: ${reason}`);
    this.path = path;
    this.reason = reason;
    this.offset = offset;
  }
}
