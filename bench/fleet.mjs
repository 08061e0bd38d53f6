// `npm run bench -- fleet`: 20 host aliases × 10 cells through `runproof run --hosts --parallel 10`
// against the same 10 commands in a sequential `for h in …; do ssh $h CMD; done` loop, and (when
// Debian's ansible is installed) `ansible all -m shell -a CMD -f 10` once per command. All hosts
// are aliases of one sshd on 127.0.0.2–.21 started here with generated keys. Goal: ≤ 0.25× the loop.
// Needs `npm run build` first, and sshd (openssh-server).
//
// Connections: no ControlMaster anywhere. runproof opens one ssh connection per host (its one
// long-lived session), the loop one per command (as such loops are written), ansible one per task
// and host (ANSIBLE_SSH_ARGS replaces its default ControlMaster/ControlPersist options). Every
// part is bounded: each baseline and the runproof run get BUDGET_MS, ssh a ConnectTimeout.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ratioRow, skippedRow } from './table.mjs';

const HOSTS = 20;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const BUDGET_MS = Number(process.env.RUNPROOF_BENCH_FLEET_BUDGET_MS ?? 300_000);
const COMMANDS = ['uptime', 'df -h /', 'cat /proc/loadavg', 'uname -a', 'hostname', 'id -un', 'free -m', 'ls /', 'date -u', 'echo ok'];

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.2', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function time(fn) {
  const started = process.hrtime.bigint();
  const result = fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

// A spawnSync that ended by its timeout says so instead of looking like a failure of the command.
function timedOut(result) {
  return result.error?.code === 'ETIMEDOUT' || result.signal === 'SIGTERM';
}

export default async function benchFleet({ quick = false } = {}) {
  const measure = `${HOSTS} hosts × ${COMMANDS.length} cells, \`run --hosts --parallel 10\` (bundle sealed) vs a sequential \`ssh\` loop`;
  if (quick) return [skippedRow(measure, '--quick')];
  if (!existsSync(cli)) return [skippedRow(measure, 'dist/cli/main.js missing: npm run build')];
  if (!existsSync('/usr/sbin/sshd')) return [skippedRow(measure, '/usr/sbin/sshd missing (apt-get install openssh-server)')];
  const dir = mkdtempSync(join(tmpdir(), 'runproof-bench-fleet-'));
  const keygen = (name) => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
    return readFileSync(join(dir, `${name}.pub`), 'utf8').split(' ').slice(0, 2).join(' ');
  };
  const hostKey = keygen('host_key');
  writeFileSync(join(dir, 'authorized_keys'), `${keygen('user_key')}\n`, { mode: 0o600 });
  const port = await freePort();
  const addresses = Array.from({ length: HOSTS }, (_, i) => `127.0.0.${i + 2}`);
  // sshd listens on at most 16 sockets: two servers, ten addresses each.
  const sshdConfig = (part) => `${part.map((a) => `ListenAddress ${a}:${port}`).join('\n')}
HostKey ${join(dir, 'host_key')}
AuthorizedKeysFile ${join(dir, 'authorized_keys')}
StrictModes no
UsePAM no
PasswordAuthentication no
MaxStartups 200:30:300
MaxSessions 100
LogLevel ERROR
`;
  writeFileSync(join(dir, 'sshd_config.1'), sshdConfig(addresses.slice(0, 10)));
  writeFileSync(join(dir, 'sshd_config.2'), sshdConfig(addresses.slice(10)));
  writeFileSync(join(dir, 'known_hosts'), addresses.map((a) => `[${a}]:${port} ${hostKey}`).join('\n') + '\n');
  const names = addresses.map((_, i) => `h${String(i + 1).padStart(2, '0')}`);
  writeFileSync(join(dir, 'ssh_config'), names.map((n, i) => `Host ${n}
  HostName ${addresses[i]}
  Port ${port}
  User ${userInfo().username}
  IdentityFile ${join(dir, 'user_key')}
  IdentitiesOnly yes
  UserKnownHostsFile ${join(dir, 'known_hosts')}
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 10
  ControlMaster no
  LogLevel ERROR
`).join('\n'));
  writeFileSync(join(dir, 'hosts.txt'), names.join('\n') + '\n');
  writeFileSync(join(dir, 'inventory.ini'), `[all]\n${names.join('\n')}\n`);
  writeFileSync(join(dir, 'fleet.md'), `# Fleet bench\n\n## Checks\n\n${COMMANDS.map((c) => `\`\`\`bash\n${c}\n\`\`\`\n`).join('\n')}`);
  mkdirSync('/run/sshd', { recursive: true });
  let sshdErrors = '';
  const servers = ['sshd_config.1', 'sshd_config.2'].map((c) => {
    const p = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, c)], { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr.on('data', (d) => (sshdErrors += d));
    return p;
  });
  const cfg = join(dir, 'ssh_config');
  try {
    for (const probe of [names[0], names[HOSTS - 1]]) {
      for (let i = 0; i < 100 && spawnSync('ssh', ['-F', cfg, probe, 'true'], { timeout: 15_000 }).status !== 0; i += 1) await new Promise((r) => setTimeout(r, 100));
    }

    // One `.` per ssh call done: a loop stopped by the budget is extrapolated from the calls it made.
    const calls = HOSTS * COMMANDS.length;
    const loop = time(() => spawnSync('bash', ['-c', `for c in ${COMMANDS.map((c) => `'${c}'`).join(' ')}; do for h in ${names.join(' ')}; do ssh -F '${cfg}' "$h" "$c" >/dev/null || exit 1; printf .; done; done`], { timeout: BUDGET_MS, encoding: 'utf8' }));
    let loopNote = '';
    if (timedOut(loop.result)) {
      const done = (loop.result.stdout ?? '').length;
      if (done === 0) throw new Error(`the ssh loop made no call within ${BUDGET_MS} ms`);
      loopNote = ` (loop stopped by the budget after ${done} of ${calls} ssh calls; extrapolated)`;
      loop.ms = (loop.ms * calls) / done;
    } else if (loop.result.status !== 0) throw new Error(`ssh loop failed: ${loop.result.stderr} ${sshdErrors}`);
    const rp = time(() => spawnSync(process.execPath, [cli, 'run', join(dir, 'fleet.md'), '--hosts', join(dir, 'hosts.txt'), '--ssh-config', cfg, '--parallel', '10', '--yes', '--evidence-dir', join(dir, 'evidence')], { encoding: 'utf8', timeout: BUDGET_MS }));
    if (timedOut(rp.result)) throw new Error(`runproof took more than ${BUDGET_MS} ms (RUNPROOF_BENCH_FLEET_BUDGET_MS)`);
    // A host that did not answer in time (a loaded machine) is reported; the times still are.
    if (rp.result.status !== 0) {
      const bad = rp.result.stdout.split('\n').filter((l) => /^host \S+: (?!passed)/.test(l));
      if (bad.length === 0) throw new Error(`runproof failed (${rp.result.status}): ${rp.result.stdout.slice(-2000)} ${rp.result.stderr}`);
      loopNote += ` (warning: runproof exit ${rp.result.status}: ${bad.join('; ')})`;
    }
    // Connections: no ControlMaster; runproof 1 per host, the loop 1 per command.
    const rows = [ratioRow(measure + loopNote, `${(rp.ms / 1000).toFixed(2)} s`, `${(loop.ms / 1000).toFixed(2)} s`, rp.ms / loop.ms, { max: 0.25 })];
    if (spawnSync('ansible', ['--version']).status === 0) {
      const env = { ...process.env, ANSIBLE_SSH_ARGS: `-F ${cfg}`, ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_PYTHON_INTERPRETER: 'auto_silent' };
      const deadline = Date.now() + BUDGET_MS;
      const ans = time(() => {
        for (const c of COMMANDS) {
          const r = spawnSync('ansible', ['all', '-i', join(dir, 'inventory.ini'), '-m', 'shell', '-a', c, '-f', '10'], { env, encoding: 'utf8', timeout: Math.max(1, deadline - Date.now()) });
          if (r.status !== 0) return r;
        }
        return { status: 0 };
      });
      const what = `${HOSTS} hosts × ${COMMANDS.length} cells vs \`ansible -m shell -f 10\`, once per command`;
      if (timedOut(ans.result)) rows.push(skippedRow(what, `ansible stopped after ${BUDGET_MS} ms (RUNPROOF_BENCH_FLEET_BUDGET_MS)`));
      else rows.push(ans.result.status === 0 ? ratioRow(what, `${(rp.ms / 1000).toFixed(2)} s`, `${(ans.ms / 1000).toFixed(2)} s`, rp.ms / ans.ms) : skippedRow(what, `ansible failed: ${(ans.result.stdout ?? '').slice(-120)}`));
    }
    return rows;
  } finally {
    for (const p of servers) p.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.table(await benchFleet({ quick: process.argv.includes('--quick') }));
