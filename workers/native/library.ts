import koffi from 'koffi';
import type { WireError } from '../messages.js';
import { TOOL_FUNCTIONS, symbolOf } from './symbols.js';

/** The ABI version this host implements (plugins/include/plugd.h, PLUGD_ABI_VERSION). */
export const ABI_VERSION = 1;

/** The plugin functions a host may call, without their `plugd_` prefix (plugd.h). */
export const FUNCTIONS = [
  'name',
  'init_logging',
  'config_schema',
  'api_key_name',
  'base_url',
  'from_config',
  'supports_streaming',
  'list_models',
  'chat',
  'chat_stream',
  'embed',
  'complete',
] as const;

const ChunkCallback = koffi.proto('void plugd_yield_chunk_cb(void *ctx, const void *data, size_t len)');
const LogCallback = koffi.proto('void plugd_log_cb(void *ctx, int32_t level, const char *target, const char *message)');
const HostTable = koffi.struct('plugd_host', {
  abi_version: 'uint32_t',
  size: 'uint32_t',
  ctx: 'void *',
  yield_chunk: koffi.pointer(ChunkCallback),
  log: koffi.pointer(LogCallback),
});
const PluginFunction = ['plugd_host *', 'const void *', 'size_t', koffi.out(koffi.pointer('void *')), koffi.out(koffi.pointer('size_t'))] as const;

/** What a plugin's callbacks reach: the current call's chunk and log sinks. */
export interface HostSink {
  chunk(data: string): void;
  log(level: number, target: string, message: string): void;
}

type Call = (host: unknown, input: Buffer, length: number, output: [unknown], outputLength: [number | bigint]) => number;

/** A failure to load the library, already in wire form. */
export class LoadFailure extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
  }
}

/**
 * One loaded plugin library: checks the ABI version and the required symbols, looks up the
 * optional functions, and calls them with JSON text in and out (plugd.h's calling convention).
 */
export class NativeLibrary {
  readonly exports: string[];
  private readonly functions = new Map<string, Call>();
  private readonly free: (buffer: unknown) => void;
  private readonly host: Record<string, unknown>;

  constructor(path: string, sink: HostSink) {
    let lib: ReturnType<typeof koffi.load>;
    try {
      lib = koffi.load(path);
    } catch (error) {
      throw new LoadFailure({ name: 'PluginLoadError', code: 'PLUGIN_LOAD', message: `cannot load the shared library: ${(error as Error).message}` });
    }
    const version = optional(() => lib.func('uint32_t plugd_abi_version(void)'));
    if (!version) throw missing('plugd_abi_version', ' (is this a plugd native plugin? see plugins/include/plugd.h)');
    const built = Number(version());
    if (built !== ABI_VERSION) {
      throw new LoadFailure({
        name: 'PluginLoadError',
        code: 'PLUGIN_INVALID',
        message: `the plugin was built for plugd native ABI version ${built}, but this plugd implements version ${ABI_VERSION} (rebuild it against plugins/include/plugd.h)`,
      });
    }
    const free = optional(() => lib.func('void plugd_free(void *buffer)'));
    if (!free) throw missing('plugd_free', ', which the host needs to release returned buffers');
    this.free = free;
    for (const fn of [...FUNCTIONS, ...Object.keys(TOOL_FUNCTIONS)]) {
      const call = optional(() => lib.func(symbolOf(fn), 'int32_t', [...PluginFunction]));
      if (call) this.functions.set(fn, call as Call);
    }
    if (!this.functions.has('name')) throw missing('plugd_name', '');
    this.exports = [...this.functions.keys()];
    // Registered once for the life of the worker: the table is the same for every call.
    const chunk = koffi.register((_ctx: unknown, data: unknown, len: number | bigint) => {
      sink.chunk(Buffer.from(koffi.view(data, Number(len))).toString('utf8'));
    }, koffi.pointer(ChunkCallback));
    const log = koffi.register((_ctx: unknown, level: number, target: string | null, message: string | null) => {
      sink.log(level, target ?? '', message ?? '');
    }, koffi.pointer(LogCallback));
    this.host = { abi_version: ABI_VERSION, size: HostTable.size, ctx: null, yield_chunk: chunk, log };
  }

  has(fn: string): boolean {
    return this.functions.has(fn);
  }

  /** Calls the C function of `fn` ({@link symbolOf}); returns its code and its output text (null when it set none). */
  call(fn: string, input: string): { code: number; output: string | null } {
    const call = this.functions.get(fn);
    if (!call) throw new Error(`the plugin does not export "${symbolOf(fn)}"`);
    const bytes = Buffer.from(input, 'utf8');
    const output: [unknown] = [null];
    const length: [number | bigint] = [0];
    const code = call(this.host, bytes, bytes.length, output, length);
    let text: string | null = null;
    if (output[0] !== null && output[0] !== undefined) {
      try {
        text = Buffer.from(koffi.view(output[0], Number(length[0]))).toString('utf8');
      } finally {
        this.free(output[0]);
      }
    }
    return { code, output: text };
  }
}

function optional<T>(lookup: () => T): T | undefined {
  try {
    return lookup();
  } catch {
    return undefined;
  }
}

function missing(symbol: string, why: string): LoadFailure {
  return new LoadFailure({ name: 'PluginLoadError', code: 'MISSING_EXPORT', message: `the library does not export the required function "${symbol}"${why}` });
}
