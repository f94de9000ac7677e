/**
 * Browser entry point: paints the app shell at once (React, the shell, the join's first step),
 * loads the overlay and the phone behind `import()` (session-boot.tsx), and puts their panels into
 * the shell's slots when they arrive (the shell stays mounted: no jump, nothing typed is lost).
 * Issue 7: this file and what it imports statically are the initial JavaScript (≤ 250 KB gzipped,
 * checked by src/app/build/bundle-size-report.ts on every build).
 */
import { StrictMode, use } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { OverlayPlaceholder, PhonePlaceholder } from './BootPlaceholders.js';
import { LazyPart } from './LazyPart.js';
import { registerServiceWorker } from './pwa/register-service-worker.js';
import type { BootedSession } from './session-boot.js';
import './app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

// Started before the first render, so loading the overlay code overlaps painting the shell.
const booting: Promise<BootedSession> = import('./session-boot.js').then(({ bootSession }) => bootSession());

function BootedPhone() {
  const { Phone } = use(booting);
  return <Phone />;
}

function BootedOverlay() {
  const { Overlay } = use(booting);
  return <Overlay />;
}

createRoot(root).render(
  <StrictMode>
    <App
      phone={
        <LazyPart what="the phone" fallback={<PhonePlaceholder />}>
          <BootedPhone />
        </LazyPart>
      }
      overlay={
        <LazyPart what="the overlay" fallback={<OverlayPlaceholder />} failure={<OverlayPlaceholder error="The app’s code did not load." />}>
          <BootedOverlay />
        </LazyPart>
      }
    />
  </StrictMode>,
);

if (import.meta.env.PROD) void registerServiceWorker();
