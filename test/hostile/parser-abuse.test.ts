import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { decodeRunbook, lintPaths } from '../../src/app/read-runbook.js';
import { isRunproofError, type RunproofError } from '../../src/core/index.js';
import { lintRunbook, parseRunbook, type Notebook } from '../../src/parse/index.js';
import { parseAssertions } from '../../src/parse/assertions.js';
import { runCli } from '../helpers/cli.js';

// Hostile runbook text in-process (fast) and through the built CLI (exit codes): every input
// gives a notebook or an RP_* error, never a stack overflow, a foreign exception or a hang.

const dir = mkdtempSync(join(tmpdir(), 'rp-hostile-parser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function parseError(text: string): RunproofError {
  try {
    parseRunbook(text, { path: 'h.md' });
  } catch (error) {
    if (isRunproofError(error)) return error;
    throw error;
  }
  throw new Error('parseRunbook accepted the text');
}

const fence = (indent: string, prefix = ''): string => `${prefix}\`\`\`bash\n${indent}echo deep\n${indent}\`\`\`\n`;

describe('deep nesting', () => {
  it('10,000 nested blockquotes around a fence: RP_NESTING_TOO_DEEP at the line, not a silently lost cell', () => {
    const quotes = '>'.repeat(10_000);
    const text = `# T\n\n${quotes} \`\`\`bash\n${quotes} echo deep\n${quotes} \`\`\`\n`;
    const error = parseError(text);
    expect(error.code).toBe('RP_NESTING_TOO_DEEP');
    expect(error.span?.line).toBe(3);
    expect(lintRunbook(text, { path: 'h.md' }).map((d) => d.code)).toContain('RP_NESTING_TOO_DEEP');
  });

  it('10,000 nested lists on one line and 10,000 indented levels: RP_NESTING_TOO_DEEP', () => {
    expect(parseError(`# T\n\n${'- '.repeat(10_000)}${fence('')}`).code).toBe('RP_NESTING_TOO_DEEP');
    expect(parseError(`${'1. '.repeat(10_000)}x\n`).code).toBe('RP_NESTING_TOO_DEEP');
    // 10,000 levels by indentation (about 100 MB when written out fully; 2,000 lines keep it at 4 MB).
    const lines = Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(2 * i)}- item ${i}`).join('\n');
    expect(parseError(`# T\n${lines}\n`).code).toBe('RP_NESTING_TOO_DEEP');
  });

  it('nesting under the limit is read: a fence 40 blockquotes deep is a (blockquote) doc cell', () => {
    const quotes = '>'.repeat(40);
    const notebook = parseRunbook(`# T\n\n${quotes} \`\`\`bash\n${quotes} echo deep\n${quotes} \`\`\`\n`, { path: 'h.md' });
    expect(notebook.cells).toHaveLength(1);
    expect(notebook.cells[0]!.source).toBe('echo deep');
    expect(notebook.cells[0]!.docReason).toBe('blockquote');
    // A fence 20 list levels deep runs like any other.
    const listed = parseRunbook(`# T\n\n${'- '.repeat(20)}\`\`\`bash\n${'  '.repeat(20)}echo listed\n${'  '.repeat(20)}\`\`\`\n`, { path: 'h.md' });
    expect(listed.cells.map((c) => [c.kind, c.source])).toEqual([['shell', 'echo listed']]);
  });

  it('10,000 nested HTML blocks and 10,000 heading marks are plain text', () => {
    expect(parseRunbook(`${'<div>'.repeat(10_000)}\n\n${fence('')}`, { path: 'h.md' }).cells).toHaveLength(1);
    const notebook = parseRunbook(`${'#'.repeat(10_000)} not a heading\n${fence('')}`, { path: 'h.md' });
    expect(notebook.sections).toHaveLength(1);
    expect(notebook.cells).toHaveLength(1);
  });
});

describe('1 MB lines', () => {
  const mega = 'a'.repeat(1 << 20);
  it('a 1 MB heading, prose line, info string and command parse into their cells', () => {
    const text = `# ${mega}\n\n${mega}\n\n\`\`\`bash {name=big}\necho ${mega}\n\`\`\`\n\n\`\`\`text ${mega}\nx\n\`\`\`\n`;
    const notebook: Notebook = parseRunbook(text, { path: 'h.md' });
    expect(notebook.sections[1]!.title).toHaveLength(1 << 20);
    expect(notebook.cells.map((c) => c.name)).toEqual(['big', `${notebook.sections[1]!.slug}/doc-1`]);
    expect(notebook.cells[0]!.command).toHaveLength((1 << 20) + 5);
  });

  it('a 1 MB attribute string and a 1 MB runproof comment give RP_* errors', () => {
    expect(['RP_UNKNOWN_ATTRIBUTE', 'RP_BAD_ATTRIBUTE']).toContain(parseError(`\`\`\`bash {${'k=v '.repeat(250_000)}}\necho\n\`\`\`\n`).code);
    expect(parseError(`<!-- runproof ${'x'.repeat(1 << 20)}=1 -->\n${fence('')}`).code).toBe('RP_UNKNOWN_ATTRIBUTE');
  });

  it('1 MB assertion lines: strings, regexes and quotes give assertions or RP_BAD_ASSERTION', () => {
    const parsed = parseAssertions(`stdout contains "${mega}"\nstdout matches /${mega}/\n${'"'.repeat(1 << 20)}\n${'['.repeat(1 << 20)}`, { line: 1 });
    expect(parsed.assertions).toHaveLength(2);
    expect(parsed.errors.map((e) => [e.code, e.span?.line])).toEqual([
      ['RP_BAD_ASSERTION', 3],
      ['RP_BAD_ASSERTION', 4],
    ]);
  });
});

describe('deeply nested assertion expressions', () => {
  it('JSONPath and metric selectors nested 10,000 deep are RP_BAD_ASSERTION, not a stack overflow', () => {
    const lines = [
      `jsonpath "$${'[?(@.a'.repeat(10_000)}" == 1`,
      `jsonpath "$[?(${'('.repeat(10_000)}@.a${')'.repeat(10_000)})]" == 1`,
      `jsonpath "$${'['.repeat(10_000)}0${']'.repeat(10_000)}" == 1`,
      `metric "x{${'{'.repeat(10_000)}" == 1`,
    ];
    const parsed = parseAssertions(lines.join('\n'), { line: 7, file: 'h.md' });
    expect(parsed.assertions).toEqual([]);
    expect(parsed.errors.map((e) => [e.code, e.span?.line])).toEqual(lines.map((_, i) => ['RP_BAD_ASSERTION', 7 + i]));
    expect(parsed.errors[0]!.message).toMatch(/nest more than \d+ levels/);
  });

  it('through the parse: an assert cell with a 10,000-deep path is RP_BAD_ASSERTION (exit 2), not RP_INTERNAL', () => {
    const error = parseError(`# T\n\n${fence('')}\n\`\`\`assert\njsonpath "$${'[?(@.a'.repeat(10_000)}" == 1\n\`\`\`\n`);
    expect(error.code).toBe('RP_BAD_ASSERTION');
    expect(error.span?.line).toBe(8);
  });

  it('ordinary nesting still parses', () => {
    const parsed = parseAssertions('jsonpath "$.items[?(@.state == \'up\')].name" count == 2\nmetric "up{job=\\"api\\"}" == 1', { line: 1 });
    expect(parsed.errors).toEqual([]);
    expect(parsed.assertions).toHaveLength(2);
  });
});

describe('every fence type unclosed', () => {
  const cases: [string, string, string][] = [
    ['backticks', '```bash\necho a\n', '```'],
    ['tildes', '~~~bash\necho a\n', '~~~'],
    ['four backticks closed by three', '````bash\necho a\n```\n', '````'],
    ['long tildes closed by backticks', '~~~~~sh\necho a\n```\n', '~~~~~'],
    ['http', '```http\nGET http://127.0.0.1:9/\n', '```'],
    ['assert', '```assert\nexit == 0\n', '```'],
    ['console', '```console\n$ echo a\na\n', '```'],
    ['in a list', '- ```bash\n  echo a\n', '```'],
    ['in a blockquote', '> ```bash\n> echo a\n', '```'],
    ['without a final newline', '```bash\necho a', '```'],
  ];
  it.each(cases)('%s: a doc cell (unclosed-fence) and an RP_UNCLOSED_FENCE warning', (_name, body, markup) => {
    const notebook = parseRunbook(`# T\n\n\`\`\`bash\necho first\n\`\`\`\n\n${body}`, { path: 'h.md' });
    expect(notebook.cells.map((c) => c.kind)).toEqual(['shell', 'doc']);
    expect(notebook.cells[1]!.docReason).toBe('unclosed-fence');
    expect(notebook.cells[1]!.runnable).toBe(false);
    expect(notebook.warnings.map((w) => [w.code, w.span?.line])).toEqual([['RP_UNCLOSED_FENCE', 7]]);
    expect(notebook.warnings[0]!.hint).toContain(markup);
  });

  it('an unclosed front matter is a thematic break and an unclosed HTML comment swallows the rest (both give a notebook)', () => {
    expect(parseRunbook('---\ntitle: x\n\n# T\n', { path: 'h.md' }).sections.map((s) => s.title)).toEqual(['', 'T']);
    expect(parseRunbook(`# T\n<!-- runproof name=a\n\n${fence('')}`, { path: 'h.md' }).cells).toEqual([]);
  });
});

describe('bytes that are not text', () => {
  it('NUL bytes: RP_BINARY_FILE with the line; invalid UTF-8 of each kind: RP_NOT_UTF8 with the offset', () => {
    expect(() => decodeRunbook(Buffer.from('# T\n\necho\u0000\n'), 'h.md')).toThrow(expect.objectContaining({ code: 'RP_BINARY_FILE', span: { line: 3, col: 1 } }));
    const bad: [string, number[]][] = [
      ['lone continuation', [0x80]],
      ['overlong slash', [0xc0, 0xaf]],
      ['surrogate', [0xed, 0xa0, 0x80]],
      ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
      ['truncated at the end', [0xe2, 0x82]],
      ['latin-1', [0xe9, 0x74, 0xe9]],
    ];
    for (const [name, bytes] of bad) {
      const buffer = Buffer.concat([Buffer.from('# T\nline two '), Buffer.from(bytes), Buffer.from('\n')]);
      expect(() => decodeRunbook(buffer, 'h.md'), name).toThrow(expect.objectContaining({ code: 'RP_NOT_UTF8', span: { line: 2, col: 1 } }));
    }
    expect(decodeRunbook(Buffer.from('\ufeff# T \u{1F600}\n'), 'h.md')).toBe('\ufeff# T \u{1F600}\n');
  });

  it('the CLI: list, lint and run --dry-run exit 2 with one RP_* line for NUL, invalid UTF-8 and deep nesting', async () => {
    const nul = join(dir, 'nul.md');
    const latin = join(dir, 'latin.md');
    const deep = join(dir, 'deep.md');
    writeFileSync(nul, Buffer.from('# T\n\u0000\n'));
    writeFileSync(latin, Buffer.from([0x23, 0x20, 0xe9, 0x0a]));
    writeFileSync(deep, `# T\n${'> '.repeat(5_000)}x\n`);
    const runs = await Promise.all([
      runCli(['list', nul]),
      runCli(['lint', latin]),
      runCli(['run', deep, '--dry-run', '--evidence-dir', join(dir, 'ev')]),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(runs[0]!.stderr).toMatch(/^RP_BINARY_FILE \S*nul\.md:2:1 /);
    expect(runs[1]!.stderr).toMatch(/latin\.md:1:1 error RP_NOT_UTF8/);
    expect(runs[2]!.stderr).toMatch(/^RP_NESTING_TOO_DEEP \S*deep\.md:2:1 /);
    for (const run of runs) expect(run.stderr).not.toMatch(/RangeError|at .*\.js:\d+|RP_INTERNAL/);
  });
});

describe('lint of a file full of errors', () => {
  it('stops at 100 errors with RP_TOO_MANY_ERRORS instead of spending minutes on hints', () => {
    let text = '# T\n\n';
    for (let i = 0; i < 5_000; i++) text += `\`\`\`bash {name=cell-${i}}\necho\n\`\`\`\n\`\`\`assert {of=missing-${i}}\nexit == 0\n\`\`\`\n`;
    const diagnostics = lintRunbook(text, { path: 'h.md' });
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors.filter((d) => d.code === 'RP_CELL_NOT_FOUND')).toHaveLength(100);
    expect(errors.filter((d) => d.code === 'RP_TOO_MANY_ERRORS')).toHaveLength(1);
    expect(errors.at(-1)!.code).toBe('RP_TOO_MANY_ERRORS');
  });

  it('under the cap, every error is reported', () => {
    let text = '# T\n\n';
    for (let i = 0; i < 99; i++) text += `\`\`\`bash {timout=${i}s}\necho\n\`\`\`\n`;
    expect(lintRunbook(text, { path: 'h.md' }).map((d) => d.code)).toEqual(Array(99).fill('RP_UNKNOWN_ATTRIBUTE'));
  });
});

// A folder lint cannot list: chmod 000 (not as root, who reads anyway), else /proc/1/fdinfo where
// the container refuses it even to root (found by the CLI fuzzer: `lint /` crashed with EACCES).
function unlistableFolder(): string | undefined {
  if (process.getuid?.() !== 0) {
    const locked = join(dir, 'tree', 'locked');
    mkdirSync(locked, { recursive: true });
    writeFileSync(join(dir, 'tree', 'ok.md'), '# Ok\n');
    chmodSync(locked, 0o000);
    return join(dir, 'tree');
  }
  // root may list a chmod 000 folder, but not these (EACCES without CAP_SYS_ADMIN/ptrace rights).
  for (const candidate of ['/proc/1/fdinfo', '/proc/1/map_files']) {
    try {
      readdirSync(candidate);
    } catch {
      return candidate;
    }
  }
  return undefined;
}

describe('lint of folders it cannot list', () => {
  const folder = unlistableFolder();
  afterAll(() => {
    if (folder?.startsWith(dir)) chmodSync(join(folder, 'locked'), 0o755);
  });
  it('an unlistable folder is one RP_READ_FAILED diagnostic; the rest is linted', async () => {
    expect(folder, 'no folder this process cannot list: run as a non-root user, or as root where /proc/1/fdinfo is unreadable').toBeDefined();
    const results = await lintPaths([folder!]);
    const failed = results.filter((r) => r.diagnostics.some((d) => d.code === 'RP_READ_FAILED'));
    expect(failed).toHaveLength(1);
    expect(failed[0]!.diagnostics[0]!.message).toMatch(/^cannot list .*: EACCES/);
    if (folder!.startsWith(dir)) expect(results.map((r) => r.path)).toContain(join(folder!, 'ok.md'));
  });
});

describe('hostile front matter', () => {
  it('an alias bomb, an unresolved alias and 10,000-deep YAML are RP_BAD_FRONT_MATTER; __proto__ changes nothing', () => {
    const bomb = ['---', 'a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(',')}]`), '---', '# T', ''].join('\n');
    expect(parseError(bomb).message).toMatch(/resource exhaustion/);
    expect(parseError('---\ntitle: *x\n---\n# T\n').code).toBe('RP_BAD_FRONT_MATTER');
    expect(parseError(`---\ntitle: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n---\n# T\n`).code).toBe('RP_BAD_FRONT_MATTER');
    const notebook = parseRunbook('---\n__proto__: {title: Injected, evidence: ../x}\n---\n# Real\n', { path: 'h.md' });
    expect(notebook.title).toBe('Real');
    expect(Object.getPrototypeOf(notebook.frontMatter)).toBe(Object.prototype);
    expect(notebook.frontMatter.evidence).toBeUndefined();
  });
});
