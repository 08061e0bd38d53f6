import { describe, expect, it } from 'vitest';
import { readAttributeText, runproofCommentText, splitInfo, validateAttributes } from '../../src/parse/attributes.js';
import { extractFrontMatter } from '../../src/parse/front-matter.js';
import { looksLikeCommand } from '../../src/parse/rules/no-language.js';
import { hasUserPrompt, splitTranscript } from '../../src/parse/rules/transcript.js';
import { SlugRegistry, slugify } from '../../src/parse/slug.js';
import { normalizeText, splitLines } from '../../src/parse/text.js';

const where = { file: 'a.md', line: 4, lineText: '```bash {name=x timout=3s}' };

describe('text', () => {
  it('strips one BOM and turns CRLF and CR into LF', () => {
    expect(normalizeText('\uFEFFa\r\nb\rc\n')).toBe('a\nb\nc\n');
    expect(splitLines('a\nb\n')).toEqual(['a', 'b']);
    expect(splitLines('a\n\n')).toEqual(['a', '']);
    expect(splitLines('')).toEqual([]);
  });
});

describe('slug', () => {
  it('makes readable GitHub-like slugs, keeping Unicode letters', () => {
    expect(slugify('3. Common Issues & Remediation')).toBe('3-common-issues-remediation');
    expect(slugify('Issue: /ready returns 503')).toBe('issue-ready-returns-503');
    expect(slugify('Ünïcödé 日本語')).toBe('ünïcödé-日本語');
    expect(slugify('!!!')).toBe('section');
  });
  it('suffixes duplicates -2, -3 and skips taken suffixes', () => {
    const registry = new SlugRegistry();
    expect(['a', 'a-2', 'a', 'a'].map((s) => registry.claim(s))).toEqual(['a', 'a-2', 'a-3', 'a-4']);
  });
});

describe('attributes', () => {
  it('splits the info string', () => {
    expect(splitInfo('Bash {name=x}')).toEqual({ language: 'bash', rest: '{name=x}' });
    expect(splitInfo('sh{"a":1}')).toEqual({ language: 'sh', rest: '{"a":1}' });
    expect(splitInfo('')).toEqual({ language: '', rest: '' });
  });
  it('reads pairs with quotes, commas and bare flags', () => {
    expect(readAttributeText('{name="a b" timeout=30s, skip}', where).values).toEqual({ name: 'a b', timeout: '30s', skip: true });
    expect(readAttributeText(`name='x' retry=2`, where).values).toEqual({ name: 'x', retry: '2' });
  });
  it('recognises only runproof comments', () => {
    expect(runproofCommentText('<!-- runproof name=a -->\n')).toBe('name=a');
    expect(runproofCommentText('<!-- note -->')).toBeNull();
  });
  it('validates values and names the closest known key', () => {
    const result = validateAttributes({ name: 'x', timout: '3s', retry: 'many', allowFailure: 'false' }, where);
    expect(result.attributes).toEqual({ name: 'x', allowFailure: false });
    expect(result.errors.map((e) => e.format())).toEqual([
      'RP_UNKNOWN_ATTRIBUTE a.md:4:17 unknown attribute "timout" (hint: did you mean timeout?)',
      'RP_BAD_ATTRIBUTE a.md:4:1 attribute "retry" must be a whole number, got "many" (hint: retry is a whole number of attempts, e.g. retry=5)',
    ]);
  });
});

describe('front matter', () => {
  it('parses YAML and blanks its lines', () => {
    const result = extractFrontMatter('---\ntitle: T\ntimeout: 30s\n---\n# H\n');
    expect(result.frontMatter).toEqual({ title: 'T', timeout: '30s' });
    expect(result.body).toBe('\n\n\n\n# H\n');
    expect(result.kind).toBe('yaml');
  });
  it('treats an unclosed --- as a thematic break, and skips TOML', () => {
    expect(extractFrontMatter('---\n# H\n').kind).toBeNull();
    expect(extractFrontMatter('+++\na = 1\n+++\nx').body).toBe('\n\n\nx');
  });
  it('reports bad durations at their line', () => {
    const [error] = extractFrontMatter('---\ntitle: T\ntimeout: soon\n---\n', 'f.md').errors;
    expect(error?.code).toBe('RP_BAD_FRONT_MATTER');
    expect(error?.span?.line).toBe(3);
  });
});

describe('transcripts and command detection', () => {
  it('splits prompt lines from output, keeping continuations', () => {
    expect(splitTranscript('$ a \\\n  b\nout\n$ c', false)).toEqual({ command: 'a \\\n  b\nc', exampleOutput: 'out' });
    expect(splitTranscript('# id\nuid=0', true)).toEqual({ command: 'id', exampleOutput: 'uid=0' });
    expect(splitTranscript('$ a \\\\\nout', false)).toEqual({ command: 'a \\\\', exampleOutput: 'out' });
    expect(hasUserPrompt('echo $HOME\n$HOME/bin/x')).toBe(false);
    expect(hasUserPrompt('  $ ls')).toBe(true);
  });
  it('knows prompts that name a shell or a host (sh-5.1$, [root@node ~]#, core@node:~$, ❯)', () => {
    expect(splitTranscript('sh-5.1$ ceph -s\n  cluster:\n    health: HEALTH_OK', false)).toEqual({ command: 'ceph -s', exampleOutput: '  cluster:\n    health: HEALTH_OK' });
    expect(splitTranscript('sh-4.4# chroot /host\n[root@node-1 ~]# systemctl status kubelet\ncore@node-1:~$ uptime\n❯ oc whoami\nkube:admin', false).command).toBe('chroot /host\nsystemctl status kubelet\nuptime\noc whoami');
    for (const text of ['sh-5.1$ ceph -s', '[root@node-1 ~]# df -h', 'core@node:~$ uptime', '❯ ocm list clusters']) expect(hasUserPrompt(text)).toBe(true);
    // Not prompts: a comment, a variable, an email address in a command, a hash in a word.
    for (const text of ['# sh-5.1$ is a prompt', 'echo user@host:$HOME', 'git log --format=%H#x', 'curl http://x/#frag']) expect(hasUserPrompt(text)).toBe(false);
  });
  it('recognises command-looking lines', () => {
    for (const line of ['$ ls', 'kubectl get pods', 'sudo systemctl status x', './scripts/deploy.sh', 'FOO=1 curl x']) expect(looksLikeCommand(line)).toBe(true);
    for (const line of ['{"a": 1}', 'NAME READY STATUS', 'plain words here']) expect(looksLikeCommand(line)).toBe(false);
  });
});
