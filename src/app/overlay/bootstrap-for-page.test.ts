import { describe, expect, it } from 'vitest';
import { bootstrapForPage } from './bootstrap-for-page.js';

describe('bootstrapForPage', () => {
  const urls = ['ws://127.0.0.1:8080/reload', 'wss://192.0.2.10:8443/reload', 'wss://[2001:db8::5]:8443/reload'];

  it('keeps ws: URLs on the page’s port for an http: page, on the page’s own host name', () => {
    expect(bootstrapForPage(urls, 'http://127.0.0.1:8080/')).toEqual(['ws://127.0.0.1:8080/reload']);
    expect(bootstrapForPage(urls, 'http://localhost:8080/call/x')).toEqual(['ws://localhost:8080/reload']);
  });

  it('keeps wss: URLs for an https: page (no mixed content), on the page’s host', () => {
    expect(bootstrapForPage(urls, 'https://192.0.2.10:8443/')).toEqual(['wss://192.0.2.10:8443/reload']);
    expect(bootstrapForPage(urls, 'https://myhost.local:8443/')).toEqual(['wss://myhost.local:8443/reload']);
  });

  it('gives nothing when no URL is on the page’s port or scheme', () => {
    expect(bootstrapForPage(urls, 'http://127.0.0.1:9999/')).toEqual([]);
    expect(bootstrapForPage(['not a url', 'http://127.0.0.1:8080/'], 'http://127.0.0.1:8080/')).toEqual([]);
  });
});
