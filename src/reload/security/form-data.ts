/**
 * A `multipart/form-data` body (RFC 7578; RFC 6940 §11.3 names its predecessor, RFC 2388) read
 * into named fields. Pure and bounded: at most MAX_PARTS parts, each header block at most
 * MAX_HEADER_BYTES; the caller bounds the body size.
 */

export interface FormField {
  readonly name: string;
  /** The part's Content-Type, lower-cased, without parameters ('text/plain' when absent, RFC 7578 §4.4). */
  readonly contentType: string;
  /** Content-Transfer-Encoding, lower-cased, when given (RFC 7578 §4.7 deprecates it; RFC 2311 used base64). */
  readonly transferEncoding?: string;
  readonly filename?: string;
  readonly data: Uint8Array;
}

export class FormDataError extends Error {
  override readonly name = 'FormDataError';
}

const MAX_PARTS = 16;
const MAX_HEADER_BYTES = 2048;
const CRLF = Uint8Array.of(13, 10);
const CRLFCRLF = Uint8Array.of(13, 10, 13, 10);

/** The boundary of a `multipart/form-data` Content-Type, or undefined if it is not one. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const [type, ...params] = contentType.split(';');
  if (type?.trim().toLowerCase() !== 'multipart/form-data') return undefined;
  for (const p of params) {
    const m = /^\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s";]{1,70}))\s*$/i.exec(p);
    if (m) return m[1] ?? m[2];
  }
  return undefined;
}

/** Parse `body` with `boundary`. Throws FormDataError when it is not well-formed. */
export function parseFormData(body: Uint8Array, boundary: string): FormField[] {
  const ascii = new TextEncoder();
  const delimiter = ascii.encode(`--${boundary}`);
  const fields: FormField[] = [];
  let at = indexOf(body, delimiter, 0);
  if (at < 0) throw new FormDataError('no boundary delimiter in the body');
  // RFC 2046 §5.1.1: a delimiter after the first is preceded by CRLF.
  const next = ascii.encode(`\r\n--${boundary}`);
  for (;;) {
    at += delimiter.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return fields; // the close delimiter "--"
    const lineEnd = indexOf(body, CRLF, at);
    if (lineEnd < 0) throw new FormDataError('a boundary line does not end');
    if (fields.length >= MAX_PARTS) throw new FormDataError(`more than ${MAX_PARTS} parts`);
    const headerEnd = indexOf(body, CRLFCRLF, lineEnd);
    const headerStart = lineEnd + 2;
    let contentStart: number;
    let headerText: string;
    if (body[headerStart] === 13 && body[headerStart + 1] === 10) {
      headerText = ''; // no headers at all
      contentStart = headerStart + 2;
    } else {
      if (headerEnd < 0 || headerEnd - headerStart > MAX_HEADER_BYTES) throw new FormDataError('part headers missing or too long');
      headerText = new TextDecoder().decode(body.subarray(headerStart, headerEnd));
      contentStart = headerEnd + 4;
    }
    const end = indexOf(body, next, contentStart);
    if (end < 0) throw new FormDataError('a part does not end with a boundary');
    fields.push(field(headerText, body.slice(contentStart, end)));
    at = end + 2;
  }
}

function field(headerText: string, data: Uint8Array): FormField {
  const headers = new Map<string, string>();
  for (const line of headerText.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new FormDataError(`malformed part header "${line.slice(0, 40)}"`);
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition');
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) throw new FormDataError('a part without Content-Disposition: form-data');
  const name = dispositionParam(disposition, 'name');
  if (name === undefined) throw new FormDataError('a part without a name');
  const filename = dispositionParam(disposition, 'filename');
  const contentType = (headers.get('content-type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
  const transferEncoding = headers.get('content-transfer-encoding')?.toLowerCase();
  return { name, contentType, data, ...(filename === undefined ? {} : { filename }), ...(transferEncoding === undefined ? {} : { transferEncoding }) };
}

function dispositionParam(disposition: string, param: string): string | undefined {
  const m = new RegExp(`;\\s*${param}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^\\s;"]+))`, 'i').exec(disposition);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  const last = hay.length - needle.length;
  outer: for (let i = hay.indexOf(first!, from); i >= 0 && i <= last; i = hay.indexOf(first!, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
