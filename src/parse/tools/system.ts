import type { ToolSpec } from './types.js';

// systemd, journald, GitLab Omnibus, Chef's knife (its ssh is classified by the risk code).
const SYSTEMCTL_OPTIONS = {
  value: ['-H', '--host', '-M', '--machine', '-p', '--property', '-t', '--type', '--state', '-n', '--lines', '-o', '--output', '--root', '-P'],
  flag: ['--user', '--system', '--no-pager', '--no-legend', '-a', '--all', '-l', '--full', '-q', '--quiet', '--failed', '--plain', '-r', '--recursive', '--value', '--reverse', '--after', '--before', '--show-types', '--with-dependencies', '--global', '-i', '--ignore-inhibitors', '--no-ask-password'],
};

export const SYSTEM_TOOLS: readonly ToolSpec[] = [
  {
    names: ['systemctl'],
    options: SYSTEMCTL_OPTIONS,
    read: [
      { path: [], args: 'none' },
      ...['status', 'is-active', 'is-enabled', 'is-failed', 'is-system-running', 'list-units', 'list-unit-files', 'list-timers', 'list-sockets', 'list-dependencies', 'list-jobs', 'list-machines', 'list-automounts', 'list-paths', 'show', 'cat', 'help', 'get-default', 'show-environment'].map((s) => ({ path: [s] })),
    ],
    destructive: ['stop', 'restart', 'kill', 'try-restart', 'reload-or-restart', 'try-reload-or-restart', 'condrestart', 'force-reload', 'isolate', 'poweroff', 'reboot', 'halt', 'kexec', 'emergency', 'rescue', 'mask', 'suspend', 'hibernate', 'soft-reboot', 'disable', 'clean', 'freeze'].map((s) => ({ path: [s], why: 'stops, restarts or removes a service or the host' })),
  },
  {
    names: ['journalctl'],
    read: [
      {
        path: [],
        options: {
          value: ['-u', '--unit', '--user-unit', '-n', '--lines', '-p', '--priority', '-S', '--since', '-U', '--until', '-b', '--boot', '-o', '--output', '-t', '--identifier', '-g', '--grep', '--output-fields', '-D', '--directory', '--file', '-M', '--machine', '--facility', '--invocation', '--case-sensitive', '--cursor', '--after-cursor', '--root', '--namespace', '-F', '--field'],
          flag: ['--user', '--system', '--no-pager', '-r', '--reverse', '-x', '--catalog', '-e', '--pager-end', '-a', '--all', '-q', '--quiet', '--no-hostname', '--no-tail', '--utc', '-m', '--merge', '-k', '--dmesg', '--list-boots', '--disk-usage', '--header', '--show-cursor', '--verify', '--list-namespaces'],
          pattern: ['^_[A-Z_]+=', '^-b-?\\d*$', '^-n\\d+$', '^--lines=\\d+$'],
        },
        endless: ['-f', '--follow'],
      },
    ],
  },
  {
    names: ['gitlab-ctl'],
    read: [
      { path: ['status'] },
      { path: ['service-list'] },
      { path: ['show-config'] },
      { path: ['tail'], endlessUnless: ['--never-endless'] },
      { path: ['get-redis-master'] },
      { path: ['patroni', 'members'] },
      { path: ['patroni', 'check-leader'] },
      { path: ['patroni', 'check-replica'] },
      { path: ['consul', 'kv', 'get'] },
      { path: ['pg-upgrade', 'status'] },
      { path: ['version'] },
    ],
    destructive: ['stop', 'restart', 'kill', 'term', 'hup', 'int', 'usr1', 'usr2', 'graceful-kill', 'cleanse', 'remove-accounts', 'uninstall', 'deploy-page', 'reset-grafana', 'restart-except'].map((s) => ({ path: [s], why: 'stops, restarts or removes GitLab services or data' })),
  },
  {
    names: ['gitlab-rake'],
    read: ['gitlab:check', 'gitlab:env:info', 'gitlab:gitlab_shell:check', 'gitlab:gitaly:check', 'gitlab:sidekiq:check', 'gitlab:app:check', 'gitlab:incoming_email:check', 'gitlab:ldap:check', 'gitlab:doctor:secrets', 'gitlab:artifacts:check', 'gitlab:lfs:check', 'gitlab:uploads:check', 'gitlab:geo:check', 'db:migrate:status', 'gitlab:db:decomposition:connection_status', 'gitlab:tcp_check', 'gitlab:git:fsck'].map((t) => ({ path: [t], options: { pattern: ['^[A-Z_]+=[^ ]*$'] } })),
    destructive: [{ path: ['gitlab:backup:restore'], why: 'overwrites GitLab data' }, { path: ['db:drop'], why: 'drops the database' }, { path: ['gitlab:cleanup:*'], why: 'deletes data' }],
  },
  {
    names: ['knife'],
    options: { value: ['-c', '--config', '-s', '--server-url', '-u', '--user', '-k', '--key', '-E', '--environment', '-F', '--format', '--profile'], flag: ['-V', '--verbose', '--no-color', '-y', '--yes'] },
    read: [
      { path: ['node', 'list'] }, { path: ['node', 'show'], options: { value: ['-a', '--attribute', '-r', '--run-list'], flag: ['-l', '--long', '-m', '--medium'] } },
      { path: ['role', 'list'] }, { path: ['role', 'show'] }, { path: ['environment', 'list'] }, { path: ['environment', 'show'] },
      { path: ['search'], options: { value: ['-a', '--attribute', '-i', '--id-only', '-R', '--rows', '-b', '--start', '-o', '--sort'], flag: ['-i', '--id-only', '-l', '--long', '-m', '--medium'] } },
      { path: ['status'], options: { flag: ['-r', '--run-list', '-H', '--hide-by-mins'] } },
      { path: ['cookbook', 'list'] }, { path: ['data', 'bag', 'list'] }, { path: ['data', 'bag', 'show'] }, { path: ['client', 'list'] },
    ],
    destructive: [{ path: ['node', 'delete'], why: 'deletes a node' }, { path: ['client', 'delete'], why: 'deletes a client' }, { path: ['*', 'delete'], why: 'deletes Chef objects' }, { path: ['*', 'bulk', 'delete'], why: 'deletes Chef objects' }],
  },
];
