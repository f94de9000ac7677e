/** The DTLS fingerprint of CHROMIUM_OFFER. */
export const CHROMIUM_OFFER_FINGERPRINT = '2E:93:B7:B0:02:97:2F:12:AC:7C:58:38:89:E7:6F:CC:75:4E:E1:08:E3:57:C4:5B:6E:CE:4B:18:65:3C:F7:0D';

/**
 * A data-channel offer in Chromium's shape: media-level credentials and fingerprint, no candidates
 * (they trickle). ice-parameters.test.ts keeps a fuller one, with the lines it tests.
 */
export const CHROMIUM_OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:Wq3x',
  'a=ice-pwd:Bz0o7RV7Yuc4uYwXW5f4Tlw8',
  `a=fingerprint:sha-256 ${CHROMIUM_OFFER_FINGERPRINT}`,
  'a=setup:actpass',
  'a=mid:0',
  'a=sctp-port:5000',
  '',
].join('\r\n');
