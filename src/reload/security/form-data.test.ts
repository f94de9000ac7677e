import { describe, expect, it } from 'vitest';
import { FormDataError, multipartBoundary, parseFormData } from './form-data.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('multipartBoundary', () => {
  it.each([
    ['multipart/form-data; boundary=abc', 'abc'],
    ['Multipart/Form-Data;boundary="a b:c"', 'a b:c'],
    ['multipart/form-data; charset=utf-8; boundary=----x', '----x'],
  ])('%s → %s', (ct, b) => expect(multipartBoundary(ct)).toBe(b));
  it.each([undefined, 'text/plain; boundary=x', 'multipart/form-data', `multipart/form-data; boundary=${'x'.repeat(71)}`])('none in %s', (ct) => expect(multipartBoundary(ct)).toBeUndefined());
});

describe('parseFormData (RFC 7578), hand-written bodies', () => {
  const body = [
    'preamble to ignore',
    '--XyZ',
    'Content-Disposition: form-data; name="username"',
    '',
    'alice',
    '--XyZ',
    'Content-Disposition: form-data; name="csr"; filename="a.csr"',
    'Content-Type: application/pkcs10',
    'Content-Transfer-Encoding: base64',
    '',
    'MIIB\r\nAA==',
    '--XyZ',
    'content-disposition: form-data; name=nodeids',
    '',
    '2',
    '--XyZ--',
    'epilogue',
  ].join('\r\n');

  it('reads names, types, file names, transfer encodings and exact content (CRLF inside kept)', () => {
    const fields = parseFormData(enc(body), 'XyZ');
    expect(fields.map((f) => [f.name, f.contentType, f.filename, f.transferEncoding, dec(f.data)])).toEqual([
      ['username', 'text/plain', undefined, undefined, 'alice'],
      ['csr', 'application/pkcs10', 'a.csr', 'base64', 'MIIB\r\nAA=='],
      ['nodeids', 'text/plain', undefined, undefined, '2'],
    ]);
  });

  it('keeps binary content byte for byte', () => {
    const bin = Uint8Array.of(0x30, 0x0d, 0x0a, 0x2d, 0x2d, 0x00, 0xff);
    const b = new Uint8Array([...enc('--b\r\nContent-Disposition: form-data; name="csr"\r\n\r\n'), ...bin, ...enc('\r\n--b--\r\n')]);
    expect(parseFormData(b, 'b')[0]!.data).toEqual(bin);
  });

  it.each([
    ['no delimiter', 'hello', /no boundary/],
    ['no close', '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx', /does not end/],
    ['no disposition', '--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--', /Content-Disposition/],
    ['no name', '--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--', /without a name/],
    ['too many parts', `${'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n'.repeat(17)}--b--`, /more than 16/],
  ])('refuses %s', (_n, text, reason) => {
    expect(() => parseFormData(enc(text), 'b')).toThrow(FormDataError);
    expect(() => parseFormData(enc(text), 'b')).toThrow(reason);
  });
});
