import { describe, expect, it } from 'vitest';
import { RunproofError, isRunproofError } from '../../src/core/index.js';
import {
  NotebookSchema,
  classifyRisk,
  findParameters,
  lintRunbook,
  parseAssertions,
  parseHttpBlock,
  parseRunbook,
  type Notebook,
} from '../../src/parse/index.js';
import { PARSE_RULES } from '../../src/parse/parse-runbook.js';
import { findVariableReads, findVariableWrites } from '../../src/parse/variables.js';

const fence = (info: string, body: string): string => `\`\`\`${info}\n${body}\n\`\`\`\n`;
const cellByName = (notebook: Notebook, name: string) => {
  const cell = notebook.cells.find((c) => c.name === name);
  if (!cell) throw new Error(`no cell ${name} in ${notebook.cells.map((c) => c.name).join(', ')}`);
  return cell;
};

describe('parseRunbook: structure', () => {
  it('is an ordered chain of small named rules', () => {
    expect(PARSE_RULES.map((r) => r.name)).toEqual([
      'front-matter', 'tokenize', 'sections', 'blocks', 'kinds', 'attributes', 'http', 'cells', 'pasted-output', 'names', 'checks', 'params', 'risk', 'variables', 'no-language',
    ]);
  });

  it('gives ids c1..cN in document order and names by section and position', () => {
    const text = `# Ops\n\n## 2. Health Checks\n\n${fence('bash', 'curl -sS localhost:1/health')}\n${fence('yaml', 'a: 1')}\n${fence('bash', 'curl -sS localhost:1/ready')}`;
    const notebook = parseRunbook(text, { path: 'ops.md' });
    expect(notebook.cells.map((c) => [c.id, c.name, c.kind])).toEqual([
      ['c1', '2-health-checks/1', 'shell'],
      ['c2', '2-health-checks/doc-1', 'doc'],
      ['c3', '2-health-checks/2', 'shell'],
    ]);
    const section = notebook.sections.find((s) => s.title === '2. Health Checks')!;
    expect(section).toMatchObject({ number: '2', level: 2, path: ['Ops'], line: 3, cellIds: ['c1', 'c2', 'c3'] });
  });

  it('keeps duplicate sections distinct: ids, slugs and cell names', () => {
    const text = `## 10. Sandbox\n\n${fence('bash', 'ls')}\n## 10. Sandbox\n\n${fence('bash', 'ls -la')}`;
    const notebook = parseRunbook(text, { path: 'dup.md' });
    const tens = notebook.sections.filter((s) => s.number === '10');
    expect(tens.map((s) => s.id)).toEqual(['s1', 's2']);
    expect(tens.map((s) => s.slug)).toEqual(['10-sandbox', '10-sandbox-2']);
    expect(notebook.cells.map((c) => c.name)).toEqual(['10-sandbox/1', '10-sandbox-2/1']);
  });

  it('reads section numbers 3. 2A. 10) but not v42 or 3.1', () => {
    const titles = ['3. Daily checks', '2A. Linked release', '10) Paren', 'v42 Evolution', '3.1 Sub', '2024 report', '7.'];
    const notebook = parseRunbook(titles.map((t) => `## ${t}\n`).join('\n'), { path: 'n.md' });
    expect(notebook.sections.slice(1).map((s) => s.number)).toEqual(['3', '2A', '10', null, null, null, '7']);
  });

  it('never takes a # line inside a fence for a heading', () => {
    const notebook = parseRunbook(`# Real\n${fence('bash', '# comment\n## also a comment')}`, { path: 'h.md' });
    expect(notebook.sections.map((s) => s.title)).toEqual(['', 'Real']);
  });

  it('titles: front matter, else the first level-1 heading, else the file name', () => {
    expect(parseRunbook('---\ntitle: From FM\n---\n# H1\n', { path: 'a/b.md' }).title).toBe('From FM');
    expect(parseRunbook('## H2\n# H1\n', { path: 'a/b.md' }).title).toBe('H1');
    expect(parseRunbook('## H2 only\n', { path: 'a/b.md' }).title).toBe('b.md');
  });

  it('validates against NotebookSchema after a JSON round trip', () => {
    const notebook = parseRunbook(`---\nparams:\n  ns: default\n---\n# T\n${fence('bash {name=a risk=read}', 'kubectl get pods -n "$ns"')}`, { path: 'j.md' });
    expect(NotebookSchema.safeParse(JSON.parse(JSON.stringify(notebook))).success).toBe(true);
  });
});

describe('parseRunbook: cells with the same command text', () => {
  // The shell facts (params, risk, variables) are computed once per text in a parse.
  it('gives each cell its own answers: params, risk, variables and the redefinition rule per position', () => {
    const text = [
      '# A',
      fence('bash', 'kubectl get pods -n <ns> && echo "$TOKEN"'),
      fence('bash', 'alias ls="rm -rf /"'),
      '# B',
      fence('bash', 'kubectl get pods -n <ns> && echo "$TOKEN"'),
    ].join('\n');
    const notebook = parseRunbook(text, { path: 'same.md' });
    const [first, , second] = notebook.cells;
    expect(first!.params).toEqual([{ name: 'ns', token: '<ns>', form: 'angle' }]);
    expect(second!.params).toEqual(first!.params);
    expect(second!.params).not.toBe(first!.params);
    expect(second!.params[0]).not.toBe(first!.params[0]);
    expect(first!.variables).toEqual(['TOKEN']);
    expect(second!.variables).toEqual(['TOKEN']);
    // Same text, different verdicts: the alias between them makes the second cell unprovable.
    expect(first!.risk?.level).toBe('read');
    expect(second!.risk?.level).toBe('write');
    expect(notebook.params.find((p) => p.name === 'ns')?.cells).toEqual(['a/1', 'b/1']);
  });
  it('marks a team policy rule as used however many cells repeat the command, and per parse', () => {
    const policy = { read: ['./check.sh *'], write: [], destructive: ['./stop.sh'] };
    const text = ['# A', fence('bash', './check.sh --all'), '# B', fence('bash', './check.sh --all')].join('\n');
    for (let round = 0; round < 2; round++) {
      const notebook = parseRunbook(text, { path: 'p.md', policy });
      expect(notebook.cells.map((c) => c.risk?.level)).toEqual(['read', 'read']);
      const unused = notebook.warnings.filter((w) => w.code === 'RP_POLICY_RULE_UNUSED').map((w) => w.message);
      expect(unused).toEqual([expect.stringContaining('destructive[0]')]);
    }
  });
});

describe('parseRunbook: kinds', () => {
  const roxy = [
    '### /ready',
    fence('bash', 'curl -sS http://127.0.0.1:8766/ready | jq'),
    '**Expected output (healthy):**',
    fence('json', '{\n  "ready": true,\n  "checks": {"ok": true, ...}\n}'),
    '**Failure output (HTTP 503):**',
    fence('json', '{"ready": false}'),
    'Expected output',
    fence('text', 'ok'),
    'expected OUTPUT, any case',
    fence('console', 'READY'),
    'Some other paragraph',
    fence('json', '{"a": 1}'),
  ].join('\n');

  it('makes blocks after "Expected output" expect cells checking the runnable cell above', () => {
    const notebook = parseRunbook(roxy, { path: 'roxy.md' });
    expect(notebook.cells.map((c) => [c.kind, c.docReason ?? c.expectFormat ?? '', c.checks ?? ''])).toEqual([
      ['shell', '', ''],
      ['expect', 'json', 'c1'],
      ['doc', 'failure-example', ''],
      ['expect', 'text', 'c1'],
      ['expect', 'text', 'c1'],
      ['doc', 'language', ''],
    ]);
    expect(notebook.cells.every((c) => c.kind !== 'expect' || !c.runnable)).toBe(true);
  });

  it('runs only the prompt lines of transcripts, never a leading $', () => {
    const text = [
      fence('bash', '$ curl -X POST http://x/a \\\n  -H "A: b"\n{"ok": true}'),
      fence('console', '# apt-get update\n$ echo hi\nhi'),
      fence('bash', '# a comment, not a root prompt\n$ ls'),
    ].join('\n');
    const notebook = parseRunbook(text, { path: 't.md' });
    expect(notebook.cells.map((c) => c.command)).toEqual(['curl -X POST http://x/a \\\n  -H "A: b"', 'apt-get update\necho hi', 'ls']);
    expect(notebook.cells.map((c) => c.exampleOutput)).toEqual(['{"ok": true}', 'hi', '# a comment, not a root prompt']);
    for (const cell of notebook.cells) expect(cell.command.split('\n').some((line) => line.startsWith('$'))).toBe(false);
  });

  it('keeps fences in blockquotes, indented blocks and unclosed fences as doc cells', () => {
    const text = `> ${'```'}bash\n> rm -rf /\n> ${'```'}\n\n    rm -rf /\n\n${'```'}bash\nrm -rf /\n`;
    const notebook = parseRunbook(text, { path: 'd.md' });
    expect(notebook.cells.map((c) => [c.kind, c.docReason, c.runnable])).toEqual([
      ['doc', 'blockquote', false],
      ['doc', 'indented', false],
      ['doc', 'unclosed-fence', false],
    ]);
    expect(notebook.warnings.map((w) => [w.code, w.span?.line])).toEqual([['RP_UNCLOSED_FENCE', 7]]);
  });

  it('removes list indentation from fences inside list items', () => {
    const text = '1. step\n\n   ```bash\n   echo a\n     echo b\n   ```\n';
    const cell = parseRunbook(text, { path: 'l.md' }).cells[0]!;
    expect(cell).toMatchObject({ kind: 'shell', command: 'echo a\n  echo b', span: { line: 3, col: 4, endLine: 6 }, contentLine: 4 });
  });

  it('handles tilde and long fences', () => {
    const text = '~~~~sh\n```\nnot a close\n```\n~~~~\n';
    expect(parseRunbook(text, { path: 'f.md' }).cells[0]).toMatchObject({ kind: 'shell', command: '```\nnot a close\n```' });
  });

  it('suggests a language for command-looking fences without one', () => {
    const warnings = lintRunbook(`${fence('', 'kubectl get pods')}\n${fence('', 'just words')}`, { path: 'n.md' });
    expect(warnings.map((w) => [w.code, w.span?.line])).toEqual([['RP_NO_LANGUAGE', 1]]);
  });
});

describe('parseRunbook: text normalisation', () => {
  it('strips the BOM and handles CRLF and lone CR with the same lines as LF', () => {
    const lf = `# T\n\n${fence('bash', 'echo a \\\n  b')}\n${fence('sh', 'echo c')}`;
    const crlf = `\uFEFF${lf.replace(/\n/g, '\r\n')}`;
    const cr = lf.replace(/\n/g, '\r');
    const expected = parseRunbook(lf, { path: 'x.md' });
    for (const variant of [crlf, cr]) {
      const notebook = parseRunbook(variant, { path: 'x.md' });
      expect(notebook.cells.map((c) => [c.command, c.span, c.contentLine])).toEqual(expected.cells.map((c) => [c.command, c.span, c.contentLine]));
      expect(JSON.stringify(notebook)).not.toContain('\\r');
      expect(notebook.sections[1]!.title).toBe('T');
    }
  });

  it('keeps line numbers after YAML and TOML front matter', () => {
    const yaml = parseRunbook(`---\ntitle: x\n---\n## A\n${fence('bash', 'ls')}`, { path: 'y.md' });
    expect(yaml.sections[1]!.line).toBe(4);
    expect(yaml.cells[0]!.span.line).toBe(5);
    const toml = parseRunbook(`+++\ntitle = "x"\n+++\n## A\n${fence('bash', 'ls')}`, { path: 't.md' });
    expect(toml.sections.map((s) => s.title)).toEqual(['', 'A']);
    expect(toml.cells[0]!.span.line).toBe(5);
  });
});

describe('parseRunbook: attributes', () => {
  it('reads the JSON, pairs and comment forms; the info string wins over the comment', () => {
    const text = [
      fence('bash {"name":"a","timeout":"30s","background":"false"}', 'ls'),
      fence('bash {name=b retry=3 interval=2s allowFailure=true skip="not today"}', 'ls'),
      '<!-- runproof name=c confirm=always timeout=10s -->',
      fence('bash {timeout=20s}', 'ls'),
    ].join('\n');
    const notebook = parseRunbook(text, { path: 'a.md' });
    expect(notebook.cells.map((c) => c.attributes)).toEqual([
      { name: 'a', timeout: '30s', background: false },
      { name: 'b', retry: 3, interval: '2s', allowFailure: true, skip: 'not today' },
      { name: 'c', confirm: 'always', timeout: '20s' },
    ]);
  });

  it('accepts Runme keys', () => {
    const info = 'sh {"id":"01HF","excludeFromRunAll":"true","interactive":"false","promptEnv":"no","terminalRows":"20","category":"ops","cwd":"/tmp"}';
    expect(parseRunbook(fence(info, 'ls'), { path: 'r.md' }).cells[0]!.attributes).toMatchObject({ id: '01HF', excludeFromRunAll: true, terminalRows: 20 });
  });

  it('lint reports every bad attribute with file, line, column and a did-you-mean hint', () => {
    const text = `${fence('bash {timout=3s}', 'ls')}\n${fence('bash {name=x retyr=2 risk=low}', 'ls')}`;
    const diagnostics = lintRunbook(text, { path: 'bad.md' });
    expect(diagnostics.map((d) => [d.code, d.span?.line, d.span?.col, d.hint])).toEqual([
      ['RP_UNKNOWN_ATTRIBUTE', 1, 10, 'did you mean timeout?'],
      ['RP_UNKNOWN_ATTRIBUTE', 5, 17, 'did you mean retry?'],
      ['RP_BAD_ATTRIBUTE', 5, 25, 'risk is read, write or destructive'],
    ]);
    expect(() => parseRunbook(text, { path: 'bad.md' })).toThrow(RunproofError);
  });
});

describe('parseRunbook: checks, risk, params and variables (with the helpers as they are)', () => {
  it('links assert cells to the nearest runnable cell above, or to of=NAME, and keeps parseAssertions output', () => {
    const text = `## A\n${fence('bash {name=first}', 'curl -sS localhost:1/a')}\n${fence('bash', 'curl -sS localhost:1/b')}\n${fence('assert', 'status == 200')}\n${fence('assert {of=first}', 'exit == 0')}\n## B\n${fence('assert', 'exit == 0')}`;
    const notebook = parseRunbook(text, { path: 'c.md' });
    const asserts = notebook.cells.filter((c) => c.kind === 'assert');
    expect(asserts.map((c) => c.checks)).toEqual(['c2', 'c1', undefined]);
    expect(asserts[0]!.assertions).toEqual(parseAssertions('status == 200', { line: asserts[0]!.contentLine, col: 1, file: 'c.md' }).assertions);
    expect(notebook.warnings.map((w) => w.code)).toContain('RP_ORPHAN_ASSERT');
  });

  it('gives every runnable cell the classifier verdict, with the risk attribute overriding', () => {
    const command = 'rm -rf /tmp/x';
    const notebook = parseRunbook(`${fence('bash', command)}\n${fence('bash {risk=read}', command)}`, { path: 'r.md' });
    const classified = classifyRisk('shell', command);
    expect(notebook.cells[0]!.risk).toEqual({ level: classified.level, classified: classified.level, reason: classified.reason, overridden: false, decidedBy: classified.decidedBy });
    expect(notebook.cells[1]!.risk).toEqual({ level: 'read', classified: classified.level, reason: classified.reason, overridden: true, decidedBy: classified.decidedBy });
    const lowered = notebook.warnings.filter((w) => w.code === 'RP_RISK_LOWERED');
    expect(lowered.length).toBe(classified.level === 'read' ? 0 : 1);
    expect(notebook.cells.every((c) => c.runnable === (c.risk !== undefined))).toBe(true);
  });

  it('lists front matter params and the parameters found in cells, with their cells', () => {
    const command = 'git checkout <commit_sha> && curl http://x/{trace_id}';
    const text = `---\nparams:\n  namespace: default\n  token:\n    description: API token\n    secret: true\n---\n## S\n${fence('bash', command)}`;
    const notebook = parseRunbook(text, { path: 'p.md' });
    const found = findParameters(command);
    expect(notebook.cells[0]!.params).toEqual(found);
    expect(notebook.params.slice(0, 2)).toEqual([
      { name: 'namespace', default: 'default', secret: false, cells: found.some((p) => p.name === 'namespace') ? ['s/1'] : [] },
      { name: 'token', description: 'API token', secret: true, cells: found.some((p) => p.name === 'token') ? ['s/1'] : [] },
    ]);
    for (const use of found) expect(notebook.params.find((p) => p.name === use.name)?.cells).toEqual(['s/1']);
  });

  it('reports variables nothing sets, once per variable, and not those set earlier or in front matter', () => {
    const cells = ['export NS=prod', 'kubectl get pods -n "$NS" -l "app=$APP" --context "$CTX"', 'echo "$APP"'];
    const text = `---\nparams:\n  CTX: kind\n---\n${cells.map((c) => fence('bash', c)).join('\n')}`;
    const notebook = parseRunbook(text, { path: 'v.md' });
    const provided = new Set(['CTX', ...findVariableWrites(cells[0]!)]);
    const expectedUnset = findVariableReads(cells[1]!).filter((v) => !provided.has(v));
    expect(notebook.cells[1]!.variables).toEqual(expectedUnset);
    expect(notebook.cells[1]!.variables).not.toContain('CTX');
    const warnings = notebook.warnings.filter((w) => w.code === 'RP_UNSET_VARIABLE');
    expect(warnings.length).toBe(new Set([...expectedUnset, ...notebook.cells[2]!.variables]).size);
  });

  it('splits http blocks into one cell per request parseHttpBlock finds', () => {
    const body = 'GET http://localhost:8000/health\n\n###\n\n# @name create\nPOST http://localhost:8000/items\nContent-Type: application/json\n\n{"a": 1}';
    const notebook = parseRunbook(`## API\n${fence('http', body)}`, { path: 'h.md' });
    const { requests } = parseHttpBlock(body, { line: 3, file: 'h.md' });
    const http = notebook.cells.filter((c) => c.kind === 'http');
    expect(http.length).toBe(requests.length);
    http.forEach((cell, i) => {
      expect(cell.contentLine).toBe(requests[i]!.line);
      expect(cell.http?.method).toBe(requests[i]!.method);
      if (requests[i]!.name) expect(cell.name).toBe(requests[i]!.name);
    });
    if (requests.length === 0) expect(notebook.cells[0]).toMatchObject({ kind: 'doc', docReason: 'empty' });
  });
});

describe('lintRunbook', () => {
  it('collects every error instead of stopping at the first', () => {
    const text = `---\ntimeout: soon\n---\n${fence('bash {name=a}', 'ls')}\n${fence('bash {name=a}', 'ls')}\n${fence('bash {nmae=b}', 'ls')}`;
    const diagnostics = lintRunbook(text, { path: 'l.md' });
    expect(diagnostics.map((d) => d.code)).toEqual(['RP_BAD_FRONT_MATTER', 'RP_DUPLICATE_CELL_NAME', 'RP_UNKNOWN_ATTRIBUTE']);
    expect(diagnostics.every((d) => d.file === 'l.md' && d.severity === 'error')).toBe(true);
  });

  it('returns nothing for a clean runbook', () => {
    expect(lintRunbook(`# T\n${fence('bash', 'ls -la')}`, { path: 'ok.md' }).filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('wraps a parse error thrown strictly as the same code', () => {
    try {
      parseRunbook(fence('bash {timout=1s}', 'ls'), { path: 'e.md' });
      expect.unreachable();
    } catch (error) {
      expect(isRunproofError(error) && error.format()).toBe('RP_UNKNOWN_ATTRIBUTE e.md:1:10 unknown attribute "timout" (hint: did you mean timeout?)');
    }
  });
});
