import type { ToolSpec } from './types.js';

// Redis and Ceph clients (SQL clients are decided by their SQL, in risk.ts).
const REDIS_READ = [
  'info', 'ping', 'role', 'get', 'mget', 'exists', 'ttl', 'pttl', 'type', 'strlen', 'llen', 'lrange', 'lindex', 'scard', 'smembers', 'sismember',
  'hget', 'hmget', 'hgetall', 'hlen', 'hkeys', 'hvals', 'hexists', 'zcard', 'zrange', 'zrevrange', 'zscore', 'zrank', 'zcount', 'zrangebyscore',
  'keys', 'scan', 'sscan', 'hscan', 'zscan', 'dbsize', 'time', 'lastsave', 'echo', 'xlen', 'xinfo', 'xrange', 'xpending', 'pfcount', 'getrange', 'bitcount',
  'object', 'randomkey', 'lolwut', 'command', 'dump',
];

export const DATA_STORE_TOOLS: readonly ToolSpec[] = [
  {
    names: ['redis-cli', 'valkey-cli', 'keydb-cli'],
    ignoreCase: true,
    options: { value: ['-h', '-p', '-a', '-n', '-u', '--user', '--pass', '--askpass', '-s', '--tls-ciphers', '--cacert', '--cacertdir', '--cert', '--key', '--sni', '-d', '-i', '-r'], flag: ['-c', '--tls', '--insecure', '--no-auth-warning', '--raw', '--no-raw', '--csv', '--json', '-e', '-3', '-2', '--verbose', '--quoted-json'] },
    read: [
      ...REDIS_READ.map((c) => ({ path: [c] })),
      { path: ['client', 'list'] }, { path: ['client', 'info'] }, { path: ['client', 'getname'] }, { path: ['config', 'get'] }, { path: ['slowlog', 'get'] }, { path: ['slowlog', 'len'] },
      { path: ['memory', 'usage'] }, { path: ['memory', 'stats'] }, { path: ['memory', 'doctor'] }, { path: ['latency', 'latest'] }, { path: ['latency', 'doctor'] }, { path: ['latency', 'history'] },
      { path: ['cluster', 'info'] }, { path: ['cluster', 'nodes'] }, { path: ['cluster', 'slots'] }, { path: ['cluster', 'shards'] }, { path: ['sentinel', 'masters'] }, { path: ['sentinel', 'master'] }, { path: ['sentinel', 'replicas'] }, { path: ['sentinel', 'get-master-addr-by-name'] }, { path: ['sentinel', 'slaves'] }, { path: ['sentinel', 'sentinels'] }, { path: ['sentinel', 'ckquorum'] }, { path: ['sentinel', 'info-cache'] }, { path: ['sentinel', 'myid'] },
      { path: ['acl', 'whoami'] }, { path: ['acl', 'list'] }, { path: ['module', 'list'] },
      { path: [], args: 'none', requires: ['--bigkeys', '--memkeys', '--hotkeys', '--scan', '--latency', '--latency-history', '--stat', '--intrinsic-latency', '--version', '-v'], options: { flag: ['--bigkeys', '--memkeys', '--hotkeys', '--scan', '--latency', '--latency-history', '--stat', '--intrinsic-latency', '--version', '-v'], value: ['--pattern', '--count'] }, endless: ['--latency', '--latency-history', '--stat', '--intrinsic-latency'] },
      { path: ['monitor'], endlessUnless: ['--never-endless'] },
      { path: ['subscribe'], endlessUnless: ['--never-endless'] },
    ],
    destructive: ['flushall', 'flushdb', 'del', 'unlink', 'shutdown', 'getdel', 'lpop', 'rpop', 'spop', 'zpopmin', 'zpopmax', 'srem', 'hdel', 'zrem', 'lrem', 'ltrim', 'xdel', 'xtrim', 'expire', 'pexpire', 'failover', 'replicaof', 'slaveof', 'swapdb', 'restore', 'migrate', 'move', 'rename'].map((c) => ({ path: [c], why: 'deletes or moves data' }))
      .concat([{ path: ['client', 'kill'], why: 'disconnects clients' }, { path: ['cluster', 'reset'], why: 'resets the cluster' }, { path: ['cluster', 'forget'], why: 'removes a node' }, { path: ['cluster', 'failover'], why: 'fails over' }, { path: ['sentinel', 'failover'], why: 'fails over' }, { path: ['sentinel', 'remove'], why: 'stops monitoring a master' }, { path: ['sentinel', 'reset'], why: 'resets masters' }, { path: ['script', 'flush'], why: 'deletes scripts' }, { path: ['function', 'flush'], why: 'deletes functions' }, { path: ['debug', '*'], why: 'can crash or change the server' }]),
  },
  {
    names: ['ceph'],
    options: { value: ['-f', '--format', '-c', '--conf', '--cluster', '-n', '--name', '--id', '-i', '-k', '--keyring', '-m', '--connect-timeout'], flag: ['--verbose'] },
    read: [
      { path: [], args: 'none', requires: ['-s', '--status', '-v', '--version', '-w', '--watch'], options: { flag: ['-s', '--status', '-v', '--version'] }, endless: ['-w', '--watch'] },
      ...[['status'], ['health'], ['health', 'detail'], ['df'], ['df', 'detail'], ['versions'], ['version'], ['quorum_status'], ['report'], ['osd', 'tree'], ['osd', 'df'], ['osd', 'stat'], ['osd', 'dump'], ['osd', 'ls'], ['osd', 'pool', 'ls'], ['osd', 'pool', 'stats'], ['osd', 'pool', 'get'], ['osd', 'perf'], ['osd', 'blocked-by'], ['osd', 'find'], ['osd', 'metadata'], ['osd', 'crush', 'tree'], ['osd', 'crush', 'rule', 'ls'], ['osd', 'utilization'], ['mon', 'stat'], ['mon', 'dump'], ['pg', 'stat'], ['pg', 'dump'], ['pg', 'dump_stuck'], ['pg', 'ls'], ['pg', 'ls-by-pool'], ['pg', 'query'], ['fs', 'status'], ['fs', 'ls'], ['fs', 'dump'], ['mds', 'stat'], ['mgr', 'services'], ['mgr', 'stat'], ['mgr', 'module', 'ls'], ['orch', 'ps'], ['orch', 'ls'], ['orch', 'host', 'ls'], ['orch', 'device', 'ls'], ['orch', 'status'], ['crash', 'ls'], ['crash', 'info'], ['auth', 'ls'], ['auth', 'get'], ['config', 'dump'], ['config', 'get'], ['config', 'show'], ['features'], ['time-sync-status'], ['balancer', 'status'], ['progress'], ['osd', 'status'], ['osd', 'pool', 'autoscale-status'], ['osd', 'pool', 'ls'], ['mon', 'versions'], ['osd', 'versions'], ['health', 'mute', 'ls'], ['daemon', '*', 'dump_*'], ['daemon', '*', 'ops'], ['daemon', '*', 'status'], ['daemon', '*', 'perf', 'dump'], ['daemon', '*', 'config', 'show'], ['daemon', '*', 'config', 'get'], ['daemon', '*', 'session', 'ls'], ['daemon', '*', 'objecter_requests'], ['tell', '*', 'version'], ['fs', 'subvolume', 'ls'], ['fs', 'subvolume', 'info'], ['fs', 'subvolumegroup', 'ls']].map((path) => ({ path })),
    ],
    destructive: [['osd', 'out'], ['osd', 'down'], ['osd', 'rm'], ['osd', 'purge'], ['osd', 'destroy'], ['osd', 'pool', 'delete'], ['osd', 'pool', 'rm'], ['osd', 'crush', 'remove'], ['osd', 'crush', 'rm'], ['fs', 'rm'], ['fs', 'fail'], ['mon', 'remove'], ['mon', 'rm'], ['auth', 'del'], ['auth', 'rm'], ['orch', 'rm'], ['orch', 'host', 'rm'], ['orch', 'daemon', 'rm'], ['mds', 'fail'], ['pg', 'repair'], ['crash', 'archive-all']].map((path) => ({ path, why: 'removes or takes down cluster data or daemons' })),
  },
  {
    // Patroni (GitLab ships it as gitlab-patronictl): list, topology, history read; failover,
    // switchover, restart, reinit and remove are destructive; pause/resume/edit-config write.
    names: ['patronictl', 'gitlab-patronictl'],
    options: { value: ['-c', '--config-file', '-d', '--dcs-url', '--dcs', '-k', '--insecure'] },
    read: [
      { path: ['list'], options: { value: ['-f', '--format', '-w', '--watch'], flag: ['-e', '--extended', '-t', '--timestamp'] }, endless: ['-W', '-w', '--watch'] },
      { path: ['topology'], options: { value: ['-f', '--format', '-w', '--watch'], flag: ['-e', '--extended', '-t', '--timestamp'] }, endless: ['-W', '-w', '--watch'] },
      { path: ['history'], options: { value: ['-f', '--format'] } },
      { path: ['show-config'] }, { path: ['version'] }, { path: ['dsn'], options: { value: ['-r', '--role', '-m', '--member'] } },
    ],
    destructive: ['failover', 'switchover', 'restart', 'reinit', 'remove', 'flush'].map((c) => ({ path: [c], why: 'fails over, restarts, rebuilds or removes database members' })),
  },
  {
    // pg_ctl: status reads; stop, restart and kill are destructive; start, reload, promote write.
    names: ['pg_ctl', 'pg_ctlcluster'],
    options: { value: ['-D', '--pgdata', '-m', '--mode', '-t', '--timeout'], flag: ['-s', '--silent', '-w', '--wait', '-W', '--no-wait'] },
    read: [{ path: ['status'] }, { path: ['*', '*', 'status'] }],
    destructive: [{ path: ['stop'], why: 'stops PostgreSQL' }, { path: ['restart'], why: 'restarts PostgreSQL' }, { path: ['kill'], why: 'signals PostgreSQL' }, { path: ['*', '*', 'stop'], why: 'stops PostgreSQL' }, { path: ['*', '*', 'restart'], why: 'restarts PostgreSQL' }],
  },
  {
    // WAL-G backups: listing and verification read; delete is destructive; push/fetch write.
    names: ['wal-g', 'wal-e'],
    options: { flag: ['--json', '--detail', '--pretty'] },
    read: [{ path: ['backup-list'] }, { path: ['wal-show'] }, { path: ['wal-verify', '*'] }, { path: ['st', 'ls'] }, { path: ['st', 'check', '*'] }, { path: ['version'] }],
    destructive: [{ path: ['delete'], why: 'deletes backups' }, { path: ['st', 'rm'], why: 'deletes storage objects' }, { path: ['backup-fetch'], why: 'overwrites a data directory' }],
  },
  {
    // RabbitMQ: list_*, status and health checks read; purging, deleting, stopping, resetting destroy.
    names: ['rabbitmqctl', 'rabbitmq-diagnostics', 'rabbitmq-queues', 'rabbitmq-plugins'],
    options: { value: ['-n', '--node', '-p', '--vhost', '-t', '--timeout', '--formatter', '-l', '--longnames'], flag: ['-q', '--quiet', '-s', '--silent', '--no-table-headers', '--online', '--offline', '--enabled', '--minimal', '-E', '-e', '--verbose'] },
    read: [
      { path: ['list_*'] }, { path: ['list'] }, { path: ['status'] }, { path: ['cluster_status'] }, { path: ['environment'] }, { path: ['report'] }, { path: ['node_health_check'] },
      { path: ['check_*'] }, { path: ['ping'] }, { path: ['alarms'] }, { path: ['listeners'] }, { path: ['memory_breakdown'] }, { path: ['server_version'] }, { path: ['quorum_status'] }, { path: ['observer_status'] }, { path: ['is_running'] }, { path: ['version'] },
    ],
    destructive: ['purge_queue', 'delete_*', 'stop_app', 'stop', 'shutdown', 'reset', 'force_reset', 'forget_cluster_node', 'close_connection', 'close_all_connections', 'clear_*', 'eval'].map((c) => ({ path: [c], why: 'deletes messages, objects or cluster membership, or stops the node' })),
  },
  {
    // Kafka's admin scripts: --describe/--list read; --delete is destructive; --create/--alter/--reset-offsets write.
    names: ['kafka-topics', 'kafka-topics.sh', 'kafka-consumer-groups', 'kafka-consumer-groups.sh', 'kafka-configs', 'kafka-configs.sh'],
    options: {
      value: ['--bootstrap-server', '--zookeeper', '--topic', '--group', '--command-config', '--entity-type', '--entity-name', '--timeout', '--partitions', '--replication-factor'],
      flag: ['--exclude-internal', '--under-replicated-partitions', '--unavailable-partitions', '--under-min-isr-partitions', '--at-min-isr-partitions', '--topics-with-overrides', '--if-exists', '--members', '--offsets', '--state', '--verbose', '--all-groups', '--all-topics'],
    },
    read: [{ path: [], args: 'none', requires: ['--describe', '--list'], options: { flag: ['--describe', '--list'] } }],
    destructive: [{ path: [], withOption: ['--delete', '--delete-offsets'], why: 'deletes topics, groups or offsets' }],
  },
  {
    // Cassandra's nodetool: status and statistics read; decommission, removenode, drain, stop destroy.
    names: ['nodetool'],
    options: { value: ['-h', '--host', '-p', '--port', '-u', '--username', '-pw', '--password', '-pwf', '--password-file'], flag: ['-r', '--resolve-ip', '-H', '--human-readable'] },
    read: ['status', 'info', 'ring', 'tpstats', 'tablestats', 'cfstats', 'compactionstats', 'netstats', 'describecluster', 'gossipinfo', 'proxyhistograms', 'tablehistograms', 'cfhistograms', 'version', 'getcompactionthroughput', 'getstreamthroughput', 'statusgossip', 'statusbinary', 'statusbackup', 'statushandoff', 'listsnapshots', 'describering', 'getendpoints', 'gcstats', 'clientstats', 'toppartitions'].map((c) => ({ path: [c] })),
    destructive: ['decommission', 'removenode', 'drain', 'stopdaemon', 'clearsnapshot', 'truncatehints', 'assassinate', 'disablegossip', 'disablebinary', 'stop'].map((c) => ({ path: [c], why: 'removes a node, stops it or deletes data' })),
  },
  {
    // MinIO client: listing, stat, du, cat read; rm and rb delete.
    names: ['mc', 'mcli'],
    options: { value: ['--config-dir', '-C'], flag: ['--json', '--no-color', '-q', '--quiet', '--insecure', '--debug'] },
    read: [
      { path: ['ls'], options: { flag: ['-r', '--recursive', '--versions', '--incomplete', '-I'], value: ['--rewind'] } }, { path: ['stat'], options: { flag: ['-r', '--recursive'] } }, { path: ['du'], options: { flag: ['-r', '--recursive'], value: ['-d', '--depth'] } },
      { path: ['cat'] }, { path: ['head'], options: { value: ['-n', '--lines'] } }, { path: ['tree'], options: { flag: ['-f', '--files'], value: ['-d', '--depth'] } }, { path: ['find'], options: { value: ['--name', '--path', '--regex', '--older-than', '--newer-than', '--larger', '--smaller', '--maxdepth'] } },
      { path: ['admin', 'info'] }, { path: ['alias', 'list'] }, { path: ['alias', 'ls'] }, { path: ['version', 'info'] }, { path: ['ping'], options: { value: ['-c', '--count'] }, endlessUnless: ['-c', '--count'] },
    ],
    destructive: [{ path: ['rm'], why: 'deletes objects' }, { path: ['rb'], why: 'removes a bucket' }, { path: ['mirror'], withOption: ['--remove'], why: 'deletes objects missing from the source' }, { path: ['admin', 'service', 'restart'], why: 'restarts MinIO' }, { path: ['admin', 'service', 'stop'], why: 'stops MinIO' }],
  },
  {
    // RADOS and RBD (Ceph) listings; removing objects, images or snapshots destroys data.
    names: ['rados'],
    options: { value: ['-p', '--pool', '-c', '--conf', '--id', '-n', '--name', '-k', '--keyring', '-f', '--format', '--cluster'], flag: ['--pretty-format'] },
    read: [{ path: ['df'] }, { path: ['lspools'] }, { path: ['ls'] }, { path: ['stat'] }, { path: ['listxattr'] }, { path: ['getxattr'] }, { path: ['list-inconsistent-pg'] }, { path: ['list-inconsistent-obj'] }, { path: ['listomapkeys'] }, { path: ['listwatchers'] }],
    destructive: [{ path: ['rm'], why: 'deletes objects' }, { path: ['purge'], why: 'deletes every object in a pool' }, { path: ['cleanup'], why: 'deletes objects' }, { path: ['rmpool'], why: 'deletes a pool' }],
  },
  {
    names: ['rbd'],
    options: { value: ['-p', '--pool', '--namespace', '--image', '-c', '--conf', '--id', '-n', '--name', '-k', '--keyring', '--format', '--cluster'], flag: ['-l', '--long', '--pretty-format', '--all'] },
    read: [{ path: ['ls'] }, { path: ['list'] }, { path: ['info'] }, { path: ['status'] }, { path: ['du'] }, { path: ['disk-usage'] }, { path: ['children'] }, { path: ['snap', 'ls'] }, { path: ['snap', 'list'] }, { path: ['mirror', 'image', 'status'] }, { path: ['mirror', 'pool', 'status'], options: { flag: ['--verbose'] } }, { path: ['mirror', 'pool', 'info'] }, { path: ['trash', 'ls'] }, { path: ['showmapped'] }, { path: ['device', 'list'] }, { path: ['pool', 'stats'] }, { path: ['perf', 'image', 'iostat'], endlessUnless: ['--never-endless'] }],
    destructive: [{ path: ['rm'], why: 'deletes an image' }, { path: ['remove'], why: 'deletes an image' }, { path: ['snap', 'rm'], why: 'deletes a snapshot' }, { path: ['snap', 'purge'], why: 'deletes every snapshot' }, { path: ['trash', 'rm'], why: 'deletes an image' }, { path: ['trash', 'purge'], why: 'deletes images' }, { path: ['resize'], withOption: ['--allow-shrink'], why: 'shrinks an image' }, { path: ['mirror', 'image', 'demote'], why: 'demotes an image' }],
  },
  {
    // ODF's odf CLI: listings read; delete destroys.
    names: ['odf'],
    options: { value: ['-n', '--namespace', '--operator-namespace', '--context', '--kubeconfig', '--storage-client'], flag: ['--orphaned', '--stale'] },
    read: [{ path: ['*', 'ls'] }, { path: ['get', '*'] }, { path: ['ceph', 'status'] }, { path: ['ceph', 'health'] }, { path: ['ceph', 'osd', 'tree'] }, { path: ['ceph', 'df'] }],
    destructive: [{ path: ['*', 'delete'], why: 'deletes subvolumes or snapshots' }, { path: ['purge-osd'], why: 'removes an OSD' }, { path: ['restore', '*'], why: 'restores deleted resources' }],
  },
];
