import type { ToolSpec } from './types.js';

// Docker, Podman, Compose, crictl: listing, inspecting, logs without following.
const GLOBAL = { value: ['-H', '--host', '--context', '-c', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey', '--connection', '--url', '--identity', '--root', '--runroot'], flag: ['-D', '--debug', '--tls', '--tlsverify', '--remote'] };
const FORMAT = { value: ['-f', '--filter', '--format', '-n', '--last'], flag: ['-a', '--all', '-q', '--quiet', '--no-trunc', '-s', '--size', '-l', '--latest', '--digests', '--external', '--tree', '-m', '--human'] };
const LOGS = { value: ['--since', '--until', '-n', '--tail'], flag: ['-t', '--timestamps', '--details', '--names', '--color', '--no-color', '--no-log-prefix'] };
const INSPECT = { value: ['-f', '--format', '--type'], flag: ['-s', '--size'] };

const dockerForms = [
  { path: ['ps'], options: FORMAT, args: 'none' as const },
  { path: ['images'], options: FORMAT },
  { path: ['image', 'ls'], options: FORMAT },
  { path: ['image', 'list'], options: FORMAT },
  { path: ['container', 'ls'], options: FORMAT },
  { path: ['container', 'list'], options: FORMAT },
  { path: ['network', 'ls'], options: FORMAT },
  { path: ['volume', 'ls'], options: FORMAT },
  { path: ['context', 'ls'], options: FORMAT },
  { path: ['logs'], options: LOGS, endless: ['-f', '--follow'] },
  { path: ['container', 'logs'], options: LOGS, endless: ['-f', '--follow'] },
  { path: ['inspect'], options: INSPECT },
  { path: ['*', 'inspect'], options: INSPECT },
  { path: ['stats'], options: { value: ['--format'], flag: ['-a', '--all', '--no-trunc'] }, endlessUnless: ['--no-stream'] },
  { path: ['container', 'stats'], options: { value: ['--format'], flag: ['-a', '--all', '--no-trunc'] }, endlessUnless: ['--no-stream'] },
  { path: ['top'] },
  { path: ['container', 'top'] },
  { path: ['port'] },
  { path: ['container', 'port'] },
  { path: ['diff'] },
  { path: ['history'], options: { value: ['--format'], flag: ['-H', '--human', '--no-trunc', '-q', '--quiet'] } },
  { path: ['image', 'history'], options: { value: ['--format'], flag: ['-H', '--human', '--no-trunc', '-q', '--quiet'] } },
  { path: ['version'], options: { value: ['-f', '--format'] }, args: 'none' as const },
  { path: ['info'], options: { value: ['-f', '--format'] }, args: 'none' as const },
  { path: ['system', 'info'], options: { value: ['-f', '--format'] }, args: 'none' as const },
  { path: ['system', 'df'], options: { value: ['--format'], flag: ['-v', '--verbose'] }, args: 'none' as const },
  { path: ['events'], options: { value: ['-f', '--filter', '--format', '--since', '--until'] }, endlessUnless: ['--until'] },
  { path: ['system', 'events'], options: { value: ['-f', '--filter', '--format', '--since', '--until'] }, endlessUnless: ['--until'] },
  { path: ['search'], options: { value: ['-f', '--filter', '--format', '--limit'], flag: ['--no-trunc'] } },
  { path: ['exec'], options: { value: ['-u', '--user', '-w', '--workdir', '--detach-keys'], flag: ['-i', '--interactive', '-t', '--tty', '--privileged'] }, runs: { afterArgs: 1 } },
  { path: ['container', 'exec'], options: { value: ['-u', '--user', '-w', '--workdir', '--detach-keys'], flag: ['-i', '--interactive', '-t', '--tty', '--privileged'] }, runs: { afterArgs: 1 } },
  { path: ['compose', 'ps'], options: { value: ['-f', '--file', '-p', '--project-name', '--format', '--filter', '--status', '--env-file', '--project-directory'], flag: ['-a', '--all', '-q', '--quiet', '--services'] } },
  { path: ['compose', 'logs'], options: { value: ['--file', '-p', '--project-name', '--since', '--until', '-n', '--tail', '--env-file', '--project-directory'], flag: ['-t', '--timestamps', '--no-color', '--no-log-prefix'] }, endless: ['-f', '--follow'] },
  { path: ['compose', 'config'], options: { value: ['-f', '--file', '-p', '--project-name', '--format', '--env-file', '--project-directory'], flag: ['-q', '--quiet', '--services', '--volumes', '--images', '--profiles', '--resolve-image-digests', '--no-interpolate'] } },
  { path: ['compose', 'images'], options: { value: ['-f', '--file', '-p', '--project-name', '--format'], flag: ['-q', '--quiet'] } },
  { path: ['compose', 'top'], options: { value: ['-f', '--file', '-p', '--project-name'] } },
  { path: ['compose', 'ls'], options: { value: ['--format', '--filter'], flag: ['-a', '--all', '-q', '--quiet'] } },
  { path: ['compose', 'version'], options: { value: ['-f', '--format'], flag: ['--short'] } },
  { path: ['compose', 'port'], options: { value: ['-f', '--file', '-p', '--project-name', '--index', '--protocol'] } },
  { path: ['compose', 'exec'], options: { value: ['-f', '--file', '-p', '--project-name', '-u', '--user', '-w', '--workdir', '--index'], flag: ['-T', '--no-TTY', '-i', '--interactive', '-t', '--tty'] }, runs: { afterArgs: 1 } },
];

const dockerDestructive = [
  { path: ['rm'], why: 'removes containers' },
  { path: ['rmi'], why: 'removes images' },
  { path: ['kill'], why: 'kills containers' },
  { path: ['stop'], why: 'stops containers' },
  { path: ['restart'], why: 'restarts containers' },
  { path: ['*', 'rm'], why: 'removes objects' },
  { path: ['*', 'remove'], why: 'removes objects' },
  { path: ['*', 'prune'], why: 'removes unused objects' },
  { path: ['system', 'prune'], why: 'removes unused objects' },
  { path: ['*', 'kill'], why: 'kills containers' },
  { path: ['*', 'stop'], why: 'stops containers' },
  { path: ['*', 'restart'], why: 'restarts containers' },
  { path: ['compose', 'down'], why: 'removes the project\'s containers' },
  { path: ['compose', 'rm'], why: 'removes containers' },
];

export const CONTAINER_TOOLS: readonly ToolSpec[] = [
  { names: ['docker', 'podman', 'nerdctl'], options: GLOBAL, read: dockerForms, destructive: dockerDestructive },
  {
    names: ['docker-compose', 'podman-compose'],
    options: { value: ['-f', '--file', '-p', '--project-name', '--env-file', '--profile', '--project-directory', '--ansi', '--progress', '--parallel'] },
    read: dockerForms.filter((f) => f.path[0] === 'compose').map((f) => ({ ...f, path: f.path.slice(1) })),
    destructive: dockerDestructive.filter((d) => d.path[0] === 'compose').map((d) => ({ ...d, path: d.path.slice(1) })).concat([{ path: ['stop'], why: 'stops containers' }, { path: ['restart'], why: 'restarts containers' }, { path: ['kill'], why: 'kills containers' }]),
  },
  {
    names: ['crictl'],
    options: { value: ['-r', '--runtime-endpoint', '-i', '--image-endpoint', '-t', '--timeout', '--config'], flag: ['-D', '--debug'] },
    read: [
      { path: ['ps'], options: { value: ['-o', '--output', '--name', '--label', '--pod', '--state', '--image', '--id', '-n', '--last'], flag: ['-a', '--all', '-q', '--quiet', '-v', '--verbose', '--no-trunc', '-l', '--latest'] } },
      { path: ['pods'], options: { value: ['-o', '--output', '--name', '--label', '--namespace', '--state', '--id'], flag: ['-q', '--quiet', '-v', '--verbose', '--no-trunc', '-l', '--latest'] } },
      { path: ['images'], options: { value: ['-o', '--output'], flag: ['-q', '--quiet', '-v', '--verbose', '--no-trunc', '--digests'] } },
      { path: ['inspect'], options: { value: ['-o', '--output', '--template'] } },
      { path: ['inspectp'], options: { value: ['-o', '--output', '--template'] } },
      { path: ['inspecti'], options: { value: ['-o', '--output', '--template'] } },
      { path: ['logs'], options: { value: ['--since', '--tail'], flag: ['-p', '--previous', '-t', '--timestamps'] }, endless: ['-f', '--follow'] },
      { path: ['stats'], options: { value: ['-o', '--output', '--id', '--label', '--seconds', '-s'], flag: ['-a', '--all'] }, endless: ['-w', '--watch'] },
      { path: ['info'] },
      { path: ['version'] },
    ],
    destructive: [{ path: ['rm'], why: 'removes containers' }, { path: ['rmp'], why: 'removes pods' }, { path: ['rmi'], why: 'removes images' }, { path: ['stop'], why: 'stops containers' }, { path: ['stopp'], why: 'stops pods' }],
  },
];
