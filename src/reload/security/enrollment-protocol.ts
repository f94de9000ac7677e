/**
 * The wire of RELOAD's certificate request protocol (RFC 6940 §11.3), shared by the enrollment
 * server (enrollment.ts) and client (enrollment-client.ts): an HTTPS POST of
 * `multipart/form-data` with the form parameters below, answered with one bare X.509
 * certificate, or 403 with a token.
 *
 * §11.3: "Certificate processing errors SHOULD result in an HTTP return code of 403 Forbidden,
 * along with a body of type "text/plain" and body that consists of one of the tokens defined in
 * the following list". The body is exactly the token, so any client can match it; the human
 * explanation (for example which name is taken) travels in the ENROLLMENT_DETAIL_HEADER.
 */

/** §11.3 form parameters. */
export const EnrollmentField = {
  username: 'username',
  password: 'password',
  nodeids: 'nodeids',
  csr: 'csr',
} as const;

/** §11.3: the csr parameter's content type (RFC 2311). */
export const PKCS10_MEDIA_TYPE = 'application/pkcs10';
/** §11.3: "The certificate MUST be returned as type "application/pkix-cert"" (RFC 2585). */
export const PKIX_CERT_MEDIA_TYPE = 'application/pkix-cert';

/** §11.3 error tokens. */
export const EnrollmentErrorToken = {
  /** "The account name and password combination used in the HTTPS request was not valid." */
  failed_authentication: 'failed_authentication',
  /** "The requested user name in the CSR was not acceptable." */
  username_not_available: 'username_not_available',
  /** "The number of Node-IDs requested was not acceptable." */
  'Node-IDs_not_available': 'Node-IDs_not_available',
  /** "There was some other problem with the CSR." */
  bad_CSR: 'bad_CSR',
} as const;
export type EnrollmentErrorToken = (typeof EnrollmentErrorToken)[keyof typeof EnrollmentErrorToken];

/** Human-readable detail of a refusal (ours; clients that do not know it use the token alone). */
export const ENROLLMENT_DETAIL_HEADER = 'X-Reload-Enrollment-Detail';

/** What a person should read for each token (the app's message table can start from these). */
export const ENROLLMENT_ERROR_TEXT: Readonly<Record<EnrollmentErrorToken, string>> = {
  failed_authentication: 'The account name or password is wrong.',
  username_not_available: 'That user name is not available. Choose another one.',
  'Node-IDs_not_available': 'The enrollment server cannot give that many Node-IDs.',
  bad_CSR: 'The certificate request was not acceptable.',
};

/** A header value that HTTP can carry: printable ASCII, one line, bounded. */
export function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 512);
}
