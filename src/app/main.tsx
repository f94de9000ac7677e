/**
 * Browser entry point: paints the app shell at once (React, the shell, the navigation, the join's
 * first step), loads the overlay (early-boot.ts → overlay-boot.ts, first) and the phone session
 * (session-boot.tsx) behind `import()`, and puts their parts into the shell's slots when they
 * arrive (the shell stays mounted: no jump, nothing typed is lost). Issue 7: this file and what it
 * imports statically are the initial JavaScript (≤ 250 KB gzipped, checked by
 * src/app/build/bundle-size-report.ts on every build).
 */
// First: asks for the overlay's code and configuration before React's code runs.
import { overlayBooting, returningUser } from './early-boot.js';
import { StrictMode, use } from 'react';
import { createRoot } from 'react-dom/client';
import { App, type ShellParts } from './App.js';
import { StatusPlaceholder, ViewPlaceholder } from './BootPlaceholders.js';
import { LazyPart } from './LazyPart.js';
import { registerServiceWorker } from './pwa/register-service-worker.js';
import type { BootedSession } from './session-boot.js';
import type { Navigate, ViewId, ViewTarget } from './views.js';
import './app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

// `returningUser` (early-boot.ts): the name this browser last joined with; session-boot joins with
// it, and the placeholders already show it. The overlay comes in its own smaller chunk, asked for
// before anything else, and a guest's starts joining as soon as it has run (issue 5: page load →
// joined); the phone, the views and JsSIP come once it has joined (overlay-boot.ts
// `sessionCodeDue`, at most 1 s), so running their code does not hold up the join. A returning
// user's session makes its own overlay: its code is asked for at once.
const loadSession = () => import('./session-boot.js');
const sessionCode = returningUser === undefined ? undefined : loadSession();
// Its failure shows through `booting` (the placeholders' error), not as an unhandled rejection.
sessionCode?.catch(() => undefined);
const booting: Promise<BootedSession> = overlayBooting.then((boot) =>
  boot.sessionCodeDue.then(() => sessionCode ?? loadSession()).then(({ bootSession }) => bootSession(returningUser, boot)),
);

function BootedStatus() {
  const { Status } = use(booting);
  return <Status />;
}

function BootedCallLayer({ navigate }: { navigate: Navigate }) {
  const { CallLayer } = use(booting);
  return <CallLayer navigate={navigate} />;
}

function BootedBadge({ view }: { view: ViewId }) {
  const { Badge } = use(booting);
  return <Badge view={view} />;
}

function BootedView({ target, navigate }: { target: ViewTarget; navigate: Navigate }) {
  const { View } = use(booting);
  return <View target={target} navigate={navigate} />;
}

const failed = 'The app’s code did not load.';

const parts: ShellParts = {
  status: (
    <LazyPart what="the phone" fallback={<StatusPlaceholder userName={returningUser} />}>
      <BootedStatus />
    </LazyPart>
  ),
  // Said once, by the status above; the call layer has nothing to add when the code is missing.
  callLayer: (navigate) => (
    <LazyPart what="the call screen" failure={null}>
      <BootedCallLayer navigate={navigate} />
    </LazyPart>
  ),
  // Nothing while the code loads or when it cannot (the status says so once).
  badge: (view) => (
    <LazyPart what="a count" failure={null}>
      <BootedBadge view={view} />
    </LazyPart>
  ),
  view: (target, navigate) => (
    <LazyPart
      what={`the ${target.view} view`}
      fallback={<ViewPlaceholder view={target.view} userName={returningUser} />}
      failure={<ViewPlaceholder view={target.view} error={failed} />}
    >
      <BootedView target={target} navigate={navigate} />
    </LazyPart>
  ),
};
createRoot(root).render(
  <StrictMode>
    <App parts={parts} />
  </StrictMode>,
);
// The worker's install fetches and caches every asset of the build: on a first visit that work
// would compete with the join (issue 5), so it is registered once the session code is due (the
// overlay joined, or at most SESSION_CODE_MAX_WAIT_MS), as is usual for a worker (after load).
if (import.meta.env.PROD) {
  void overlayBooting
    .then(({ sessionCodeDue }) => sessionCodeDue)
    .catch(() => undefined)
    .then(() => registerServiceWorker());
}
