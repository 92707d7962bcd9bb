import type { Descriptor } from './ociClient.js';

/** This machine's platform as OCI names it (`linux`/`amd64`, `darwin`/`arm64`, …). */
export function hostPlatform(): { os: string; architecture: string } {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const architecture = ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[process.arch] ?? process.arch;
  return { os, architecture };
}

/**
 * The index entry for this machine: its own os/architecture first, then a Wasm build
 * (`wasi`/`wasm`), which runs anywhere. Null when neither is there.
 */
export function selectPlatform(manifests: Descriptor[], host = hostPlatform()): Descriptor | null {
  return (
    manifests.find((m) => m.platform?.os === host.os && m.platform.architecture === host.architecture) ??
    manifests.find((m) => m.platform && (m.platform.os === 'wasi' || m.platform.os === 'wasip1' || m.platform.architecture === 'wasm')) ??
    null
  );
}

export function describePlatforms(manifests: Descriptor[]): string {
  return manifests.map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}` : '(no platform)')).join(', ') || 'none';
}
