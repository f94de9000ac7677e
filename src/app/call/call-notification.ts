/**
 * System notifications for incoming calls while the tab is hidden (issue 7). Permission is asked
 * only when the person presses "Turn on call notifications" (the dialer offers it once joined),
 * never on its own, so the page never blocks on a prompt. Clicking the notification brings the
 * tab to the front; it closes when the call is answered, declined or cancelled.
 */

export type NotificationPermissionState = 'unsupported' | NotificationPermission;

export function notificationPermission(): NotificationPermissionState {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Ask for permission (call from a click); resolves with the answer. */
export async function askNotificationPermission(): Promise<NotificationPermissionState> {
  if (typeof Notification === 'undefined') return 'unsupported';
  try {
    return await Notification.requestPermission();
  } catch {
    return Notification.permission;
  }
}

/**
 * Show "`who` is calling" when the tab is hidden and notifications are allowed; returns a function
 * that closes it (a no-op when none was shown).
 */
export function notifyIncomingCall(callId: string, who: string, aor: string): () => void {
  if (typeof document === 'undefined' || document.visibilityState !== 'hidden' || notificationPermission() !== 'granted') return () => {};
  let n: Notification;
  try {
    n = new Notification(`${who} is calling`, { body: `${aor} — open Chordphone to answer.`, tag: `call-${callId}`, requireInteraction: true, icon: '/favicon.svg' });
  } catch {
    // Some mobile browsers allow notifications only from a service worker; the ringtone and the screen remain.
    return () => {};
  }
  n.onclick = () => {
    window.focus();
    n.close();
  };
  return () => n.close();
}
