/** A URL as a QR code drawn with text characters, for the terminal (the `qrcode` package). */
import QRCode from 'qrcode';

export async function terminalQr(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'L' });
}
