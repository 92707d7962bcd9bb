/** A peer that sends every message back: a forked child or a worker thread. */
export interface EchoPeer {
  send(message: { id: number; task: unknown }): void;
  onMessage(listener: (message: { id: number }) => void): void;
}

const task = { type: 'call', fn: 'complete', input: '{"cfg":{"model":"echo-1"},"req":{"prompt":"hello"}}' };

/**
 * Calls matched by id over an {@link EchoPeer}: each call sends `{id, task}` (a task the size of a
 * plugin call's) and resolves when its answer comes back; several may be in flight.
 */
export async function echoCalls(peer: EchoPeer): Promise<() => Promise<void>> {
  const pending = new Map<number, () => void>();
  let nextId = 0;
  peer.onMessage((message) => {
    const done = pending.get(message.id);
    pending.delete(message.id);
    done?.();
  });
  const call = () =>
    new Promise<void>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      peer.send({ id, task });
    });
  await call();
  return call;
}
