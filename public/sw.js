/*
 * Chordphone's service worker: the app shell, so the installed app (PWA) opens without the server
 * and loads fast (issue 7). Plain script, not bundled: it must keep a stable URL (/sw.js).
 *
 * - Install: precache the shell under a versioned cache, `chordphone-shell-<version>`. The list
 *   comes from /sw-precache.js, written by the build (src/app/build/bundle-size-report.ts) with the
 *   hashed names of the initial JS and CSS; the browser byte-compares importScripts() files when it
 *   checks for an update, so each build installs a new worker. Without that file (dev server),
 *   the version is "dev" and only the fixed files below are precached.
 * - Activate: delete the caches of older versions.
 * - Navigations: network first (a new build is picked up at once); offline, the cached shell.
 * - /assets/* (content-hashed, immutable): cache first, cached when first fetched (lazy chunks too).
 * - Never touched: anything but GET (enrollment POSTs), other origins, /.well-known/ (the overlay
 *   configuration, RFC 6940 §11.2, and enrollment, §11.3, must always be fresh), source maps.
 *   WebSocket connections never pass through a service worker.
 */
/* global self, caches, fetch, importScripts, Response */
'use strict';

const CACHE_PREFIX = 'chordphone-shell-';
const SHELL_URL = '/';
const FIXED_FILES = ['/', '/manifest.webmanifest', '/favicon.svg', '/icons/icon.svg', '/icons/icon-192.png', '/icons/icon-512.png'];
const NAVIGATION_TIMEOUT_MS = 4000;

let precache = { version: 'dev', files: [] };
try {
  importScripts('/sw-precache.js');
  if (self.__CHORDPHONE_PRECACHE__ && typeof self.__CHORDPHONE_PRECACHE__.version === 'string') precache = self.__CHORDPHONE_PRECACHE__;
} catch {
  // No build list (dev server): runtime caching only.
}
const CACHE = CACHE_PREFIX + precache.version;

function neverHandled(request, url) {
  return request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/.well-known/') || url.pathname.endsWith('.map');
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      Promise.all([
        // The build's files must all be there: a half-cached shell would not start offline.
        cache.addAll(precache.files),
        // The fixed files are nice to have (a missing favicon must not stop the install).
        ...FIXED_FILES.map((url) => cache.add(url).catch(() => undefined)),
      ]),
    ),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}

async function networkFirstNavigation(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
    const type = response.headers.get('content-type') || '';
    // Every page of the app is the shell (/?call=bob included): keep the newest one.
    if (response.ok && type.includes('text/html')) await cache.put(SHELL_URL, response.clone());
    return response;
  } catch (e) {
    const cached = await cache.match(SHELL_URL);
    if (cached) return cached;
    throw e;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (e) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw e;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (neverHandled(request, url)) return;
  if (request.mode === 'navigate') event.respondWith(networkFirstNavigation(request));
  else if (url.pathname.startsWith('/assets/')) event.respondWith(cacheFirst(request));
  else if (FIXED_FILES.includes(url.pathname)) event.respondWith(networkFirst(request));
});
