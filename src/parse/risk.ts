import { analyzeShell, wordValue, type ShellAnalysis, type SimpleCommand } from './shell-lex.js';
import type { CellKind, HttpRequestSpec, RiskLevel } from './types.js';

export interface RiskFinding {
  level: RiskLevel;
  /** The rule and the matched text. */
  reason: string;
}

/**
 * Classifies a runnable cell as `read`, `write` or `destructive` from its text.
 *
 * `analysis` is `analyzeShell(command)` when the caller already has it (shell cells only).
 *
 * Safety default: a shell cell is `read` only when every simple command in it (pipelines, `&&`,
 * `||`, `;`, newlines, `$(...)`, backticks, subshells, loop and `if` bodies, `sh -c`/`watch`/`sudo`
 * payloads) is on the read-only list; anything unknown is `write`; the highest level wins.
 *
 * @example
 * classifyRisk('shell', 'rm -rf data/state/*')
 * // { level: 'destructive', reason: 'destructive: rm -rf (rm with -r/-f) in "rm -rf data/state/*"' }
 */
export function classifyRisk(kind: CellKind, command: string, http?: HttpRequestSpec, analysis?: ShellAnalysis): RiskFinding {
  switch (kind) {
    case 'http':
      return classifyHttp(command, http);
    case 'promql':
      return { level: 'read', reason: 'read: PromQL instant query' };
    case 'assert':
    case 'expect':
    case 'doc':
      return { level: 'read', reason: `read: ${kind} cells do not run` };
    case 'shell':
      return summarize(classifyShellText(command, 0, analysis));
  }
}

const LEVEL_RANK: Record<RiskLevel, number> = { read: 0, write: 1, destructive: 2 };

/** One verdict about one (simple) command. */
interface Verdict {
  level: RiskLevel;
  /** For write/destructive: the rule (`rm -rf (rm with -r/-f)`); for read: the command's label. */
  rule: string;
  /** The command text the rule matched, for the reason. */
  snippet?: string;
  /** Set for "unknown command" verdicts: the reason names the command only. */
  unknown?: string;
}

function classifyHttp(command: string, http?: HttpRequestSpec): RiskFinding {
  const firstLine = command.split('\n').find((l) => l.trim() !== '' && !/^\s*(#|\/\/)/.test(l)) ?? '';
  const method = (http?.method ?? (/^\s*([A-Za-z]+)\s+\S/.exec(firstLine)?.[1] ?? 'GET')).toUpperCase();
  if (['GET', 'HEAD', 'OPTIONS'].includes(method)) return { level: 'read', reason: `read: HTTP ${method} request` };
  if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) return { level: 'write', reason: `write: HTTP ${method} request` };
  return { level: 'write', reason: `write: HTTP ${method} request (not a read-only method)` };
}

function summarize(verdicts: Verdict[]): RiskFinding {
  if (verdicts.length === 0) return { level: 'read', reason: 'read: nothing runs (only comments or blank lines)' };
  let worst = verdicts[0]!;
  for (const v of verdicts) if (LEVEL_RANK[v.level] > LEVEL_RANK[worst.level]) worst = v;
  if (worst.level === 'read') {
    const labels = [...new Set(verdicts.map((v) => v.rule).filter((r) => r !== ''))];
    if (labels.length === 0) return { level: 'read', reason: 'read: only variable assignments' };
    return { level: 'read', reason: `read: every command is read-only (${labels.join(', ')})` };
  }
  if (worst.unknown !== undefined) return { level: worst.level, reason: `${worst.level}: unknown command "${worst.unknown}"` };
  return { level: worst.level, reason: `${worst.level}: ${worst.rule} in "${worst.snippet ?? ''}"` };
}

const MAX_DEPTH = 6;

// Shell text (a cell, an `sh -c` string, a `watch` payload) → one verdict per simple command.
function classifyShellText(text: string, depth: number, analysis?: ShellAnalysis): Verdict[] {
  if (depth > MAX_DEPTH) return [{ level: 'write', rule: 'commands nested too deeply to classify', snippet: snippetOf(text) }];
  const { complete, commands } = analysis ?? analyzeShell(text);
  const verdicts: Verdict[] = [];
  if (!complete) verdicts.push({ level: 'write', rule: 'cannot parse all of it (unclosed quote, substitution or [[)', snippet: snippetOf(text) });
  const functions = new Set(commands.flatMap((c) => (c.functionName !== undefined ? [c.functionName] : [])));
  for (const cmd of commands) verdicts.push(...classifyCommand(cmd, text, functions, depth));
  return verdicts;
}

function snippetOf(text: string): string {
  const flat = text.replace(/\\\n/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}

const HARMLESS_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty', '-']);
const WRITE_REDIRECTS = new Set(['>', '>>', '>|', '&>', '&>>', '<>', '>&']);

function classifyCommand(cmd: SimpleCommand, text: string, functions: Set<string>, depth: number): Verdict[] {
  // The snippet starts at the command name: prefix assignments often hold secrets (PGPASSWORD=).
  const snippet = snippetOf(text.slice(cmd.args[0]?.start ?? cmd.start, cmd.end));
  const out: Verdict[] = [];
  let stdin: string | undefined;
  for (const r of cmd.redirects) {
    if (r.heredoc) stdin = r.heredoc.body;
    if (r.op === '<<<' && r.target) stdin = wordValue(r.target);
    if (!WRITE_REDIRECTS.has(r.op)) continue;
    const target = r.target ? wordValue(r.target) : '';
    if (HARMLESS_TARGETS.has(target) || /^\/dev\/fd\/\d+$/.test(target)) continue;
    if (r.op === '>&' && /^\d+-?$|^-$/.test(target)) continue;
    out.push({ level: 'write', rule: `redirect to a file (${r.fd}${r.op} ${target})`, snippet });
  }
  if (cmd.kind !== 'simple' || cmd.args.length === 0) {
    out.push({ level: 'read', rule: cmd.kind === 'simple' && cmd.assignments.length > 0 && cmd.functionName === undefined ? 'assignment' : '', snippet });
    return out;
  }
  const argv = cmd.args.map(wordValue);
  if (functions.has(argv[0]!)) {
    // The function's own body was classified where it was defined.
    out.push({ level: 'read', rule: `${argv[0]} (function defined in this cell)`, snippet });
    return out;
  }
  out.push(classifyArgv(argv, { snippet, stdin, depth }));
  return out;
}

interface Context {
  snippet: string;
  /** A heredoc body or here-string given to the command. */
  stdin: string | undefined;
  depth: number;
}

const read = (rule: string): Verdict => ({ level: 'read', rule });
const write = (rule: string): Verdict => ({ level: 'write', rule });
const destructive = (rule: string): Verdict => ({ level: 'destructive', rule });

/** Commands that only read, whatever their (non-redirect) arguments. */
const READ_COMMANDS = new Set([
  'cat', 'tac', 'less', 'more', 'head', 'tail', 'wc', 'cut', 'tr', 'grep', 'egrep', 'fgrep', 'zgrep', 'rg', 'ag',
  'jq', 'ls', 'll', 'ps', 'df', 'du', 'ss', 'netstat', 'lsof', 'pgrep', 'pidof', 'echo', 'printf', 'test', '[', '[[',
  'true', 'false', ':', 'sleep', 'export', 'declare', 'local', 'typeset', 'readonly', 'unset', 'cd', 'pwd', 'pushd',
  'popd', 'dirs', 'whoami', 'id', 'groups', 'uname', 'uptime', 'free', 'stat', 'which', 'type', 'whereis', 'file',
  'basename', 'dirname', 'realpath', 'readlink', 'printenv', 'column', 'paste', 'join', 'comm', 'diff', 'cmp', 'nl',
  'fold', 'fmt', 'rev', 'seq', 'base64', 'xxd', 'od', 'hexdump', 'strings', 'zcat', 'bzcat', 'xzcat', 'md5sum',
  'sha1sum', 'sha256sum', 'sha512sum', 'cksum', 'lsblk', 'blkid', 'findmnt', 'vmstat', 'iostat', 'mpstat', 'w', 'who',
  'last', 'lscpu', 'lspci', 'lsusb', 'lsmod', 'getent', 'nproc', 'arch', 'locale', 'tput', 'history', 'jobs', 'wait',
  'read', 'mapfile', 'readarray', 'getopts', 'let', 'shift', 'set', 'shopt', 'alias', 'exit', 'return', 'break',
  'continue', 'dig', 'nslookup', 'host', 'whois', 'ping', 'ping6', 'traceroute', 'tracepath', 'pg_isready', 'expr',
  'bc', 'numfmt', 'envsubst', 'hash', 'ulimit', 'umask', 'promtool', 'yes',
]);

/** Commands that always write (they create, change or move files or state). */
const WRITE_COMMANDS: Record<string, string> = {
  cp: 'copies files', mv: 'moves files', mkdir: 'creates directories', touch: 'creates or updates files',
  chmod: 'changes permissions', chown: 'changes owners', chgrp: 'changes groups', ln: 'creates links',
  install: 'installs files', rsync: 'copies files', scp: 'copies files', rmdir: 'removes directories',
  gzip: 'compresses files', gunzip: 'decompresses files', zip: 'writes an archive', unzip: 'extracts files',
  bzip2: 'compresses files', xz: 'compresses files', logger: 'writes to the system log', wall: 'messages every user',
  crontab: 'changes the crontab', useradd: 'adds a user', usermod: 'changes a user', passwd: 'changes a password',
  mount: 'mounts a file system', umount: 'unmounts a file system', swapoff: 'disables swap', swapon: 'enables swap',
};

/** Commands that destroy data, processes or hosts. */
const DESTRUCTIVE_COMMANDS: Record<string, string> = {
  pkill: 'signals processes', killall: 'signals processes', skill: 'signals processes',
  shred: 'overwrites files', wipefs: 'wipes signatures', dd: 'writes raw blocks', fdisk: 'edits partitions',
  sfdisk: 'edits partitions', parted: 'edits partitions', mkswap: 'formats a device', truncate: 'truncates files',
  blkdiscard: 'discards device blocks', shutdown: 'stops the host', reboot: 'reboots the host',
  halt: 'stops the host', poweroff: 'stops the host', pg_restore: 'overwrites a database', dropdb: 'drops a database',
};

type Handler = (args: string[], ctx: Context, name: string) => Verdict;

const HANDLERS: Record<string, Handler> = {
  curl: classifyCurl,
  wget: (a) => (hasValue(a, ['-O', '--output-document'], ['-', '/dev/null']) || a.some((x) => /^-[A-Za-z]*O-$/.test(x)) || a.includes('--spider') ? read('wget') : write('wget (downloads to a file)')),
  rm: (a) => (shortFlag(a, 'rRf') || a.some((x) => x === '--recursive' || x === '--force') ? destructive('rm -rf (rm with -r/-f)') : write('rm (removes files)')),
  kill: (a) => (a[0] === '-0' || a[0] === '-l' || a[0] === '-L' ? read('kill -0') : destructive('kill (signals processes)')),
  systemctl: classifySystemctl,
  service: (a) => {
    const action = a.filter((x) => !x.startsWith('-'))[1] ?? '';
    if (['status', '--status-all'].includes(action) || a.includes('--status-all')) return read('service status');
    if (['stop', 'restart', 'force-reload', 'try-restart'].includes(action)) return destructive(`service ${action}`);
    return write(`service ${action || '(no action)'}`);
  },
  docker: classifyDocker,
  'docker-compose': (a, ctx) => classifyCompose(a, ctx),
  podman: classifyDocker,
  kubectl: classifyKubectl,
  git: classifyGit,
  psql: classifyPsql,
  mysql: classifyMysql,
  mariadb: classifyMysql,
  sqlite3: (a, ctx) => {
    const positional = a.filter((x) => !x.startsWith('-'));
    const sql = positional[1] ?? ctx.stdin;
    return sql === undefined ? write('sqlite3 session') : sqlVerdict(sql, 'sqlite3');
  },
  pg_dump: (a) => (a.some((x) => x === '-f' || x.startsWith('--file') || /^-f./.test(x)) ? write('pg_dump -f (writes a dump file)') : read('pg_dump')),
  journalctl: (a) => {
    const bad = a.find((x) => /^--(vacuum-(size|time|files)|rotate|flush|sync|relinquish-var|smart-relinquish-var|setup-keys|update-catalog)(=|$)/.test(x));
    return bad ? write(`journalctl ${bad.split('=')[0]} (changes the journal)`) : read('journalctl');
  },
  find: classifyFind,
  sed: (a) => (a.some((x) => /^-[A-Za-z]*i/.test(x) || x.startsWith('--in-place')) ? write('sed -i (edits files in place)') : read('sed')),
  awk: classifyAwk,
  gawk: classifyAwk,
  mawk: classifyAwk,
  nawk: classifyAwk,
  perl: (a) => (shortFlag(a, 'i') ? write('perl -i (edits files in place)') : write('perl script')),
  yq: (a) => (shortFlag(a, 'i') || a.includes('--inplace') ? write('yq -i (edits files in place)') : read('yq')),
  tee: (a) => {
    const files = a.filter((x) => !x.startsWith('-') && !HARMLESS_TARGETS.has(x));
    return files.length > 0 ? write(`tee ${files[0]} (writes a file)`) : read('tee');
  },
  sort: (a) => (a.some((x) => x === '-o' || x.startsWith('--output') || /^-[A-Za-z]*o/.test(x)) ? write('sort -o (writes a file)') : read('sort')),
  uniq: (a) => (a.filter((x) => !x.startsWith('-')).length >= 2 ? write('uniq INPUT OUTPUT (writes a file)') : read('uniq')),
  date: (a) => (a.some((x) => x === '-s' || x.startsWith('--set')) ? write('date -s (sets the clock)') : read('date')),
  hostname: (a) => (a.some((x) => !x.startsWith('-')) ? write('hostname NAME (sets the host name)') : read('hostname')),
  top: (a) => (shortFlag(a, 'b') || a.includes('--batch') ? read('top -b') : write('top without -b (interactive)')),
  'nvidia-smi': (a) => {
    const bad = a.find((x) => /^(-r|--gpu-reset|-pm|--persistence-mode|-pl|--power-limit|-c|--compute-mode|-ac|-rac|-e|--ecc-config|-am|-caa|-lgc|-rgc|-lmc|-rmc|-mig|--multi-instance-gpu)(=|$)/.test(x));
    return bad ? write(`nvidia-smi ${bad} (changes GPU settings)`) : read('nvidia-smi');
  },
  'rocm-smi': (a) => {
    const bad = a.find((x) => /^(--set|--reset|-r$|--gpureset|--load|--autorespond)/.test(x));
    return bad ? write(`rocm-smi ${bad} (changes GPU settings)`) : read('rocm-smi');
  },
  dmesg: (a) => (a.some((x) => /^(-c|-C|--clear|--read-clear|-n|--console-level|-D|-E|--console-off|--console-on)$/.test(x)) ? write('dmesg (changes the kernel log)') : read('dmesg')),
  sysctl: (a) => (a.some((x) => x === '-w' || x === '-p' || x.startsWith('--load') || x === '--system' || (!x.startsWith('-') && x.includes('='))) ? write('sysctl (sets kernel parameters)') : read('sysctl')),
  ip: (a) => {
    const verb = a.find((x) => ['add', 'del', 'delete', 'set', 'change', 'replace', 'flush', 'append', 'prepend'].includes(x));
    return verb ? write(`ip ... ${verb} (changes networking)`) : read('ip');
  },
  nft: (a) => {
    if (a.includes('-f') || a.some((x) => x.startsWith('--file'))) return write('nft -f (loads a rule file)');
    const verb = a.find((x) => !x.startsWith('-')) ?? '';
    if (verb === 'list' || verb === 'describe' || verb === 'monitor') return read(`nft ${verb}`);
    if (['delete', 'flush', 'destroy'].includes(verb)) return destructive(`nft ${verb} (removes firewall rules)`);
    return write(`nft ${verb || '(no command)'} (changes firewall rules)`);
  },
  iptables: classifyIptables,
  ip6tables: classifyIptables,
  pip: classifyPip,
  pip3: classifyPip,
  npm: (a) => {
    const sub = a.find((x) => !x.startsWith('-')) ?? '';
    if (['ls', 'list', 'll', 'la', 'view', 'info', 'show', 'outdated', 'whoami', 'ping', 'doctor', 'explain', 'why', 'search'].includes(sub)) return read(`npm ${sub}`);
    if (sub === 'audit' && !a.includes('fix')) return read('npm audit');
    if (sub === '' && a.some((x) => x === '--version' || x === '-v')) return read('npm --version');
    return write(`npm ${sub} (installs or runs code)`);
  },
  apt: classifyPackages,
  'apt-get': classifyPackages,
  dnf: classifyPackages,
  yum: classifyPackages,
  apk: classifyPackages,
  brew: classifyPackages,
  snap: classifyPackages,
  'apt-cache': () => read('apt-cache'),
  alembic: (a) => {
    const sub = subcommand(a, ['-c', '--config', '-n', '--name', '-x']);
    if (['current', 'history', 'heads', 'show', 'branches', 'check'].includes(sub)) return read(`alembic ${sub}`);
    if (sub === 'downgrade') return destructive('alembic downgrade (downgrade migration)');
    return write(`alembic ${sub} (changes the database schema)`);
  },
  helm: (a) => {
    const sub = subcommand(a, ['-n', '--namespace', '--kube-context', '--kubeconfig']);
    if (['list', 'ls', 'status', 'get', 'history', 'show', 'template', 'version', 'search', 'lint', 'env'].includes(sub)) return read(`helm ${sub}`);
    if (['rollback', 'uninstall', 'delete', 'del', 'un'].includes(sub)) return destructive(`helm ${sub}`);
    return write(`helm ${sub}`);
  },
  terraform: (a) => {
    const rest = a.filter((x) => !x.startsWith('-'));
    const sub = rest[0] ?? '';
    if (sub === 'destroy' || (sub === 'state' && rest[1] === 'rm')) return destructive(`terraform ${rest.slice(0, 2).join(' ')}`);
    if (['plan', 'show', 'output', 'validate', 'version', 'providers', 'graph'].includes(sub) || (sub === 'state' && ['list', 'show'].includes(rest[1] ?? ''))) return read(`terraform ${sub}`);
    return write(`terraform ${sub}`);
  },
  python: classifyPython,
  python3: classifyPython,
  source: (a) => write(`source ${a[0] ?? ''} (runs a file)`),
  '.': (a) => write(`. ${a[0] ?? ''} (runs a file)`),
  tar: (a) => (a.some((x) => x === '--list' || /^-?[A-Za-z]*t[A-Za-z]*$/.test(x) && !x.startsWith('--')) && !a.some((x) => /^-?[A-Za-z]*[cxru][A-Za-z]*$/.test(x) && !x.startsWith('--')) ? read('tar -t') : write('tar (writes files)')),
  nc: (a) => (shortFlag(a, 'z') ? read('nc -z') : write('nc (opens a connection)')),
  // Wrappers: their payload decides.
  sudo: (a, ctx) => wrapped('sudo', skipOptions(a, ['-u', '--user', '-g', '--group', '-p', '--prompt', '-C', '-D', '-h', '--host', '-r', '-t', '-T', '-U']), ctx, a.some((x) => /^-[A-Za-z]*[is]/.test(x) || x === '--login' || x === '--shell')),
  doas: (a, ctx) => wrapped('doas', skipOptions(a, ['-u', '-C']), ctx, a.includes('-s')),
  env: (a, ctx) => {
    const rest = skipOptions(a, ['-u', '--unset', '-C', '--chdir', '-S', '--split-string']);
    let i = 0;
    while (i < rest.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[i]!)) i++;
    return rest.length === i ? read('env') : wrapped('env', rest.slice(i), ctx);
  },
  timeout: (a, ctx) => {
    const rest = skipOptions(a, ['-s', '--signal', '-k', '--kill-after']);
    return wrapped('timeout', rest.slice(1), ctx);
  },
  nice: (a, ctx) => wrapped('nice', skipOptions(a, ['-n', '--adjustment']).filter((x, i) => !(i === 0 && /^-\d+$/.test(x))), ctx),
  nohup: (a, ctx) => wrapped('nohup', a, ctx),
  stdbuf: (a, ctx) => wrapped('stdbuf', skipOptions(a, ['-i', '-o', '-e']), ctx),
  ionice: (a, ctx) => wrapped('ionice', skipOptions(a, ['-c', '--class', '-n', '--classdata', '-p', '--pid']), ctx),
  time: (a, ctx) => (a.includes('-o') ? write('time -o (writes a file)') : wrapped('time', skipOptions(a, ['-f', '--format']), ctx)),
  command: (a, ctx) => (a.some((x) => x === '-v' || x === '-V') ? read('command -v') : wrapped('command', skipOptions(a, []), ctx)),
  builtin: (a, ctx) => wrapped('builtin', a, ctx),
  exec: (a, ctx) => (a.length === 0 ? read('exec') : wrapped('exec', skipOptions(a, ['-a']), ctx)),
  xargs: (a, ctx) => {
    const rest = skipOptions(a, ['-I', '-n', '-P', '-d', '-E', '-L', '-s', '-a', '--max-args', '--max-procs', '--delimiter', '--arg-file', '--replace', '--eof', '--max-lines', '--max-chars']);
    return rest.length === 0 ? read('xargs') : wrapped('xargs', rest, ctx);
  },
  watch: (a, ctx) => {
    const rest = skipOptions(a, ['-n', '--interval', '-d', '--differences', '-q', '--equexit']);
    if (rest.length === 0) return write('watch without a command');
    return payload('watch', rest.join(' '), ctx);
  },
  eval: (a, ctx) => payload('eval', a.join(' '), ctx),
  trap: (a, ctx) => (a.length < 2 || a[0] === '' || a[0] === '-' || a[0]!.startsWith('-') ? read('trap') : payload('trap', a[0]!, ctx)),
  ssh: classifySsh,
  sh: classifyShell,
  bash: classifyShell,
  zsh: classifyShell,
  dash: classifyShell,
  ksh: classifyShell,
};

/** Wrappers whose payload is another command's argv. */
function wrapped(name: string, argv: string[], ctx: Context, interactiveShell = false): Verdict {
  if (interactiveShell) return write(`${name} with a login shell`);
  if (argv.length === 0) return name === 'sudo' || name === 'doas' ? write(`${name} without a command`) : read(name);
  const inner = classifyArgv(argv, { ...ctx, depth: ctx.depth + 1 });
  return { ...inner, rule: inner.level === 'read' ? `${name} ${inner.rule}` : `${inner.rule} (under ${name})` };
}

/** Wrappers whose payload is shell text run by another shell. */
function payload(name: string, text: string, ctx: Context): Verdict {
  const verdicts = classifyShellText(text, ctx.depth + 1);
  if (verdicts.length === 0) return read(name);
  let worst = verdicts[0]!;
  for (const v of verdicts) if (LEVEL_RANK[v.level] > LEVEL_RANK[worst.level]) worst = v;
  if (worst.level === 'read') {
    const labels = [...new Set(verdicts.map((v) => v.rule).filter((r) => r !== ''))];
    return read(`${name} (${labels.join(', ')})`);
  }
  const rule = worst.unknown !== undefined ? `unknown command "${worst.unknown}"` : worst.rule;
  return { level: worst.level, rule: `${rule} (run by ${name})` };
}

/** Options a few wrappers accept before their payload; `withValue` options take the next word. */
function skipOptions(args: string[], withValue: string[]): string[] {
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') return args.slice(i + 1);
    if (!a.startsWith('-') || a === '-') break;
    if (withValue.includes(a)) i += 2;
    else i += 1;
  }
  return args.slice(i);
}

/** The first word that is not an option (nor an option's value). */
function subcommand(args: string[], withValue: string[]): string {
  return skipOptions(args, withValue)[0] ?? '';
}

/** True when a short-option cluster (`-rf`, `-fsSL`) holds one of `chars`. */
function shortFlag(args: string[], chars: string): boolean {
  return args.some((a) => /^-[A-Za-z0-9]+$/.test(a) && [...a.slice(1)].some((c) => chars.includes(c)));
}

function hasValue(args: string[], flags: string[], values: string[]): boolean {
  return args.some((a, i) => (flags.includes(a) && values.includes(args[i + 1] ?? '')) || flags.some((f) => values.map((v) => `${f}=${v}`).includes(a)));
}

const SQL_CLIENTS = new Set(['psql', 'mysql', 'mariadb', 'sqlite3']);

// An argv (a simple command's words, or a wrapper's payload) → one verdict.
function classifyArgv(argv: string[], ctx: Context): Verdict {
  const raw = argv[0]!;
  const rest = argv.slice(1);
  const name = commandName(raw);
  const withSnippet = (v: Verdict): Verdict => ({ snippet: ctx.snippet, ...v });
  let verdict: Verdict;
  const handler = name !== null && Object.hasOwn(HANDLERS, name) ? HANDLERS[name] : undefined;
  if (name === null) verdict = { level: 'write', rule: `unknown command "${raw}"`, unknown: raw };
  else if (handler) verdict = handler(rest, ctx, raw);
  else if (READ_COMMANDS.has(name)) verdict = read(name);
  else if (Object.hasOwn(WRITE_COMMANDS, name)) verdict = write(`${name} (${WRITE_COMMANDS[name]})`);
  else if (Object.hasOwn(DESTRUCTIVE_COMMANDS, name)) verdict = destructive(`${name} (${DESTRUCTIVE_COMMANDS[name]})`);
  else if (/^mkfs(\.|$)|^mke2fs$/.test(name)) verdict = destructive(`${name} (formats a device)`);
  else if ((name === 'init' || name === 'telinit') && ['0', '6'].includes(rest[0] ?? '')) verdict = destructive(`${name} ${rest[0]} (stops the host)`);
  else verdict = { level: 'write', rule: `unknown command "${raw}"`, unknown: raw };
  if (verdict.level === 'read' || (name !== null && SQL_CLIENTS.has(name))) return withSnippet(verdict);
  return withSnippet(escalate(verdict, argv, ctx));
}

// Rules that make any non-read command destructive, whatever it is.
function escalate(verdict: Verdict, argv: string[], ctx: Context): Verdict {
  if (verdict.level === 'destructive') return verdict;
  const execute = argv.find((a) => a === '--execute' || a.startsWith('--execute='));
  if (execute) return destructive(`${execute.split('=')[0]} flag`);
  if (argv.slice(1).some((a) => a === 'downgrade' || /^[a-z]+:rollback$/.test(a))) return destructive(`downgrade migration (${argv.find((a) => a === 'downgrade' || a.endsWith(':rollback'))})`);
  for (const text of [...argv.slice(1), ctx.stdin ?? '']) {
    const sql = destructiveSql(text);
    if (sql) return destructive(`SQL ${sql}`);
  }
  return verdict;
}

/** System directories whose commands we recognize by their base name. */
function commandName(raw: string): string | null {
  if (!raw.includes('/')) return raw;
  if (/(^|\/)s?bin\/[^/]+$/.test(raw)) return raw.slice(raw.lastIndexOf('/') + 1);
  return null;
}

// --- per-command rules -------------------------------------------------------------------------

const CURL_SHORT_WITH_VALUE = new Set([...'AbcCdDeEFHKmoPQrtTuUwxXyYz']);
const CURL_LONG_WITH_VALUE = new Set([
  'request', 'data', 'data-raw', 'data-binary', 'data-ascii', 'data-urlencode', 'form', 'form-string', 'json',
  'upload-file', 'output', 'dump-header', 'cookie-jar', 'trace', 'trace-ascii', 'stderr', 'etag-save', 'libcurl',
  'config', 'header', 'user', 'write-out', 'max-time', 'connect-timeout', 'retry', 'retry-delay', 'retry-max-time',
  'user-agent', 'referer', 'cookie', 'proxy', 'cacert', 'cert', 'key', 'output-dir', 'resolve', 'connect-to',
  'url', 'oauth2-bearer', 'interface', 'unix-socket', 'range',
]);
const CURL_FILE_OPTIONS = new Set(['o', 'D', 'c', 'output', 'dump-header', 'cookie-jar', 'trace', 'trace-ascii', 'stderr', 'etag-save', 'libcurl', 'output-dir']);
const CURL_DATA_OPTIONS = new Set(['d', 'F', 'T', 'data', 'data-raw', 'data-binary', 'data-ascii', 'data-urlencode', 'form', 'form-string', 'json', 'upload-file']);

// curl reads unless it sends a write method or a body, or writes a file.
function classifyCurl(args: string[]): Verdict {
  let method: string | undefined;
  let data: string | undefined;
  let file: string | undefined;
  let get = false;
  const option = (name: string, value: string, shown: string): void => {
    if (name === 'X' || name === 'request') method = value.toUpperCase();
    else if (CURL_DATA_OPTIONS.has(name)) data ??= shown;
    else if (CURL_FILE_OPTIONS.has(name) && !HARMLESS_TARGETS.has(value)) file ??= `${shown} ${value}`;
    else if (name === 'K' || name === 'config') file ??= `${shown} ${value} (options from a file)`;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (name === 'get') get = true;
      else if (name === 'remote-name' || name === 'remote-name-all' || name === 'remote-header-name') file ??= a;
      else if (CURL_LONG_WITH_VALUE.has(name)) {
        const value = eq < 0 ? (args[++i] ?? '') : a.slice(eq + 1);
        option(name, value, `--${name}`);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (CURL_SHORT_WITH_VALUE.has(c)) {
          const value = j + 1 < a.length ? a.slice(j + 1) : (args[++i] ?? '');
          option(c, value, `-${c}`);
          break;
        }
        if (c === 'G') get = true;
        if (c === 'O' || c === 'J') file ??= `-${c}`;
      }
    }
  }
  if (method !== undefined && !['GET', 'HEAD', 'OPTIONS'].includes(method)) return write(`curl -X ${method} (HTTP ${method} request)`);
  if (data !== undefined && !get && method === undefined) return write(`curl ${data} (sends a request body: POST)`);
  if (file !== undefined) return write(`curl ${file} (writes a file)`);
  return read('curl');
}

const SYSTEMCTL_WITH_VALUE = ['-H', '--host', '-M', '--machine', '-p', '--property', '-t', '--type', '--state', '-n', '--lines', '-o', '--output', '-s', '--signal', '--kill-whom', '--root', '--job-mode'];
const SYSTEMCTL_READ = new Set(['status', 'is-active', 'is-enabled', 'is-failed', 'is-system-running', 'list-units', 'list-unit-files', 'list-timers', 'list-sockets', 'list-dependencies', 'list-jobs', 'list-machines', 'show', 'cat', 'help', 'get-default', 'show-environment']);
const SYSTEMCTL_DESTRUCTIVE = new Set(['stop', 'restart', 'kill', 'try-restart', 'reload-or-restart', 'try-reload-or-restart', 'condrestart', 'force-reload', 'isolate', 'poweroff', 'reboot', 'halt', 'kexec', 'emergency', 'rescue', 'mask', 'suspend', 'hibernate', 'soft-reboot']);

function classifySystemctl(args: string[]): Verdict {
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (SYSTEMCTL_WITH_VALUE.includes(a)) i++;
    else if (!a.startsWith('-')) positional.push(a);
  }
  const sub = positional[0] ?? 'list-units';
  const user = args.includes('--user') ? ' --user' : '';
  if (SYSTEMCTL_READ.has(sub)) return read(`systemctl ${sub}`);
  if (SYSTEMCTL_DESTRUCTIVE.has(sub)) return destructive(`systemctl${user} ${sub}`);
  return write(`systemctl${user} ${sub}`);
}

const DOCKER_GLOBAL_WITH_VALUE = ['-H', '--host', '--context', '-c', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey'];
const DOCKER_READ = new Set(['ps', 'logs', 'inspect', 'images', 'stats', 'version', 'info', 'top', 'port', 'diff', 'history', 'events', 'search']);
const DOCKER_DESTRUCTIVE = new Set(['rm', 'rmi', 'kill', 'stop', 'restart']);

function classifyDocker(args: string[], ctx: Context): Verdict {
  const rest = skipOptions(args, DOCKER_GLOBAL_WITH_VALUE);
  const sub = rest[0] ?? '';
  const more = rest.slice(1);
  if (sub === 'compose') return classifyCompose(more, ctx);
  if (DOCKER_READ.has(sub)) return read(`docker ${sub}`);
  if (DOCKER_DESTRUCTIVE.has(sub)) return destructive(`docker ${sub}`);
  if (sub === 'exec') return classifyExec('docker exec', skipOptions(more, ['-e', '--env', '--env-file', '-u', '--user', '-w', '--workdir', '--detach-keys']).slice(1), ctx);
  if (['container', 'image', 'network', 'volume', 'system', 'builder', 'buildx', 'context'].includes(sub)) {
    const sub2 = more.find((x) => !x.startsWith('-')) ?? '';
    if (['ls', 'list', 'ps', 'inspect', 'logs', 'top', 'port', 'diff', 'stats', 'history', 'df', 'info', 'events', 'show'].includes(sub2)) return read(`docker ${sub} ${sub2}`);
    if (['rm', 'remove', 'prune', 'kill', 'stop', 'restart', 'disconnect'].includes(sub2)) return destructive(`docker ${sub} ${sub2}`);
    if (sub === 'container' && sub2 === 'exec') return classifyExec('docker container exec', skipOptions(more.slice(1), ['-e', '--env', '-u', '--user', '-w', '--workdir']).slice(1), ctx);
    return write(`docker ${sub} ${sub2}`);
  }
  if (sub === 'run') return write('docker run (starts a container)');
  return write(`docker ${sub}`);
}

function classifyCompose(args: string[], ctx: Context): Verdict {
  const rest = skipOptions(args, ['-f', '--file', '-p', '--project-name', '--env-file', '--profile', '--project-directory', '--ansi', '--progress', '--parallel']);
  const sub = rest[0] ?? '';
  if (['ps', 'logs', 'config', 'images', 'top', 'ls', 'version', 'port', 'events'].includes(sub)) return read(`docker compose ${sub}`);
  if (['down', 'restart', 'rm', 'kill', 'stop'].includes(sub)) return destructive(`docker compose ${sub}`);
  if (sub === 'exec') return classifyExec('docker compose exec', skipOptions(rest.slice(1), ['-e', '--env', '-u', '--user', '-w', '--workdir', '--index']).slice(1), ctx);
  return write(`docker compose ${sub}`);
}

function classifyExec(label: string, inner: string[], ctx: Context): Verdict {
  if (inner.length === 0) return write(`${label} without a command`);
  const verdict = classifyArgv(inner, { ...ctx, depth: ctx.depth + 1 });
  if (verdict.level === 'read') return read(`${label} ${verdict.rule}`);
  const rule = verdict.unknown !== undefined ? `unknown command "${verdict.unknown}"` : verdict.rule;
  return { level: verdict.level, rule: `${rule} (in ${label})` };
}

function classifyKubectl(args: string[], ctx: Context): Verdict {
  const rest = skipOptions(args, ['-n', '--namespace', '--context', '--kubeconfig', '--cluster', '--user', '-s', '--server', '-l', '--selector', '-o', '--output']);
  const sub = rest[0] ?? '';
  const sub2 = rest.slice(1).find((x) => !x.startsWith('-')) ?? '';
  if (['get', 'describe', 'logs', 'top', 'explain', 'api-resources', 'api-versions', 'version', 'cluster-info', 'diff', 'events', 'wait'].includes(sub)) return read(`kubectl ${sub}`);
  if (sub === 'config' && ['view', 'get-contexts', 'current-context', 'get-clusters', 'get-users'].includes(sub2)) return read(`kubectl config ${sub2}`);
  if (sub === 'auth' && sub2 === 'can-i') return read('kubectl auth can-i');
  if (sub === 'rollout' && ['status', 'history'].includes(sub2)) return read(`kubectl rollout ${sub2}`);
  if (sub === 'rollout' && ['restart', 'undo'].includes(sub2)) return destructive(`kubectl rollout ${sub2}`);
  if (['delete', 'drain'].includes(sub)) return destructive(`kubectl ${sub}`);
  if (sub === 'exec') {
    const dash = rest.indexOf('--');
    return dash < 0 ? write('kubectl exec') : classifyExec('kubectl exec', rest.slice(dash + 1), ctx);
  }
  return write(`kubectl ${sub}`);
}

function classifyGit(args: string[]): Verdict {
  const rest = skipOptions(args, ['-C', '-c', '--git-dir', '--work-tree', '--namespace']);
  const sub = rest[0] ?? '';
  const more = rest.slice(1);
  const positional = more.filter((x) => !x.startsWith('-'));
  if (['checkout', 'reset', 'clean', 'restore', 'switch'].includes(sub)) return destructive(`git ${sub} (discards or replaces work-tree changes)`);
  if (['log', 'status', 'diff', 'show', 'rev-parse', 'describe', 'ls-files', 'ls-tree', 'ls-remote', 'blame', 'shortlog', 'grep', 'cat-file', 'show-ref', 'for-each-ref', 'whatchanged', 'version', 'help', 'count-objects', 'rev-list', 'merge-base', 'name-rev'].includes(sub)) return read(`git ${sub}`);
  if (sub === 'stash') {
    if (['list', 'show'].includes(positional[0] ?? '')) return read(`git stash ${positional[0]}`);
    if (['drop', 'clear'].includes(positional[0] ?? '')) return destructive(`git stash ${positional[0]}`);
    return write('git stash');
  }
  if (sub === 'branch') {
    if (shortFlag(more, 'D') || more.includes('--delete') || shortFlag(more, 'd')) return destructive('git branch -d (deletes a branch)');
    if (positional.length === 0 && !more.some((x) => /^(-m|-M|-c|-C|--move|--copy|-u|--set-upstream-to|--unset-upstream|--edit-description)/.test(x))) return read('git branch');
    return write('git branch');
  }
  if (sub === 'tag') return positional.length === 0 || more.includes('-l') || more.includes('--list') ? read('git tag') : write('git tag');
  if (sub === 'remote') return positional.length === 0 || ['show', 'get-url'].includes(positional[0]!) ? read('git remote') : write(`git remote ${positional[0]}`);
  if (sub === 'config') return more.some((x) => /^(--get|--list|-l$|--get-all|--get-regexp)/.test(x)) ? read('git config --get') : write('git config');
  if (sub === 'reflog') return ['expire', 'delete'].includes(positional[0] ?? '') ? destructive(`git reflog ${positional[0]}`) : read('git reflog');
  if (sub === 'worktree' && positional[0] === 'list') return read('git worktree list');
  if (sub === 'push' && more.some((x) => /^(-f|--force|--force-with-lease|--delete|-d|--mirror)/.test(x) || x.startsWith(':') || x.startsWith('+'))) return destructive('git push --force/--delete');
  return write(`git ${sub}`);
}

function classifyPsql(args: string[], ctx: Context): Verdict {
  const sql: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-c' || a === '--command') sql.push(args[++i] ?? '');
    else if (a.startsWith('--command=')) sql.push(a.slice('--command='.length));
    else if (/^-c./.test(a)) sql.push(a.slice(2));
    else if (a === '-f' || a.startsWith('--file') || /^-f./.test(a)) return write('psql -f (runs a SQL file)');
    else if (a === '-o' || a.startsWith('--output') || a === '-L' || a.startsWith('--log-file')) return write('psql -o/-L (writes a file)');
    else if (a === '-l' || a === '--list' || a === '-V' || a === '--version') return read('psql -l');
  }
  if (sql.length === 0 && ctx.stdin !== undefined) sql.push(ctx.stdin);
  if (sql.length === 0) return write('psql session without -c (interactive or from standard input)');
  return sqlVerdict(sql.join(';\n'), 'psql');
}

function classifyMysql(args: string[], ctx: Context): Verdict {
  const sql: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-e' || a === '--execute') sql.push(args[++i] ?? '');
    else if (a.startsWith('--execute=')) sql.push(a.slice('--execute='.length));
    else if (/^-e./.test(a)) sql.push(a.slice(2));
  }
  if (sql.length === 0 && ctx.stdin !== undefined) sql.push(ctx.stdin);
  if (sql.length === 0) return write('mysql session without -e');
  return sqlVerdict(sql.join(';\n'), 'mysql');
}

/** SQL text with comments and string literals removed, so keywords in them do not count. */
function stripSql(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/\$\$[\s\S]*?\$\$/g, "''");
}

/** `DROP TABLE`, `TRUNCATE`, `DELETE FROM`... in any SQL text, or null. */
function destructiveSql(text: string): string | null {
  if (!/\b(drop|truncate|delete)\b/i.test(text)) return null;
  const sql = stripSql(text);
  const m =
    /\bDROP\s+(TABLE|DATABASE|SCHEMA|INDEX|VIEW|MATERIALIZED\s+VIEW|USER|ROLE|SEQUENCE|FUNCTION|TRIGGER|TYPE|EXTENSION|OWNED)\b/i.exec(sql) ??
    /\bTRUNCATE\s+(TABLE\s+)?[A-Za-z_"]/i.exec(sql) ??
    /\bDELETE\s+FROM\b/i.exec(sql) ??
    /^\s*(DROP|TRUNCATE|DELETE)\b/im.exec(sql);
  return m ? m[0].replace(/\s+/g, ' ').toUpperCase() : null;
}

const SQL_READ_KEYWORDS = new Set(['SELECT', 'WITH', 'SHOW', 'EXPLAIN', 'TABLE', 'VALUES', 'DESCRIBE', 'DESC']);
const SQL_WRITE_FUNCTIONS = /\b(pg_terminate_backend|pg_cancel_backend|pg_reload_conf|pg_rotate_logfile|nextval|setval|set_config|pg_switch_wal|pg_create_\w+|pg_drop_\w+|lo_\w+|dblink_exec|pg_advisory_\w*lock\w*|pg_promote|pg_stat_reset\w*)\s*\(/i;
const PSQL_READ_META = /^\\(d\S*|l\+?|list|conninfo|x|timing|q|echo|pset|encoding|\?|h|help|z|sf\S*|sv\S*|du\S*|dn\S*|copyright|errverbose)$/;

// SQL given to a client: read only when every statement is a lone query (or a psql describe).
function sqlVerdict(sql: string, client: string): Verdict {
  const destroy = destructiveSql(sql);
  if (destroy) return destructive(`SQL ${destroy} (${client})`);
  const stripped = stripSql(sql);
  const fn = SQL_WRITE_FUNCTIONS.exec(stripped);
  if (fn) return write(`SQL ${fn[1]}() (${client})`);
  for (const raw of mergeStatements(stripped)) {
    const s = raw.trim();
    if (s === '') continue;
    if (s.startsWith('\\')) {
      const cmd = s.split(/\s+/)[0]!;
      if (!PSQL_READ_META.test(cmd)) return write(`psql ${cmd} (meta-command)`);
      continue;
    }
    const keyword = (/^\(?\s*([A-Za-z]+)/.exec(s)?.[1] ?? '').toUpperCase();
    if (!SQL_READ_KEYWORDS.has(keyword)) return write(`SQL ${keyword || s.slice(0, 20)} (${client})`);
    if (/\b(INSERT|UPDATE|MERGE|INTO|FOR\s+UPDATE|COPY|ANALYZE\s+(INSERT|UPDATE|MERGE))\b/i.test(s)) {
      const m = /\b(INSERT|UPDATE|MERGE|INTO|FOR\s+UPDATE|COPY)\b/i.exec(s);
      return write(`SQL ${keyword} ... ${(m?.[1] ?? 'write').toUpperCase()} (${client})`);
    }
  }
  return read(`${client} SELECT`);
}

// Statements split on `;`, with each psql meta-command (`\d x`) a statement of its own line.
function mergeStatements(sql: string): string[] {
  const out: string[] = [];
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('\\')) {
      out.push(trimmed);
      continue;
    }
    const pieces = line.split(';');
    if (out.length > 0 && !out[out.length - 1]!.trim().startsWith('\\') && !out[out.length - 1]!.endsWith(';')) {
      out[out.length - 1] += `\n${pieces.shift() ?? ''}`;
    }
    for (let i = 0; i < pieces.length; i++) out.push(pieces[i]! + (i < pieces.length - 1 ? ';' : ''));
  }
  return out.map((s) => s.replace(/;$/, ''));
}

function classifyFind(args: string[], ctx: Context): Verdict {
  if (args.includes('-delete')) return destructive('find -delete');
  const exec = args.findIndex((a) => ['-exec', '-execdir', '-ok', '-okdir'].includes(a));
  if (exec >= 0) {
    const end = args.findIndex((a, i) => i > exec && (a === ';' || a === '+'));
    const inner = args.slice(exec + 1, end < 0 ? undefined : end);
    const verdict = inner.length > 0 ? classifyArgv(inner, { ...ctx, depth: ctx.depth + 1 }) : write('find -exec');
    if (verdict.level === 'destructive') return destructive(`${verdict.rule} (run by find ${args[exec]})`);
    return write(`find ${args[exec]} (runs a command on each file)`);
  }
  const print = args.find((a) => /^-f(print0?|printf|ls)$/.test(a));
  if (print) return write(`find ${print} (writes a file)`);
  return read('find');
}

function classifyAwk(args: string[]): Verdict {
  if (args.some((a, i) => a === '-i' && args[i + 1] === 'inplace') || args.includes('-iinplace')) return write('awk -i inplace (edits files in place)');
  const program = args.find((a) => !a.startsWith('-')) ?? '';
  if (/\bsystem\s*\(|\|\s*getline|\|&|print[f]?[^;}]*[^>]>>?\s*"/.test(program)) return write('awk program runs commands or writes files');
  return read('awk');
}

function classifyIptables(args: string[]): Verdict {
  if (args.some((a) => /^(-L|-S|--list|--list-rules|-C|--check|-nL|-nvL|-vnL|-vL|-Ln|-Lnv)$/.test(a))) return read('iptables -L');
  const destroy = args.find((a) => /^(-D|-F|-X|-Z|--delete|--flush|--delete-chain|--zero)$/.test(a));
  if (destroy) return destructive(`iptables ${destroy} (removes firewall rules)`);
  return write('iptables (changes firewall rules)');
}

function classifyPip(args: string[]): Verdict {
  const sub = subcommand(args, ['--python', '--log', '--proxy', '--cache-dir']);
  if (['list', 'check', 'show', 'freeze', 'search', 'index', 'inspect', 'help', 'debug'].includes(sub)) return read(`pip ${sub}`);
  if (sub === '' && args.some((a) => a === '--version' || a === '-V')) return read('pip --version');
  return write(`pip ${sub} (installs or removes packages)`);
}

function classifyPackages(args: string[]): Verdict {
  const sub = subcommand(args, ['-o', '-c', '-t']);
  if (['list', 'search', 'show', 'policy', 'info', 'madison', 'depends', 'rdepends', 'provides', 'repolist', 'outdated', 'check-update', 'history'].includes(sub)) return read(`package ${sub}`);
  return write(`package ${sub || 'command'} (installs, updates or removes packages)`);
}

function classifyPython(args: string[], ctx: Context, name: string): Verdict {
  const m = args.indexOf('-m');
  if (m >= 0) {
    const mod = args[m + 1] ?? '';
    if (mod === 'py_compile' || mod === 'compileall') return write(`python -m ${mod} (writes .pyc files)`);
    if (mod === 'json.tool') return read('python -m json.tool');
    if (mod === 'pip') return classifyPip(args.slice(m + 2));
    if (mod === 'alembic') return HANDLERS['alembic']!(args.slice(m + 2), ctx, 'alembic');
    return write(`python -m ${mod} (runs a module)`);
  }
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) return read('python --version');
  const script = args.find((a) => !a.startsWith('-'));
  return { level: 'write', rule: 'unknown program', unknown: `${name} ${script ?? args.join(' ')}`.trim() };
}

function classifySsh(args: string[], ctx: Context): Verdict {
  const withValue = new Set(['-p', '-i', '-l', '-o', '-F', '-J', '-L', '-R', '-D', '-b', '-c', '-E', '-e', '-I', '-m', '-O', '-Q', '-S', '-W', '-w', '-B']);
  let i = 0;
  while (i < args.length && args[i]!.startsWith('-')) i += withValue.has(args[i]!) ? 2 : 1;
  const host = args[i];
  const remote = args.slice(i + 1);
  if (host === undefined || remote.length === 0) return write('ssh session (runs whatever is typed)');
  return payload(`ssh ${host}`, remote.join(' '), ctx);
}

function classifyShell(args: string[], ctx: Context): Verdict {
  const c = args.findIndex((a) => /^-[A-Za-z]*c[A-Za-z]*$/.test(a));
  if (c >= 0) return payload('sh -c', args[c + 1] ?? '', ctx);
  if (args.includes('-n')) return read('sh -n (syntax check)');
  const script = args.find((a) => !a.startsWith('-'));
  if (script === undefined && ctx.stdin !== undefined) return payload('sh (heredoc)', ctx.stdin, ctx);
  if (script === undefined) return write('interactive shell');
  return { level: 'write', rule: 'unknown script', unknown: script };
}
