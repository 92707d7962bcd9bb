// @ts-nocheck -- AssemblyScript source (compiled by asc, not by the project's tsc).
//
// Minimal WASI (preview1) file access for plugins: the directories the host
// preopened, reading a file, listing a directory. plugd preopens exactly the
// directories granted by a tool plugin's `allowed_paths`, each under its own
// host path; a plugin sees nothing else of the file system.

@external("wasi_snapshot_preview1", "fd_prestat_get")
declare function _fd_prestat_get(fd: u32, buf: usize): u16;
@external("wasi_snapshot_preview1", "fd_prestat_dir_name")
declare function _fd_prestat_dir_name(fd: u32, path: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "path_open")
declare function _path_open(dirfd: u32, dirflags: u32, path: usize, pathLen: usize, oflags: u16, rightsBase: u64, rightsInheriting: u64, fdflags: u16, fdOut: usize): u16;
@external("wasi_snapshot_preview1", "fd_read")
declare function _fd_read(fd: u32, iovs: usize, iovsLen: usize, nread: usize): u16;
@external("wasi_snapshot_preview1", "fd_readdir")
declare function _fd_readdir(fd: u32, buf: usize, bufLen: usize, cookie: u64, bufUsed: usize): u16;
@external("wasi_snapshot_preview1", "fd_close")
declare function _fd_close(fd: u32): u16;
@external("wasi_snapshot_preview1", "path_filestat_get")
declare function _path_filestat_get(fd: u32, flags: u32, path: usize, pathLen: usize, buf: usize): u16;

export const FILETYPE_DIRECTORY: u8 = 3;
export const FILETYPE_REGULAR: u8 = 4;
export const FILETYPE_SYMLINK: u8 = 7;

/**
 * The file type of `relative` under `dir` without following a final symlink (lstat), or the
 * errno as a negative number.
 */
export function fileType(dir: Preopen, relative: string): i32 {
  const path = String.UTF8.encode(relative, false);
  const buf = memory.data(64);
  const errno = _path_filestat_get(dir.fd, 0, changetype<usize>(path), <usize>path.byteLength, buf);
  if (errno != 0) return -<i32>errno;
  return <i32>load<u8>(buf + 16);
}

/**
 * Node's WASI (which Extism 1.0.3 uses in-process) follows symlinks out of a preopened
 * directory, so a plugin that must stay inside its grant checks every component of a path and
 * refuses symlinks. Returns "" when no component is a symlink (or the path does not exist yet),
 * else the component that is one.
 */
export function symlinkOnPath(dir: Preopen, relative: string): string {
  if (relative == ".") return "";
  const parts = relative.split("/");
  let prefix = "";
  for (let i = 0; i < parts.length; i++) {
    prefix = i == 0 ? parts[i] : prefix + "/" + parts[i];
    const type = fileType(dir, prefix);
    if (type < 0) return "";
    if (<u8>type == FILETYPE_SYMLINK) return prefix;
  }
  return "";
}

const OFLAGS_DIRECTORY: u16 = 2;
// fd_read | fd_seek | fd_tell | path_open | fd_readdir | fd_filestat_get: read-only rights, so the
// host opens files read-only.
const RIGHTS_READ: u64 = (1 << 1) | (1 << 2) | (1 << 5) | (1 << 13) | (1 << 14) | (1 << 21);
export const ERRNO_NOENT: u16 = 44;
export const ERRNO_NOTDIR: u16 = 54;
export const ERRNO_ISDIR: u16 = 31;
export const ERRNO_ACCES: u16 = 2;
export const ERRNO_NOTCAPABLE: u16 = 76;

/** A preopened directory: its file descriptor and the path it is known by. */
export class Preopen {
  constructor(public fd: u32, public path: string) {}
}

/** The directories the host preopened (fd 3 upwards until the first that is not one). */
export function preopens(): Preopen[] {
  const out = new Array<Preopen>();
  const buf = memory.data(8);
  for (let fd: u32 = 3; fd < 1024; fd++) {
    if (_fd_prestat_get(fd, buf) != 0) break;
    if (load<u8>(buf) != 0) continue;
    const len = load<u32>(buf + 4);
    const name = new ArrayBuffer(<i32>len);
    if (_fd_prestat_dir_name(fd, changetype<usize>(name), len) != 0) continue;
    let path = String.UTF8.decode(name);
    while (path.length > 1 && path.endsWith("/")) path = path.substring(0, path.length - 1);
    out.push(new Preopen(fd, path));
  }
  return out;
}

/** The result of a file operation: `errno` 0 and the value, or the WASI errno. */
export class FsResult<T> {
  constructor(public errno: u16, public value: T) {}
}

function open(dir: Preopen, relative: string, directory: bool): FsResult<u32> {
  const path = String.UTF8.encode(relative, false);
  const fdOut = memory.data(4);
  const errno = _path_open(dir.fd, 0, changetype<usize>(path), <usize>path.byteLength, directory ? OFLAGS_DIRECTORY : 0, RIGHTS_READ, RIGHTS_READ, 0, fdOut);
  return new FsResult<u32>(errno, errno == 0 ? load<u32>(fdOut) : 0);
}

/** Reads at most `maxBytes` of a file under `dir`; `truncated` says whether there was more. */
export class FileText {
  constructor(public text: string, public truncated: bool) {}
}

export function readFile(dir: Preopen, relative: string, maxBytes: i32): FsResult<FileText | null> {
  const opened = open(dir, relative, false);
  if (opened.errno != 0) return new FsResult<FileText | null>(opened.errno, null);
  const fd = opened.value;
  const buf = new ArrayBuffer(maxBytes + 1);
  const iov = memory.data(8);
  const nread = memory.data(4);
  let total: i32 = 0;
  let errno: u16 = 0;
  while (total < maxBytes + 1) {
    store<u32>(iov, <u32>(changetype<usize>(buf) + <usize>total));
    store<u32>(iov + 4, <u32>(maxBytes + 1 - total));
    errno = _fd_read(fd, iov, 1, nread);
    if (errno != 0) break;
    const n = <i32>load<u32>(nread);
    if (n == 0) break;
    total += n;
  }
  _fd_close(fd);
  if (errno != 0) return new FsResult<FileText | null>(errno, null);
  const truncated = total > maxBytes;
  const text = String.UTF8.decodeUnsafe(changetype<usize>(buf), <usize>(truncated ? maxBytes : total));
  return new FsResult<FileText | null>(0, new FileText(text, truncated));
}

/** One directory entry. `kind`: "dir", "file", "symlink" or "other". */
export class DirEntry {
  constructor(public name: string, public kind: string) {}
}

export function listDirectory(dir: Preopen, relative: string): FsResult<DirEntry[] | null> {
  const opened = open(dir, relative, true);
  if (opened.errno != 0) return new FsResult<DirEntry[] | null>(opened.errno, null);
  const fd = opened.value;
  const out = new Array<DirEntry>();
  const size: i32 = 8192;
  const buf = new ArrayBuffer(size);
  const base = changetype<usize>(buf);
  const used = memory.data(4);
  let cookie: u64 = 0;
  let errno: u16 = 0;
  while (true) {
    errno = _fd_readdir(fd, base, <usize>size, cookie, used);
    if (errno != 0) break;
    const n = <i32>load<u32>(used);
    let at: i32 = 0;
    let complete = 0;
    // dirent: d_next u64, d_ino u64, d_namlen u32, d_type u8 (+3 padding), then the name.
    while (at + 24 <= n) {
      const namlen = <i32>load<u32>(base + <usize>at + 16);
      if (at + 24 + namlen > n) break;
      const type = load<u8>(base + <usize>at + 20);
      cookie = load<u64>(base + <usize>at);
      const name = String.UTF8.decodeUnsafe(base + <usize>at + 24, <usize>namlen);
      if (name != "." && name != "..") out.push(new DirEntry(name, type == 3 ? "dir" : type == 4 ? "file" : type == 7 ? "symlink" : "other"));
      at += 24 + namlen;
      complete++;
    }
    if (n < size) break;
    if (complete == 0) break; // one entry larger than the buffer: stop rather than loop
  }
  _fd_close(fd);
  if (errno != 0) return new FsResult<DirEntry[] | null>(errno, null);
  return new FsResult<DirEntry[] | null>(0, out);
}

/** A short name for the errnos a read-only plugin meets. */
export function errnoName(errno: u16): string {
  if (errno == ERRNO_NOENT) return "no such file or directory";
  if (errno == ERRNO_NOTDIR) return "not a directory";
  if (errno == ERRNO_ISDIR) return "is a directory";
  if (errno == ERRNO_ACCES) return "permission denied";
  if (errno == ERRNO_NOTCAPABLE) return "outside the granted directories";
  return "WASI errno " + errno.toString();
}
