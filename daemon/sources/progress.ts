/** One step of resolving or downloading a plugin source, for progress displays and logs. */
export interface SourceProgress {
  /** The reference being resolved, as written. */
  ref: string;
  /** `resolving` (asking the registry or server), `downloading` (bytes arriving), `extracting`, `done`. */
  phase: 'resolving' | 'downloading' | 'extracting' | 'done';
  /** Bytes received so far (downloading). */
  bytes?: number;
  /** Bytes expected, when known (downloading). */
  total?: number | null;
}

export type ProgressListener = (progress: SourceProgress) => void;
