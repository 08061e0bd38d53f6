import type { ToolSpec } from './types.js';

// git's observing commands. Options that run programs or write files (`-c`, `--exec-path`,
// `--output`, `--ext-diff`, `--textconv`, `-O`/`--open-files-in-pager`, `--upload-pack`) are on
// no list, so they make the command `write`; GIT_* environment assignments are refused in risk.ts.
const GLOBAL = { value: ['-C', '--git-dir', '--work-tree', '--namespace'], flag: ['--no-pager', '-P', '--bare', '--no-replace-objects', '--literal-pathspecs', '--glob-pathspecs', '--noglob-pathspecs', '--icase-pathspecs', '--no-optional-locks'] };
const LONG = [
  'oneline', 'graph', 'decorate', 'no-decorate', 'stat', 'shortstat', 'numstat', 'name-only', 'name-status', 'abbrev-commit', 'no-abbrev-commit', 'no-merges', 'merges', 'first-parent', 'all', 'reverse', 'follow',
  'patch', 'no-patch', 'cached', 'staged', 'color', 'no-color', 'word-diff', 'ignore-all-space', 'ignore-space-change', 'ignore-blank-lines', 'summary', 'check', 'exit-code', 'quiet', 'minimal', 'histogram',
  'patience', 'full-index', 'binary', 'abbrev', 'short', 'long', 'porcelain', 'branch', 'show-stash', 'ignored', 'untracked-files', 'ahead-behind', 'no-ahead-behind', 'verbose', 'raw', 'full-diff', 'left-right',
  'cherry-pick', 'cherry-mark', 'topo-order', 'date-order', 'simplify-by-decoration', 'ancestry-path', 'show-signature', 'no-walk', 'count', 'boundary', 'source', 'log-size', 'notes', 'no-notes', 'dirstat',
  'compact-summary', 'no-prefix', 'no-renames', 'text', 'function-context', 'merge-base', 'no-index', 'relative', 'no-relative', 'diff-merges', 'remerge-diff', 'no-textconv', 'no-ext-diff', 'show-linear-break',
  'exclude-standard', 'others', 'modified', 'deleted', 'stage', 'error-unmatch', 'full-name', 'recurse-submodules', 'line-number', 'ignore-case', 'files-with-matches', 'files-without-match', 'extended-regexp',
  'fixed-strings', 'perl-regexp', 'word-regexp', 'invert-match', 'untracked', 'heading', 'break', 'show-function', 'column', 'no-column', 'null', 'show-toplevel', 'is-inside-work-tree', 'git-dir',
  'absolute-git-dir', 'git-common-dir', 'show-prefix', 'show-cdup', 'is-bare-repository', 'verify', 'symbolic-full-name', 'symbolic', 'show-current', 'always', 'dirty', 'exact-match', 'tags', 'contains',
  'heads', 'refs', 'symref', 'head', 'dereference', 'hash', 'batch-check', 'e', 'p', 't', 's', 'summary', 'numbered', 'email', 'sha1-name', 'sorted', 'all-match', 'regexp-ignore-case', 'basic-regexp', 'encoding',
  'children', 'parents', 'pretty', 'format', 'date', 'since', 'until', 'after', 'before', 'author', 'committer', 'grep', 'max-count', 'skip', 'unified', 'diff-filter', 'find-renames', 'find-copies',
  'src-prefix', 'dst-prefix', 'branches', 'remotes', 'glob', 'exclude', 'max-depth', 'sort', 'points-at', 'merged', 'no-merged', 'match', 'candidates', 'abbrev-ref', 'max-parents', 'min-parents',
  'committer-date-is-author-date', 'show-pulls', 'word-diff-regex', 'color-words', 'color-moved', 'inter-hunk-context', 'anchored', 'ignore-submodules', 'submodule', 'format-patch', 'cc', 'combined-all-paths',
  'name', 'long', 'first-parent', 'in-reverse', 'line-porcelain', 'incremental', 'show-name', 'show-number', 'show-stats', 'show-email', 'root', 'ignore-rev', 'ignore-revs-file', 'contents', 'tree',
  'full-tree', 'name-only', 'object-only', 'recursive', 'debug', 'eol', 'deduplicate', 'killed', 'directory', 'no-empty-directory', 'cherry', 'mailmap', 'use-mailmap', 'no-mailmap', 'expand-tabs',
  'batch-all-objects', 'batch', 'unordered', 'buffer', 'follow-symlinks', 'full', 'strict', 'unreachable', 'dangling', 'no-dangling', 'connectivity-only', 'name-objects', 'progress', 'no-progress', 'no-reflogs', 'cache',
];
const LOG = { value: ['-n', '-L', '-S', '-G', '-e', '-U', '--max-count', '--skip', '--grep', '--author', '--since', '--until', '--format', '--pretty', '-m', '-A', '-B'], flag: ['-p', '-s', '-u', '-w', '-b', '-i', '-E', '-F', '-v', '-l', '-q', '-z', '-a', '-h', '-H', '-r', '-R', '-M', '-D', '-W', '-P', '-t', '-d', '-c', '-o'].filter((f) => !['-c', '-o'].includes(f)), pattern: [`^--(${LONG.join('|')})(=.*)?$`, '^-\\d+$', '^-n\\d+$', '^-U\\d+$', '^-[ABC]\\d+$', '^-M\\d*%?$'] };

export const GIT_TOOLS: readonly ToolSpec[] = [
  {
    names: ['git'],
    options: GLOBAL,
    read: [
      ...['log', 'status', 'diff', 'show', 'rev-parse', 'describe', 'ls-files', 'ls-tree', 'blame', 'shortlog', 'grep', 'cat-file', 'show-ref', 'for-each-ref', 'whatchanged', 'version', 'count-objects', 'rev-list', 'merge-base', 'name-rev', 'show-branch', 'cherry', 'diff-tree', 'diff-index', 'diff-files', 'var', 'check-ignore', 'check-attr', 'verify-commit', 'verify-tag', 'range-diff', 'annotate', 'fsck', 'verify-pack'].map((s) => ({ path: [s], options: LOG })),
      { path: ['ls-remote'], options: { flag: ['--heads', '--tags', '--refs', '-q', '--quiet', '--exit-code', '--get-url', '--symref', '-h', '-t', '--branches'], value: ['--sort'] } },
      { path: ['branch'], args: 'none', options: { flag: ['-a', '--all', '-r', '--remotes', '-v', '-vv', '--verbose', '--show-current', '--no-color', '--color', '--column', '--no-column', '-i', '--ignore-case', '--omit-empty'], value: ['--contains', '--no-contains', '--merged', '--no-merged', '--sort', '--format', '--points-at', '-l', '--list'] } },
      { path: ['tag'], args: 'none', options: { flag: ['-n', '--column', '--no-column', '-i', '--ignore-case'], value: ['-l', '--list', '--contains', '--no-contains', '--merged', '--no-merged', '--sort', '--format', '--points-at'], pattern: ['^-n\\d+$'] } },
      { path: ['remote'], args: 'none', options: { flag: ['-v', '--verbose'] } },
      { path: ['remote', 'show'], options: { flag: ['-n'] } },
      { path: ['remote', 'get-url'], options: { flag: ['--push', '--all'] } },
      { path: ['config'], args: 1, options: { flag: ['--get', '--get-all', '--get-regexp', '--list', '-l', '--show-origin', '--show-scope', '--local', '--global', '--system', '--name-only', '--null', '-z', '--includes', '--no-includes'], value: ['--default', '--type', '-f', '--file', '--blob'] } },
      { path: ['config', 'get'], options: { flag: ['--all', '--show-origin', '--show-scope', '--local', '--global', '--system', '--regexp'], value: ['--default', '--type'] } },
      { path: ['config', 'list'], options: { flag: ['--show-origin', '--show-scope', '--local', '--global', '--system', '--name-only'] } },
      { path: ['reflog'], options: LOG }, { path: ['reflog', 'show'], options: LOG },
      { path: ['worktree', 'list'], options: { flag: ['--porcelain', '-v', '--verbose', '-z'] } },
      { path: ['stash', 'list'], options: LOG }, { path: ['stash', 'show'], options: LOG },
      { path: ['help'] }, { path: ['submodule', 'status'], options: { flag: ['--recursive', '--cached'] } },
    ],
    destructive: [
      { path: ['checkout'], why: 'discards or replaces work-tree changes' }, { path: ['reset'], why: 'discards or replaces work-tree changes' }, { path: ['clean'], why: 'deletes untracked files' },
      { path: ['restore'], why: 'discards work-tree changes' }, { path: ['switch'], why: 'replaces the work tree' },
      { path: ['stash', 'drop'], why: 'deletes a stash' }, { path: ['stash', 'clear'], why: 'deletes every stash' },
      { path: ['branch'], withOption: ['-d', '-D', '--delete'], why: 'deletes a branch' }, { path: ['tag'], withOption: ['-d', '--delete'], why: 'deletes a tag' },
      { path: ['reflog', 'expire'], why: 'deletes history' }, { path: ['reflog', 'delete'], why: 'deletes history' },
      { path: ['push'], withOption: ['-f', '--force', '--force-with-lease', '--force-if-includes', '--delete', '-d', '--mirror', '--prune'], why: 'overwrites or deletes remote history' },
      { path: ['gc'], withOption: ['--prune'], why: 'deletes unreachable objects' }, { path: ['prune'], why: 'deletes unreachable objects' },
      { path: ['filter-branch'], why: 'rewrites history' }, { path: ['filter-repo'], why: 'rewrites history' },
      { path: ['update-ref'], withOption: ['-d'], why: 'deletes a ref' },
    ],
  },
  {
    // GitHub's gh: listing and viewing read; `api` reads only as a GET without fields or input.
    names: ['gh'],
    options: { value: ['-R', '--repo', '-q', '--jq', '-t', '--template', '--json', '-L', '--limit', '-s', '--state', '-l', '--label', '-A', '--author', '-a', '--assignee', '-B', '--base', '-H', '--head', '-b', '--branch', '-w', '--workflow', '-u', '--user', '-e', '--event', '--search', '--hostname', '--status', '--created', '--attempt', '-j', '--job'], },
    read: [
      ...['pr', 'issue'].flatMap((o) => ['list', 'view', 'status', 'checks', 'diff'].map((v) => ({ path: [o, v], options: { flag: ['-c', '--comments', '--name-only', '--patch', '--color=never', '--required'] } }))),
      { path: ['repo', 'view'] }, { path: ['repo', 'list'], options: { flag: ['--archived', '--fork', '--source', '--no-archived', '--public', '--private'] } },
      { path: ['run', 'list'] }, { path: ['run', 'view'], options: { flag: ['--log', '--log-failed', '-v', '--verbose', '--exit-status'] } }, { path: ['run', 'watch'], endlessUnless: ['--never-endless'] },
      { path: ['release', 'list'] }, { path: ['release', 'view'] }, { path: ['workflow', 'list'], options: { flag: ['-a', '--all'] } }, { path: ['workflow', 'view'], options: { flag: ['-y', '--yaml'] } },
      { path: ['auth', 'status'], options: { flag: ['--show-token'] } }, { path: ['search', '*'] }, { path: ['cache', 'list'] }, { path: ['label', 'list'] }, { path: ['secret', 'list'] }, { path: ['variable', 'list'] }, { path: ['variable', 'get'] }, { path: ['version'] },
      { path: ['api'], args: 1, options: { value: ['-H', '--header', '--cache', '-p', '--preview'], flag: ['--paginate', '-i', '--include', '--silent', '--verbose', '--slurp'] } },
    ],
    destructive: [{ path: ['*', 'delete'], why: 'deletes repositories, releases, runs, caches, secrets or issues' }, { path: ['run', 'cancel'], why: 'cancels a workflow run' }],
  },
];
