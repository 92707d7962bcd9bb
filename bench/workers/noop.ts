/** A piscina task that does nothing: the pool's round trip alone (bench/subjects/piscinaNoop.ts). */
export default function noop<T>(task: T): T {
  return task;
}
