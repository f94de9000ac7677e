/**
 * PEM (RFC 7468 textual encodings): `-----BEGIN LABEL-----`, base64, `-----END LABEL-----`.
 */
import { formatBase64, parseBase64 } from '../wire/config/configuration-values.js';

export const PEM_CERTIFICATE = 'CERTIFICATE';
export const PEM_CERTIFICATE_REQUEST = 'CERTIFICATE REQUEST';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]*?)-----END \1-----/g;

/** Every block of `text`, in order; a block whose base64 is malformed is skipped. */
export function decodePem(text: string): { readonly label: string; readonly der: Uint8Array }[] {
  const out: { label: string; der: Uint8Array }[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const der = parseBase64(m[2]!.replace(/\s+/g, ''));
    if (der) out.push({ label: m[1]!, der });
  }
  return out;
}

/** One PEM block, base64 in lines of 64 (RFC 7468 §2). */
export function encodePem(der: Uint8Array, label: string): string {
  const b64 = formatBase64(der);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
