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
      { path: ['cluster', 'info'] }, { path: ['cluster', 'nodes'] }, { path: ['cluster', 'slots'] }, { path: ['cluster', 'shards'] }, { path: ['sentinel', 'masters'] }, { path: ['sentinel', 'master'] }, { path: ['sentinel', 'replicas'] }, { path: ['sentinel', 'get-master-addr-by-name'] },
      { path: ['acl', 'whoami'] }, { path: ['acl', 'list'] }, { path: ['module', 'list'] },
      { path: [], args: 'none', requires: ['--bigkeys', '--memkeys', '--hotkeys', '--scan', '--latency', '--latency-history', '--stat', '--intrinsic-latency', '--version', '-v'], options: { flag: ['--bigkeys', '--memkeys', '--hotkeys', '--scan', '--latency', '--latency-history', '--stat', '--intrinsic-latency', '--version', '-v'], value: ['--pattern', '--count'] }, endless: ['--latency', '--latency-history', '--stat', '--intrinsic-latency'] },
      { path: ['monitor'], endlessUnless: ['--never-endless'] },
      { path: ['subscribe'], endlessUnless: ['--never-endless'] },
    ],
    destructive: ['flushall', 'flushdb', 'del', 'unlink', 'shutdown', 'getdel', 'lpop', 'rpop', 'spop', 'zpopmin', 'zpopmax', 'srem', 'hdel', 'zrem', 'lrem', 'ltrim', 'xdel', 'xtrim', 'expire', 'pexpire', 'failover', 'replicaof', 'slaveof', 'swapdb', 'restore', 'migrate', 'move', 'rename'].map((c) => ({ path: [c], why: 'deletes or moves data' }))
      .concat([{ path: ['client', 'kill'], why: 'disconnects clients' }, { path: ['cluster', 'reset'], why: 'resets the cluster' }, { path: ['cluster', 'forget'], why: 'removes a node' }, { path: ['cluster', 'failover'], why: 'fails over' }, { path: ['script', 'flush'], why: 'deletes scripts' }, { path: ['function', 'flush'], why: 'deletes functions' }, { path: ['debug', '*'], why: 'can crash or change the server' }]),
  },
  {
    names: ['ceph'],
    options: { value: ['-f', '--format', '-c', '--conf', '--cluster', '-n', '--name', '--id', '-i', '-k', '--keyring', '-m', '--connect-timeout'], flag: ['--verbose'] },
    read: [
      { path: [], args: 'none', requires: ['-s', '--status', '-v', '--version', '-w', '--watch'], options: { flag: ['-s', '--status', '-v', '--version'] }, endless: ['-w', '--watch'] },
      ...[['status'], ['health'], ['health', 'detail'], ['df'], ['df', 'detail'], ['versions'], ['version'], ['quorum_status'], ['report'], ['osd', 'tree'], ['osd', 'df'], ['osd', 'stat'], ['osd', 'dump'], ['osd', 'ls'], ['osd', 'pool', 'ls'], ['osd', 'pool', 'stats'], ['osd', 'pool', 'get'], ['osd', 'perf'], ['osd', 'blocked-by'], ['osd', 'find'], ['osd', 'metadata'], ['osd', 'crush', 'tree'], ['osd', 'crush', 'rule', 'ls'], ['osd', 'utilization'], ['mon', 'stat'], ['mon', 'dump'], ['pg', 'stat'], ['pg', 'dump'], ['pg', 'dump_stuck'], ['pg', 'ls'], ['pg', 'ls-by-pool'], ['pg', 'query'], ['fs', 'status'], ['fs', 'ls'], ['fs', 'dump'], ['mds', 'stat'], ['mgr', 'services'], ['mgr', 'stat'], ['mgr', 'module', 'ls'], ['orch', 'ps'], ['orch', 'ls'], ['orch', 'host', 'ls'], ['orch', 'device', 'ls'], ['orch', 'status'], ['crash', 'ls'], ['crash', 'info'], ['auth', 'ls'], ['auth', 'get'], ['config', 'dump'], ['config', 'get'], ['config', 'show'], ['features'], ['time-sync-status'], ['balancer', 'status'], ['progress']].map((path) => ({ path })),
    ],
    destructive: [['osd', 'out'], ['osd', 'down'], ['osd', 'rm'], ['osd', 'purge'], ['osd', 'destroy'], ['osd', 'pool', 'delete'], ['osd', 'pool', 'rm'], ['osd', 'crush', 'remove'], ['osd', 'crush', 'rm'], ['fs', 'rm'], ['fs', 'fail'], ['mon', 'remove'], ['mon', 'rm'], ['auth', 'del'], ['auth', 'rm'], ['orch', 'rm'], ['orch', 'host', 'rm'], ['orch', 'daemon', 'rm'], ['mds', 'fail'], ['pg', 'repair'], ['crash', 'archive-all']].map((path) => ({ path, why: 'removes or takes down cluster data or daemons' })),
  },
];
