// A real OpenSSH server for fleet tests: one sshd on 127.0.0.2–.6 at one free high port, with
// generated host and user keys and an ssh_config that names the hosts. Aliases web-1..web-4 reach
// 127.0.0.2–.5; `badkey` reaches 127.0.0.6 but known_hosts holds another key for it; `down`
// points at 127.0.0.7, where nothing listens; `stranger` offers a key the server does not know.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface SshFixture {
  dir: string;
  port: number;
  /** Path of the ssh_config to pass with `ssh -F` / `--ssh-config`. */
  config: string;
  good: string[];
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.2', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function keygen(path: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'runproof-test', '-f', path]);
  return readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
}

export async function startSshd(): Promise<SshFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'runproof-sshd-'));
  chmodSync(dir, 0o755);
  const hostKey = keygen(join(dir, 'host_key'));
  const otherKey = keygen(join(dir, 'other_host_key'));
  const userKey = keygen(join(dir, 'user_key'));
  keygen(join(dir, 'stranger_key'));
  writeFileSync(join(dir, 'authorized_keys'), `${userKey}\n`, { mode: 0o600 });
  const port = await freePort();
  const listen = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'].map((a) => `ListenAddress ${a}:${port}`).join('\n');
  writeFileSync(join(dir, 'sshd_config'), `${listen}
HostKey ${join(dir, 'host_key')}
AuthorizedKeysFile ${join(dir, 'authorized_keys')}
PidFile ${join(dir, 'sshd.pid')}
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
MaxSessions 50
MaxStartups 100:30:200
LogLevel ERROR
`);
  const known = [2, 3, 4, 5].map((n) => `[127.0.0.${n}]:${port} ${hostKey}`);
  known.push(`[127.0.0.6]:${port} ${otherKey}`);
  writeFileSync(join(dir, 'known_hosts'), `${known.join('\n')}\n`);
  const user = userInfo().username;
  const host = (alias: string, address: string, key = 'user_key'): string => `Host ${alias}
  HostName ${address}
  Port ${port}
  User ${user}
  IdentityFile ${join(dir, key)}
  IdentitiesOnly yes
  UserKnownHostsFile ${join(dir, 'known_hosts')}
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 5
  LogLevel ERROR
`;
  const config = join(dir, 'ssh_config');
  writeFileSync(config, [host('web-1', '127.0.0.2'), host('web-2', '127.0.0.3'), host('web-3', '127.0.0.4'), host('web-4', '127.0.0.5'), host('badkey', '127.0.0.6'), host('down', '127.0.0.7'), host('stranger', '127.0.0.5', 'stranger_key')].join('\n'));
  mkdirSync('/run/sshd', { recursive: true });
  const sshd: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  sshd.stderr?.on('data', (d: Buffer) => { errors += d.toString(); });
  // Ready when a connection is accepted.
  for (let i = 0; i < 100; i += 1) {
    try {
      execFileSync('ssh', ['-F', config, 'web-1', 'true'], { stdio: 'ignore', timeout: 5000 });
      break;
    } catch {
      if (sshd.exitCode !== null) throw new Error(`sshd exited: ${errors}`);
      await new Promise((r) => setTimeout(r, 100));
      if (i === 99) throw new Error(`sshd did not accept a connection: ${errors}`);
    }
  }
  return {
    dir,
    port,
    config,
    good: ['web-1', 'web-2', 'web-3', 'web-4'],
    async stop() {
      sshd.kill('SIGTERM');
      await new Promise((r) => (sshd.exitCode !== null ? r(undefined) : sshd.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
