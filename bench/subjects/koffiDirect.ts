import { completeInput, echoNativePath, expectEchoText } from '../echoPlugin.js';
import { callSubject } from '../measure.js';

/**
 * Floor: the native plugin alone. native-echo loaded with koffi in the bench process (the host's
 * own binding, workers/native/library.ts), calling `plugd_complete` with the input the daemon
 * passes and freeing the output with `plugd_free`.
 */
export const koffiDirect = callSubject({
  id: 'koffi-direct',
  role: 'floor',
  label: 'koffi call of plugd_complete, in-process',
  description: "native-echo loaded with koffi in the bench process (workers/native/library.ts, the worker's binding): plugd_complete with the daemon's input, output copied and freed with plugd_free.",
  async open() {
    const { NativeLibrary } = await import('../../workers/native/library.js');
    const library = new NativeLibrary(echoNativePath, { chunk: () => undefined, log: () => undefined });
    const call = async (): Promise<string | null> => library.call('complete', completeInput).output;
    expectEchoText((JSON.parse((await call()) ?? 'null') as { text?: unknown } | null)?.text, 'koffi-direct');
    return { reentrant: false, call, close: async () => undefined };
  },
});
