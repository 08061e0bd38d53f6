// Every path the server reads is named by a request: it must stay inside the evidence folder,
// after decoding, with no `..`, no absolute part, no NUL and no symbolic link on the way.
import { constants } from 'node:fs';
import { lstat, open, realpath, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** Why a requested path was refused (shown to the client as 404/400 without the detail). */
export class UnsafePathError extends Error {}

// A bundle name or a path segment as it may appear in a URL, decoded once: nothing that could
// step out of its folder or be read differently by the file system.
export function isSafeSegment(segment: string): boolean {
  if (segment === '' || segment === '.' || segment === '..') return false;
  if (segment.length > 255) return false;
  // NUL, path separators of any platform, and control characters.
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u001f\u007f/\\]/.test(segment);
}

/**
 * Decodes the `/`-separated segments of a URL path tail; null when any segment is unsafe
 * (encoded `..`, `%2f` inside a segment, NUL, bad percent-encoding, empty segment).
 */
export function decodeSegments(tail: string): string[] | null {
  const raw = tail.split('/');
  const out: string[] = [];
  for (const part of raw) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return null;
    }
    if (!isSafeSegment(decoded)) return null;
    out.push(decoded);
  }
  return out;
}

/**
 * Opens a regular file at `root/segments...` for reading, refusing symlinks in any component
 * (each parent is lstat-ed, the file is opened with O_NOFOLLOW) and anything whose real path
 * leaves `root`. Throws UnsafePathError when refused, ENOENT-like errors when absent.
 */
export async function openInside(root: string, segments: readonly string[]): Promise<{ handle: FileHandle; size: number; path: string }> {
  if (segments.length === 0 || !segments.every(isSafeSegment)) throw new UnsafePathError('unsafe path');
  const realRoot = await realpath(root);
  let current = realRoot;
  for (const segment of segments.slice(0, -1)) {
    current = join(current, segment);
    const info = await lstat(current);
    if (!info.isDirectory()) throw new UnsafePathError(`${segment} is not a folder`);
  }
  const path = join(current, segments[segments.length - 1]!);
  if (!path.startsWith(realRoot + sep)) throw new UnsafePathError('outside the evidence folder');
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new UnsafePathError('not a regular file');
    // A folder swapped for a symlink between the lstat and the open is caught here.
    const real = await realpath(path);
    if (real !== path) throw new UnsafePathError('reached through a symbolic link');
    return { handle, size: info.size, path };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** True when `root/name` is a real directory (not a symlink) directly inside `root`. */
export async function isBundleFolder(root: string, name: string): Promise<boolean> {
  if (!isSafeSegment(name)) return false;
  const info = await lstat(join(root, name)).catch(() => null);
  return info?.isDirectory() === true;
}
