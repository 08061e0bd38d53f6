import { describe, expect, test } from 'vitest';
import { HTTP_METHODS, parseHttpBlock, substituteTemplateVars } from '../../src/parse/http-request.js';

const at = { line: 10, file: 'RUNBOOK.md' };

describe('parseHttpBlock', () => {
  test('request line, headers, blank line, body', () => {
    const text = 'POST http://127.0.0.1:8766/bench/cancel HTTP/1.1\nX-ROXY-Token: {{token}}\nContent-Type: application/json\n\n{"reason": "stuck"}\n';
    const { requests, errors } = parseHttpBlock(text, at);
    expect(errors).toEqual([]);
    expect(requests).toEqual([
      {
        method: 'POST',
        url: 'http://127.0.0.1:8766/bench/cancel',
        headers: [
          ['X-ROXY-Token', '{{token}}'],
          ['Content-Type', 'application/json'],
        ],
        body: '{"reason": "stuck"}',
        line: 10,
        text: text.replace(/\n$/, ''),
      },
    ]);
  });

  test('a bare URL means GET; no body when there is none', () => {
    const { requests, errors } = parseHttpBlock('http://127.0.0.1:8766/ready\n', at);
    expect(errors).toEqual([]);
    expect(requests[0]).toMatchObject({ method: 'GET', url: 'http://127.0.0.1:8766/ready', headers: [], line: 10 });
    expect(requests[0]).not.toHaveProperty('body');
  });

  test('a bare URL with a placeholder host and an HTTP version', () => {
    const { requests } = parseHttpBlock('{{base}}/health HTTP/1.1', at);
    expect(requests[0]).toMatchObject({ method: 'GET', url: '{{base}}/health' });
  });

  test('### separates requests, each with its own line, name and text', () => {
    const text = [
      '# @name health',
      'GET http://127.0.0.1:8766/health',
      '',
      '### ready check',
      '// @name ready',
      '// a plain comment',
      'GET http://127.0.0.1:8766/ready',
      'Accept: application/json',
      '###',
      '',
    ].join('\n');
    const { requests, errors } = parseHttpBlock(text, at);
    expect(errors).toEqual([]);
    expect(requests.map((r) => [r.name, r.method, r.url, r.line])).toEqual([
      ['health', 'GET', 'http://127.0.0.1:8766/health', 11],
      ['ready', 'GET', 'http://127.0.0.1:8766/ready', 16],
    ]);
    expect(requests[1]!.headers).toEqual([['Accept', 'application/json']]);
    expect(requests[1]!.text).toBe('// @name ready\n// a plain comment\nGET http://127.0.0.1:8766/ready\nAccept: application/json');
  });

  test('methods are case-insensitive and normalised', () => {
    const { requests } = parseHttpBlock('delete http://x/y', at);
    expect(requests[0]!.method).toBe('DELETE');
  });

  test('comment lines among headers are ignored; the body keeps # lines', () => {
    const text = 'PUT http://x/conf\n# set the type\nContent-Type: text/plain\n\n# not a comment: body\nline two\n\n\n';
    const { requests } = parseHttpBlock(text, at);
    expect(requests[0]!.headers).toEqual([['Content-Type', 'text/plain']]);
    expect(requests[0]!.body).toBe('# not a comment: body\nline two');
  });

  test('query continuation lines extend the URL', () => {
    const { requests } = parseHttpBlock('GET http://x/api/v1/query\n  ?query=up\n  &time=1700000000\nAccept: */*', at);
    expect(requests[0]!.url).toBe('http://x/api/v1/query?query=up&time=1700000000');
    expect(requests[0]!.headers).toEqual([['Accept', '*/*']]);
  });

  test('file variables before the request line are collected', () => {
    const { requests, errors } = parseHttpBlock('@host = 127.0.0.1:8766\n@scheme=http\nGET {{scheme}}://{{host}}/ready', at);
    expect(errors).toEqual([]);
    expect(requests[0]!.variables).toEqual({ host: '127.0.0.1:8766', scheme: 'http' });
    expect(requests[0]!.line).toBe(12);
  });

  test('CRLF line endings are accepted', () => {
    const { requests } = parseHttpBlock('POST http://x/a\r\nA: 1\r\n\r\nbody\r\n', at);
    expect(requests[0]).toMatchObject({ headers: [['A', '1']], body: 'body' });
  });

  test('header values keep colons and lose surrounding spaces', () => {
    const { requests } = parseHttpBlock('GET http://x\nAuthorization:   Bearer a:b  \nX-Empty:', at);
    expect(requests[0]!.headers).toEqual([
      ['Authorization', 'Bearer a:b'],
      ['X-Empty', ''],
    ]);
  });

  test('unknown method: RP_BAD_HTTP_CELL at its line and column, with did-you-mean', () => {
    const { requests, errors } = parseHttpBlock('# check\n  DELTE http://x/ready', at);
    expect(requests).toEqual([]);
    expect(errors).toHaveLength(1);
    const error = errors[0]!;
    expect(error.code).toBe('RP_BAD_HTTP_CELL');
    expect(error.message).toBe('unknown HTTP method "DELTE"');
    expect(error.span).toEqual({ line: 11, col: 3 });
    expect(error.file).toBe('RUNBOOK.md');
    expect(error.hint).toContain('did you mean DELETE?');
    expect(error.format()).toBe(`RP_BAD_HTTP_CELL RUNBOOK.md:11:3 unknown HTTP method "DELTE" (hint: did you mean DELETE? methods: ${HTTP_METHODS.join(', ')})`);
  });

  test('a block with only comments has no request line', () => {
    const { requests, errors } = parseHttpBlock('# nothing here\n\n// really\n', at);
    expect(requests).toEqual([]);
    expect(errors.map((e) => [e.code, e.message, e.span?.line])).toEqual([['RP_BAD_HTTP_CELL', 'http block holds no request line', 10]]);
  });

  test('an empty block has no request line', () => {
    expect(parseHttpBlock('', at).errors[0]!.code).toBe('RP_BAD_HTTP_CELL');
  });

  test('a method without URL, extra words and a bad header line are errors at their line', () => {
    expect(parseHttpBlock('GET', at).errors[0]!.message).toBe('request line "GET" has no URL');
    const extra = parseHttpBlock('GET http://x/a b', at).errors[0]!;
    expect(extra.message).toContain('extra words');
    const header = parseHttpBlock('GET http://x/a\nnot a header\n', at).errors[0]!;
    expect([header.message, header.span]).toEqual(['"not a header" is not a header line', { line: 11, col: 1 }]);
    expect(parseHttpBlock('just some words', at).errors[0]!.message).toBe('unknown HTTP method "just"');
    expect(parseHttpBlock('ftp-ish', at).errors[0]!.message).toBe('"ftp-ish" is not a request line');
  });

  test('one bad request does not hide the good ones', () => {
    const { requests, errors } = parseHttpBlock('GET http://x/a\n###\nFETCH http://x/b\n###\nHEAD http://x/c', at);
    expect(requests.map((r) => r.url)).toEqual(['http://x/a', 'http://x/c']);
    expect(errors.map((e) => e.span?.line)).toEqual([12]);
  });
});

describe('substituteTemplateVars', () => {
  const spec = {
    method: 'POST',
    url: 'http://{{host}}/bench/cancel?who={{ user }}',
    headers: [['X-ROXY-Token', '{{token}}'] as [string, string]],
    body: '{"by": "{{user}}", "at": "{{when}}"}',
  };

  test('fills url, header values and body; reports the missing once', () => {
    const { spec: out, missing } = substituteTemplateVars(spec, { host: '127.0.0.1:8766', user: 'ops', token: 's3cret' });
    expect(out.url).toBe('http://127.0.0.1:8766/bench/cancel?who=ops');
    expect(out.headers).toEqual([['X-ROXY-Token', 's3cret']]);
    expect(out.body).toBe('{"by": "ops", "at": "{{when}}"}');
    expect(missing).toEqual(['when']);
    expect(spec.url).toBe('http://{{host}}/bench/cancel?who={{ user }}');
  });

  test('accepts a Map; values are encoded where they land, never evaluated, and a host that is not a host is refused', () => {
    const { spec: out, missing, refused } = substituteTemplateVars(spec, new Map([['host', '$(touch /tmp/x)'], ['user', '{{token}}'], ['token', 't'], ['when', 'now']]));
    expect(out.url).toBe('http://{{host}}/bench/cancel?who=%7B%7Btoken%7D%7D');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/\{\{host\}\}: in the host/);
    expect(missing).toEqual([]);
  });

  test('file variables fill placeholders, may nest, and operator values win', () => {
    const parsed = { method: 'GET', url: '{{base}}/ready', headers: [], variables: { host: '127.0.0.1:8766', base: 'http://{{host}}', loop: '{{loop}}' } };
    expect(substituteTemplateVars(parsed, {}).spec.url).toBe('http://127.0.0.1:8766/ready');
    expect(substituteTemplateVars(parsed, { host: '10.0.0.1' }).spec.url).toBe('http://10.0.0.1/ready');
    const loop = substituteTemplateVars({ ...parsed, url: '{{loop}}' }, {});
    expect(loop.spec.url).toBe('{{loop}}');
  });

  test('system variables are not supported and are reported', () => {
    const { missing } = substituteTemplateVars({ method: 'GET', url: 'http://x/{{$guid}}', headers: [] }, {});
    expect(missing).toEqual(['$guid']);
  });

  test('inherited object keys are not values', () => {
    const { missing } = substituteTemplateVars({ method: 'GET', url: 'http://x/{{constructor}}', headers: [] }, {});
    expect(missing).toEqual(['constructor']);
  });
});
