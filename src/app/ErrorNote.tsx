/**
 * What went wrong, in words, announced at once (role="alert"): nothing while there is no error.
 * One look for every view's error line (the dialer, the first run, a call, the keypad).
 */
export function ErrorNote({ error, testId }: { error: string | undefined; testId?: string }) {
  if (!error) return null;
  return (
    <p className="note-result error" data-testid={testId} role="alert">
      {error}
    </p>
  );
}
