/** app/pwa: installing the app (manifest in public/, the app-shell worker public/sw.js). */
export { registerServiceWorker, type RegisterServiceWorkerOptions, type ServiceWorkerOutcome } from './register-service-worker.js';
