import type { ToolSpec } from './types.js';

// Consul, etcd, Vault, Nomad, Terraform, Helm.
const HTTP_OPTS = { pattern: ['^-(http-addr|ca-file|ca-path|client-cert|client-key|tls-server-name|token|token-file|datacenter|namespace|partition|stale|format|detailed|wan|segment|status|service|node|near|node-meta|tags|filter|recurse|keys|separator|output|address|region|address|field|format|mount|version|verbose|json|t|short|all-namespaces|self|self-links|tls-skip-verify|header|policy-override|non-interactive|log-level)(=.*)?$'], value: ['-http-addr', '-token', '-datacenter', '-format', '-address', '-region', '-namespace', '-field', '-mount', '-output', '-separator', '-filter', '-node', '-service', '-t', '-status', '-ca-file', '-client-cert', '-client-key', '-token-file'] };
const TF = { pattern: ['^-(no-color|input=false|json|raw|state=.*|var=.*|var-file=.*|lock=false|lock-timeout=.*|refresh=(true|false)|detailed-exitcode|compact-warnings|parallelism=\\d+|target=.*|module-depth=.*|id=.*|chdir=.*|refresh-only|destroy)$'] };
const HELM = { value: ['-n', '--namespace', '--kube-context', '--kubeconfig', '-o', '--output', '--revision', '--max', '-f', '--filter', '-l', '--selector', '--version', '--repo', '--time-format', '--template', '--offset'], flag: ['-A', '--all-namespaces', '-a', '--all', '-d', '--date', '-r', '--reverse', '--deployed', '--failed', '--pending', '--superseded', '--uninstalled', '--uninstalling', '--short', '-q', '--debug', '--show-desc', '--show-resources', '--no-headers', '-m', '--devel'] };

export const HASHICORP_TOOLS: readonly ToolSpec[] = [
  {
    names: ['consul'],
    options: HTTP_OPTS,
    read: [
      { path: ['kv', 'get'] }, { path: ['kv', 'export'] }, { path: ['catalog', 'services'] }, { path: ['catalog', 'nodes'] }, { path: ['catalog', 'datacenters'] },
      { path: ['members'] }, { path: ['info'] }, { path: ['version'] }, { path: ['operator', 'raft', 'list-peers'] }, { path: ['operator', 'autopilot', 'get-config'] },
      { path: ['operator', 'autopilot', 'state'] }, { path: ['acl', '*', 'list'] }, { path: ['acl', '*', 'read'] }, { path: ['intention', 'list'] }, { path: ['intention', 'get'] },
      { path: ['config', 'list'] }, { path: ['config', 'read'] }, { path: ['services', 'list'] }, { path: ['monitor'], endlessUnless: ['--never-endless'] }, { path: ['rtt'] },
    ],
    destructive: [{ path: ['kv', 'delete'], why: 'deletes keys' }, { path: ['leave'], why: 'removes the agent from the cluster' }, { path: ['force-leave'], why: 'removes a node from the cluster' }, { path: ['operator', 'raft', 'remove-peer'], why: 'removes a server' }, { path: ['services', 'deregister'], why: 'deregisters a service' }, { path: ['snapshot', 'restore'], why: 'overwrites cluster state' }],
  },
  {
    names: ['etcdctl'],
    options: { pattern: ['^--(endpoints|cacert|cert|key|user|password|dial-timeout|command-timeout|keepalive-time|keepalive-timeout|discovery-srv|discovery-srv-name|insecure-discovery|insecure-skip-tls-verify|insecure-transport|write-out|hex|debug|cluster)(=.*)?$', '^-w$'], value: ['-w', '--write-out', '--endpoints', '--cacert', '--cert', '--key', '--user', '--password'] },
    read: [
      { path: ['version'] }, { path: ['endpoint', 'health'], options: { flag: ['--cluster'] } }, { path: ['endpoint', 'status'], options: { flag: ['--cluster'] } }, { path: ['endpoint', 'hashkv'] },
      { path: ['member', 'list'] }, { path: ['alarm', 'list'] }, { path: ['user', 'list'] }, { path: ['role', 'list'] }, { path: ['auth', 'status'] },
      { path: ['get'], options: { flag: ['--prefix', '--keys-only', '--print-value-only', '--count-only', '--from-key', '--consistency=s', '--consistency=l'], pattern: ['^--(limit|rev|sort-by|order|consistency|max-create-rev|min-create-rev|max-mod-rev|min-mod-rev)=.*$'], value: ['--limit', '--rev', '--sort-by', '--order'] } },
      { path: ['watch'], endlessUnless: ['--never-endless'] },
    ],
    destructive: [{ path: ['del'], why: 'deletes keys' }, { path: ['member', 'remove'], why: 'removes a cluster member' }, { path: ['defrag'], why: 'rewrites the data files' }, { path: ['compaction'], why: 'discards history' }, { path: ['snapshot', 'restore'], why: 'overwrites data' }, { path: ['alarm', 'disarm'], why: 'clears alarms' }],
  },
  {
    // etcd's offline tool (etcd 3.5+): snapshot status reads the file; restore and defrag rewrite data.
    names: ['etcdutl'],
    options: { value: ['-w', '--write-out', '--data-dir'], pattern: ['^--(write-out|data-dir)=.*$'] },
    read: [{ path: ['snapshot', 'status'] }, { path: ['version'] }, { path: ['hashkv'] }],
    destructive: [{ path: ['snapshot', 'restore'], why: 'overwrites a data directory' }, { path: ['defrag'], why: 'rewrites the data files' }, { path: ['migrate'], why: 'rewrites the data files' }],
  },
  {
    names: ['vault'],
    options: HTTP_OPTS,
    read: [{ path: ['status'] }, { path: ['read'] }, { path: ['kv', 'get'] }, { path: ['kv', 'list'] }, { path: ['kv', 'metadata', 'get'] }, { path: ['list'] }, { path: ['version'] }, { path: ['token', 'lookup'] }, { path: ['secrets', 'list'] }, { path: ['auth', 'list'] }, { path: ['policy', 'list'] }, { path: ['policy', 'read'] }, { path: ['operator', 'raft', 'list-peers'] }, { path: ['audit', 'list'] }, { path: ['print', 'token'] }],
    destructive: [{ path: ['delete'], why: 'deletes secrets' }, { path: ['kv', 'delete'], why: 'deletes secrets' }, { path: ['kv', 'destroy'], why: 'destroys secret versions' }, { path: ['kv', 'metadata', 'delete'], why: 'deletes secrets' }, { path: ['operator', 'seal'], why: 'seals Vault' }, { path: ['secrets', 'disable'], why: 'removes a secrets engine' }, { path: ['token', 'revoke'], why: 'revokes tokens' }, { path: ['lease', 'revoke'], why: 'revokes leases' }, { path: ['operator', 'raft', 'remove-peer'], why: 'removes a server' }],
  },
  {
    names: ['nomad'],
    options: HTTP_OPTS,
    read: [{ path: ['status'] }, { path: ['job', 'status'] }, { path: ['job', 'inspect'] }, { path: ['job', 'history'] }, { path: ['job', 'plan'] }, { path: ['node', 'status'] }, { path: ['alloc', 'status'] }, { path: ['alloc', 'logs'], options: { flag: ['-stderr', '-tail'], value: ['-n', '-c', '-task'] }, endless: ['-f'] }, { path: ['server', 'members'] }, { path: ['version'] }, { path: ['eval', 'status'] }, { path: ['deployment', 'status'] }, { path: ['deployment', 'list'] }, { path: ['operator', 'raft', 'list-peers'] }],
    destructive: [{ path: ['job', 'stop'], why: 'stops a job' }, { path: ['stop'], why: 'stops a job' }, { path: ['alloc', 'stop'], why: 'stops an allocation' }, { path: ['alloc', 'restart'], why: 'restarts an allocation' }, { path: ['node', 'drain'], why: 'drains a node' }, { path: ['system', 'gc'], why: 'garbage-collects' }, { path: ['job', 'revert'], why: 'reverts a job' }],
  },
  {
    names: ['terraform', 'tofu'],
    options: TF,
    read: [{ path: ['show'] }, { path: ['output'] }, { path: ['validate'] }, { path: ['version'] }, { path: ['providers'], args: 'none' }, { path: ['providers', 'schema'], args: 'none', options: { pattern: ['^-json$'] } }, { path: ['graph'] }, { path: ['state', 'list'] }, { path: ['state', 'show'] }, { path: ['fmt'], requires: ['-check'], options: { pattern: ['^-(check|diff|recursive|list=.*)$'] } }],
    destructive: [{ path: ['destroy'], why: 'destroys infrastructure' }, { path: ['state', 'rm'], why: 'forgets resources' }, { path: ['apply'], withOption: ['-destroy'], why: 'destroys infrastructure' }, { path: ['plan'], withOption: ['-out'], why: '' }].filter((d) => d.why !== ''),
    // plan and refresh evaluate the configuration: `external` data sources run programs, providers run, the state lock is taken.
    write: [{ path: ['plan'], withOption: ['-out'], why: 'writes a plan file' }, { path: ['plan'], why: 'runs the configuration\'s data sources (external programs) and takes the state lock' }, { path: ['refresh'], why: 'updates the state' }],
  },
  {
    names: ['helm'],
    options: HELM,
    read: [{ path: ['list'] }, { path: ['ls'] }, { path: ['status'] }, { path: ['get', '*'] }, { path: ['history'] }, { path: ['show', '*'] }, { path: ['template'] }, { path: ['version'] }, { path: ['search', '*'] }, { path: ['lint'] }, { path: ['env'] }, { path: ['repo', 'list'] }, { path: ['plugin', 'list'] }, { path: ['dependency', 'list'] }],
    destructive: [{ path: ['rollback'], why: 'rolls back a release' }, { path: ['uninstall'], why: 'removes a release' }, { path: ['delete'], why: 'removes a release' }, { path: ['del'], why: 'removes a release' }, { path: ['un'], why: 'removes a release' }],
  },
];
