/**
 * Why a `fetch` rejected, in words that never repeat the URL: fetch's own messages carry the
 * whole URL (a presigned query, credentials), so the cause's error code (ECONNREFUSED, ENOTFOUND,
 * UND_ERR_SOCKET…) is shown, else the cause's message when it names no URL ("redirect count
 * exceeded"), or the reason plugd itself gave when it aborted.
 */
export function fetchFailure(error: unknown, signal?: AbortSignal): string {
  if (signal?.aborted && signal.reason instanceof Error && signal.reason.name === 'Error') return signal.reason.message;
  const cause = (error as { cause?: unknown } | null)?.cause;
  const code = (cause as { code?: unknown } | null | undefined)?.code;
  if (typeof code === 'string' && code !== '') return code;
  if (cause instanceof Error && cause.message && !/:\/\/|@/.test(cause.message)) return cause.message;
  const name = (error as Error | null)?.name;
  if (name === 'TimeoutError') return 'timed out';
  if (name === 'AbortError') return 'aborted';
  return `request failed: ${name ?? typeof error}`;
}
