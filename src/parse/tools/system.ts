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
    destructive: [{ path: [], withOption: ['--vacuum-time', '--vacuum-size', '--vacuum-files'], why: 'deletes archived journal files' }],
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
  {
    // timedatectl / hostnamectl: status and listings read; set-* changes the host.
    names: ['timedatectl'],
    options: { value: ['-H', '--host', '-M', '--machine', '-p', '--property'], flag: ['--no-pager', '--no-ask-password', '-a', '--all', '--value', '--adjust-system-clock', '--monitor'] },
    read: [{ path: [], args: 'none' }, { path: ['status'] }, { path: ['show'] }, { path: ['list-timezones'] }, { path: ['timesync-status'] }, { path: ['show-timesync'] }],
  },
  {
    names: ['hostnamectl'],
    options: { value: ['-H', '--host', '-M', '--machine', '--json'], flag: ['--no-pager', '--no-ask-password', '--static', '--transient', '--pretty'] },
    read: [{ path: [], args: 'none' }, { path: ['status'], args: 'none' }],
  },
  {
    // chrony and ntpd status.
    names: ['chronyc'],
    options: { value: ['-h', '-p', '-f'], flag: ['-n', '-c', '-d', '-m', '-4', '-6', '-a', '-N'] },
    read: ['tracking', 'sources', 'sourcestats', 'activity', 'ntpdata', 'serverstats', 'clients', 'rtcdata', 'smoothing', 'waitsync', 'selectdata', 'authdata', 'ntpdata'].map((c) => ({ path: [c], options: { flag: ['-v', '-a', '-k'] } })),
  },
  { names: ['ntpq'], options: { flag: ['-p', '-n', '-w', '-4', '-6', '-W'], pattern: ['^-[pnw46]+$'] }, read: [{ path: [], requires: ['-p'] }] },
  {
    // supervisord's control client.
    names: ['supervisorctl'],
    options: { value: ['-c', '--configuration', '-s', '--serverurl', '-u', '--username', '-p', '--password'] },
    read: [{ path: ['status'] }, { path: ['avail'] }, { path: ['pid'] }, { path: ['version'] }, { path: ['tail'], endless: ['-f'] }, { path: ['maintail'], endless: ['-f'] }],
    destructive: ['stop', 'restart', 'shutdown', 'remove', 'signal', 'clear'].map((c) => ({ path: [c], why: 'stops, restarts or removes supervised programs' })),
  },
  {
    // nginx -t/-T/-v/-V test or print; -s stop/quit stop it, -s reload/reopen write. A config other
    // than the system's (-c, -g, -p) could load modules (code), so those are not read-only.
    names: ['nginx', 'openresty'],
    options: { flag: ['-q'] },
    read: [{ path: [], args: 'none', requires: ['-t', '-T', '-v', '-V'], options: { flag: ['-t', '-T', '-v', '-V'] } }],
    destructive: [{ path: ['stop'], withOption: ['-s'], why: 'stops nginx' }, { path: ['quit'], withOption: ['-s'], why: 'stops nginx' }],
  },
  {
    names: ['apachectl', 'apache2ctl'],
    read: [{ path: [], args: 'none', requires: ['-S', '-M', '-t', '-v', '-V', '-l', '-L'], options: { flag: ['-S', '-M', '-t', '-v', '-V', '-l', '-L'], value: ['-D'] } }, { path: ['configtest'], args: 'none' }, { path: ['status'], args: 'none' }, { path: ['fullstatus'], args: 'none' }],
    destructive: [{ path: ['stop'], why: 'stops Apache' }, { path: ['graceful-stop'], why: 'stops Apache' }, { path: ['restart'], why: 'restarts Apache' }],
  },
  {
    // SMART disk health: -a/-H/-i/-x/-A/-l/--scan print; -s, -t, -o, -S change the disk or start tests.
    names: ['smartctl'],
    // -l/--log only as --log=TYPE of a log that is read (scttempint,N and scterc,R,W set the drive).
    options: { value: ['-d', '--device', '-T', '--tolerance', '-b', '--badsum', '-r', '--report', '-n', '--nocheck', '-f', '--format'], flag: ['-a', '--all', '-x', '--xall', '-H', '--health', '-i', '--info', '-A', '--attributes', '-c', '--capabilities', '--scan', '--scan-open', '-q', '--quietmode', '--json', '-j'], pattern: ['^--(json|format|device|quietmode|nocheck)=.*$', '^--log=(error|xerror|selftest|xselftest|selective|directory|background|sasphy|sataphy|scttemp|scttempsts|scttemphist|scterc|devstat|ssd|defects)$'] },
    read: [{ path: [] }],
  },
  {
    // dpkg's query options; everything else installs or removes.
    names: ['dpkg'],
    options: { flag: ['-l', '--list', '-L', '--listfiles', '-s', '--status', '-S', '--search', '-p', '--print-avail', '--get-selections', '--print-architecture', '--print-foreign-architectures', '--version', '--audit', '-C', '-V', '--verify'], pattern: ['^--(verify-format|admindir)=.*$'] },
    read: [{ path: [] }],
  },
  {
    // mount alone (or -l, -t TYPE) lists mounts; with a device or directory it mounts.
    names: ['mount'],
    read: [{ path: [], args: 'none', options: { flag: ['-l', '--show-labels'], value: ['-t', '--types'] } }],
  },
  {
    // iotop in batch mode with a count stops; otherwise it runs until interrupted.
    names: ['iotop'],
    options: { value: ['-n', '--iter', '-d', '--delay', '-p', '--pid', '-u', '--user'], flag: ['-b', '--batch', '-o', '--only', '-P', '--processes', '-a', '--accumulated', '-k', '--kilobytes', '-t', '--time', '-q', '--quiet', '-qq', '-qqq'] },
    read: [{ path: [], args: 'none', endlessUnless: ['-n', '--iter'] }],
  },
  {
    // Runme's CLI: listing and printing cells read; run and the TUI execute cells.
    names: ['runme'],
    options: { value: ['--chdir', '--filename', '--project', '--ignore-pattern'], flag: ['--allow-unknown', '--allow-unnamed', '--git-ignore', '--insecure'] },
    read: [{ path: [], args: 'none', requires: ['--version', '-v', '--help', '-h'], options: { flag: ['--version', '-v', '--help', '-h'] } }, { path: ['list'], options: { flag: ['--json'] } }, { path: ['ls'], options: { flag: ['--json'] } }, { path: ['print'] }, { path: ['version'] }, { path: ['fmt'] }],
  },
  {
    // RHCOS/Fedora CoreOS image status; deploy, rebase, rollback, install change the OS.
    names: ['rpm-ostree'],
    options: { flag: ['-v', '--verbose', '-b', '--booted', '--json', '--pending-exit-77', '-q', '--quiet'] },
    read: [{ path: ['status'] }, { path: ['db', 'diff'] }, { path: ['db', 'list'] }],
    destructive: [{ path: ['rollback'], why: 'rolls back the OS' }, { path: ['reset'], why: 'removes layered packages and overrides' }, { path: ['cleanup'], why: 'deletes deployments' }],
  },
  {
    // libvirt: listings and domain info read; destroy, undefine, shutdown, reboot, reset stop or remove guests.
    names: ['virsh'],
    options: { value: ['-c', '--connect'], flag: ['-r', '--readonly', '-q', '--quiet'] },
    read: ['list', 'dominfo', 'domstate', 'dumpxml', 'domblklist', 'domiflist', 'domblkinfo', 'domstats', 'domifaddr', 'dommemstat', 'domjobinfo', 'domcontrol', 'vcpuinfo', 'nodeinfo', 'version', 'capabilities', 'net-list', 'net-info', 'net-dumpxml', 'pool-list', 'pool-info', 'vol-list', 'vol-info', 'hostname', 'uri', 'sysinfo', 'nodememstats', 'nodecpustats', 'snapshot-list', 'snapshot-info', 'guestinfo', 'domfsinfo'].map((c) => ({ path: [c], options: { flag: ['--all', '--inactive', '--state-running', '--name', '--uuid', '--table', '--details', '--persistent', '--transient', '--security-info', '--inactive', '--pretty', '--tree'] } })),
    destructive: ['destroy', 'undefine', 'shutdown', 'reboot', 'reset', 'snapshot-delete', 'vol-delete', 'pool-destroy', 'pool-delete', 'net-destroy', 'net-undefine', 'managedsave-remove'].map((c) => ({ path: [c], why: 'stops or removes a guest or its storage' })),
  },
  {
    // CRI-O's status client.
    names: ['crio'],
    read: [{ path: ['status', 'config'] }, { path: ['status', 'info'] }, { path: ['status', 'containers'] }, { path: ['version'] }],
  },
];
