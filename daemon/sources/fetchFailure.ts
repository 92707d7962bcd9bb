/**
 * Why a `fetch` rejected, in words that never repeat the URL: fetch's own messages carry the
 * whole URL (a presigned query, credentials), so only the cause's error code (ECONNREFUSED,
 * ENOTFOUND, UND_ERR_SOCKET…) is shown, or the reason plugd itself gave when it aborted.
 */
export function fetchFailure(error: unknown, signal?: AbortSignal): string {
  if (signal?.aborted && signal.reason instanceof Error && signal.reason.name === 'Error') return signal.reason.message;
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof code === 'string' && code !== '') return code;
  const name = (error as Error | null)?.name;
  if (name === 'TimeoutError') return 'timed out';
  if (name === 'AbortError') return 'aborted';
  return `request failed: ${name ?? typeof error}`;
}
