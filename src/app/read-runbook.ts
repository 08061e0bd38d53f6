import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { RunproofError, isRunproofError } from '../core/index.js';
import { errorToDiagnostic, lintRunbook, parseRunbook, type Diagnostic } from '../parse/index.js';
// plan/parameters.js, not plan/index.js: the index brings plan/types.js and through it the whole
// record stage (bundle, seal, asn1 timestamps), which reading a runbook never needs (start-up).
import { checkParameterValue } from '../plan/parameters.js';
import { loadTeamPolicy } from './team-policy.js';

/** Extensions `lint` picks up when walking a folder (a file named on the command line is always read). */
export const RUNBOOK_EXTENSIONS: readonly string[] = ['.md', '.markdown', '.txt'];
const SKIPPED_DIRECTORIES = new Set(['node_modules']);

// Parsing is pure; this is the one place that turns a path into runbook text, with a clear
// RP_* error for each way a path can fail to be a readable UTF-8 text file.
/** Reads a runbook file as UTF-8 text (BOM kept for the parser to strip). */
export async function readRunbookFile(path: string): Promise<string> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new RunproofError('RP_FILE_NOT_FOUND', `${path} does not exist`, { file: path, hint: 'check the path and the current directory', cause: error });
    }
    throw new RunproofError('RP_READ_FAILED', `cannot read ${path}: ${(error as Error).message}`, { file: path, hint: 'check the file permissions', cause: error });
  }
  if (!info.isFile()) {
    throw new RunproofError('RP_NOT_A_FILE', `${path} is ${info.isDirectory() ? 'a directory' : 'not a regular file'}`, {
      file: path,
      hint: info.isDirectory() ? 'give one runbook file (runproof lint accepts folders)' : 'give a Markdown runbook file',
    });
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new RunproofError('RP_READ_FAILED', `cannot read ${path}: ${(error as Error).message}`, { file: path, hint: 'check the file permissions', cause: error });
  }
  return decodeRunbook(bytes, path);
}

/** UTF-8 text of a runbook's bytes; RP_BINARY_FILE for a NUL byte, RP_NOT_UTF8 with the line of the first bad byte. */
export function decodeRunbook(bytes: Uint8Array, path: string): string {
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    throw new RunproofError('RP_BINARY_FILE', `${path} is a binary file (NUL byte at offset ${nul}), not a Markdown runbook`, {
      file: path,
      span: { line: lineAt(bytes, nul), col: 1 },
      hint: 'runbooks are UTF-8 text; a UTF-16 file must be saved as UTF-8',
    });
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad !== -1) {
    throw new RunproofError('RP_NOT_UTF8', `${path} is not valid UTF-8 (bad byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at offset ${bad})`, {
      file: path,
      span: { line: lineAt(bytes, bad), col: 1 },
      hint: 'convert it, e.g. iconv -f latin1 -t utf-8',
    });
  }
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

// Offset of the first byte that breaks UTF-8 (overlong forms, surrogates and >U+10FFFF included), or -1.
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min, cp] = [1, 0x80, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) [need, min, cp] = [2, 0x800, b & 0x0f];
    else if (b >= 0xf0 && b <= 0xf4) [need, min, cp] = [3, 0x10000, b & 0x07];
    else return i;
    if (i + need >= bytes.length) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** The runbook files under the given paths: files as given, folders walked (sorted, recursive). */
export async function collectRunbookFiles(paths: readonly string[], extensions: readonly string[] = RUNBOOK_EXTENSIONS): Promise<{ files: string[]; errors: RunproofError[] }> {
  const files: string[] = [];
  const errors: RunproofError[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      errors.push(new RunproofError('RP_FILE_NOT_FOUND', `${path} does not exist`, { file: path, hint: 'check the path and the current directory', cause: error }));
      continue;
    }
    if (info.isDirectory()) await walk(path, files, errors, extensions);
    else files.push(path);
  }
  return { files, errors };
}

// Hidden folders (.git) and node_modules are not runbooks; symlinked folders are not followed.
// A folder that cannot be listed (EACCES, vanished mid-walk) is one error; the walk goes on.
async function walk(dir: string, files: string[], errors: RunproofError[], extensions: readonly string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    errors.push(new RunproofError('RP_READ_FAILED', `cannot list ${dir}: ${(error as Error).message}`, { file: dir, hint: 'check the folder permissions, or lint the folders you can read', cause: error }));
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIPPED_DIRECTORIES.has(entry.name)) await walk(path, files, errors, extensions);
    } else if ((entry.isFile() || entry.isSymbolicLink()) && extensions.includes(extname(entry.name).toLowerCase())) {
      files.push(path);
    }
  }
}

/** One file's lint result. */
export interface FileLint {
  path: string;
  diagnostics: Diagnostic[];
}

/** Lints every runbook under `paths`, going on past files that cannot be read or parsed. */
export async function lintPaths(paths: readonly string[], options: { policyFile?: string } = {}): Promise<FileLint[]> {
  const { files, errors } = await collectRunbookFiles(paths);
  const results: FileLint[] = errors.map((error) => ({ path: error.file ?? '', diagnostics: [errorToDiagnostic(error)] }));
  for (const path of files) {
    try {
      const text = await readRunbookFile(path);
      const team = await loadTeamPolicy(path, options.policyFile);
      results.push({ path, diagnostics: [...lintRunbook(text, { path, ...(team ? { policy: team.policy, policyPath: team.path } : {}) }), ...lintParameterDefaults(text, path)] });
    } catch (error) {
      const wrapped = isRunproofError(error) ? error : new RunproofError('RP_READ_FAILED', `cannot read ${path}: ${String(error)}`, { file: path, cause: error });
      results.push({ path, diagnostics: [errorToDiagnostic(wrapped, path)] });
    }
  }
  return results;
}

// A front-matter default that its own choices or pattern refuse would fail every run that uses it.
// The pattern runs under the regex time budget (plan's checkParameterValue), so this is not in the pure parse.
function lintParameterDefaults(text: string, path: string): Diagnostic[] {
  let params;
  try {
    params = parseRunbook(text, { path }).params;
  } catch {
    return [];
  }
  const out: Diagnostic[] = [];
  for (const param of params) {
    if (param.default === undefined || (param.choices === undefined && param.pattern === undefined)) continue;
    const problem = checkParameterValue(param, param.default);
    if (problem) {
      out.push({ severity: 'error', code: problem.code, message: `default of ${problem.message}`, ...(problem.hint !== undefined ? { hint: problem.hint } : {}), file: path, span: { line: 1, col: 1 } });
    }
  }
  return out;
}
