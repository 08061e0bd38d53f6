import type { ToolSpec } from './types.js';

// kubectl and oc (OpenShift's kubectl): the observing subcommands with their flags.
const GLOBAL = {
  value: [
    '-n', '--namespace', '--context', '--kubeconfig', '--cluster', '--user', '-s', '--server', '--token', '--as', '--as-group',
    '--as-uid', '--request-timeout', '--certificate-authority', '--client-certificate', '--client-key', '--tls-server-name',
    '-v', '--v', '--username', '--password', '--vmodule', '--log-flush-frequency',
  ],
  flag: ['--insecure-skip-tls-verify', '--match-server-version', '--warnings-as-errors', '--disable-compression', '--logtostderr', '--alsologtostderr'],
  pattern: ['^-v\\d$', '^--v=\\d+$'],
};
const OUTPUT = { value: ['-o', '--output', '--template', '--sort-by', '-l', '--selector', '--field-selector', '-L', '--label-columns', '--chunk-size', '--subresource', '-f', '--filename', '-k', '--kustomize', '--raw'], flag: ['-A', '--all-namespaces', '--no-headers', '--show-labels', '--show-kind', '--ignore-not-found', '-R', '--recursive', '--server-print', '--output-watch-events', '--show-managed-fields', '--allow-missing-template-keys', '--use-openapi-print-columns'] };
const LOGS = { value: ['-c', '--container', '--since', '--since-time', '--tail', '-l', '--selector', '--max-log-requests', '--limit-bytes', '--pod-running-timeout'], flag: ['--all-containers', '-p', '--previous', '--timestamps', '--prefix', '--ignore-errors', '--insecure-skip-tls-verify-backend', '--all-pods'] };
const WATCH = ['-w', '--watch', '--watch-only'];

const forms = [
  { path: ['get'], options: OUTPUT, endless: WATCH },
  { path: ['describe'], options: { value: ['-l', '--selector', '-f', '--filename', '-k', '--kustomize', '--chunk-size', '--show-events'], flag: ['-A', '--all-namespaces', '--show-events', '-R', '--recursive'] } },
  { path: ['logs'], options: LOGS, endless: ['-f', '--follow'] },
  { path: ['top'], options: { value: ['-l', '--selector', '--sort-by', '--field-selector'], flag: ['--containers', '-A', '--all-namespaces', '--no-headers', '--use-protocol-buffers', '--show-capacity', '--sum'] } },
  { path: ['explain'], options: { value: ['--api-version', '--output', '-o'], flag: ['--recursive'] } },
  { path: ['api-resources'], options: { value: ['-o', '--output', '--api-group', '--verbs', '--sort-by', '--categories'], flag: ['--namespaced', '--cached', '--no-headers'] }, args: 'none' as const },
  { path: ['api-versions'], args: 'none' as const },
  { path: ['version'], options: { value: ['-o', '--output'], flag: ['--client', '--short'] }, args: 'none' as const },
  { path: ['cluster-info'], args: 'none' as const },
  { path: ['cluster-info', 'dump'], options: { value: ['-o', '--output', '--namespaces'], flag: ['-A', '--all-namespaces'] }, args: 'none' as const },
  { path: ['config', 'view'], options: { value: ['-o', '--output', '--template'], flag: ['--raw', '--minify', '--flatten', '--merge'] }, args: 'none' as const },
  { path: ['config', 'get-contexts'], options: { value: ['-o', '--output'], flag: ['--no-headers'] } },
  { path: ['config', 'current-context'], args: 'none' as const },
  { path: ['config', 'get-clusters'], args: 'none' as const },
  { path: ['config', 'get-users'], args: 'none' as const },
  { path: ['auth', 'can-i'], options: { value: ['--subresource'], flag: ['--list', '-A', '--all-namespaces', '-q', '--quiet', '--no-headers'] } },
  { path: ['auth', 'whoami'], options: { value: ['-o', '--output'] } },
  { path: ['rollout', 'status'], options: { value: ['--timeout', '--revision', '-l', '--selector', '-f', '--filename'], flag: ['-w', '--watch', '-R', '--recursive'] } },
  { path: ['rollout', 'history'], options: { value: ['--revision', '-o', '--output', '-l', '--selector', '-f', '--filename'], flag: ['-R', '--recursive'] } },
  { path: ['events'], options: { value: ['-o', '--output', '--for', '--types', '--chunk-size'], flag: ['-A', '--all-namespaces', '--no-headers'] }, endless: WATCH },
  { path: ['wait'], options: { value: ['--for', '--timeout', '-l', '--selector', '-f', '--filename', '--field-selector'], flag: ['--all', '-A', '--all-namespaces'] } },
  { path: ['diff'], options: { value: ['-f', '--filename', '-k', '--kustomize', '-l', '--selector', '--field-manager', '--concurrency'], flag: ['-R', '--recursive', '--server-side', '--force-conflicts'] } },
  { path: ['exec'], options: { value: ['-c', '--container', '--pod-running-timeout'], flag: ['-i', '--stdin', '-t', '--tty', '-q', '--quiet'] }, runs: { after: '--' as const } },
  // Builds and prints; --enable-helm / --enable-alpha-plugins / --enable-exec would run programs.
  { path: ['kustomize'], options: { flag: ['--load-restrictor=LoadRestrictionsRootOnly'] }, args: 1 },
  { path: ['plugin', 'list'], options: { flag: ['--name-only'] }, args: 'none' as const },
  { path: ['help'] },
  { path: ['options'], args: 'none' as const },
  { path: ['completion', '*'], args: 'none' as const },
];

const destructive = [
  { path: ['delete'], why: 'deletes resources' },
  { path: ['drain'], why: 'evicts every pod from a node' },
  { path: ['scale'], why: 'changes the replica count' },
  { path: ['rollout', 'restart'], why: 'restarts every pod' },
  { path: ['rollout', 'undo'], why: 'rolls back a deployment' },
  { path: ['replace'], withOption: ['--force'], why: 'deletes and recreates resources' },
  { path: ['apply'], withOption: ['--prune'], why: 'deletes resources missing from the files' },
  { path: ['adm', 'drain'], why: 'evicts every pod from a node' },
  { path: ['adm', 'prune'], why: 'deletes resources' },
  { path: ['autoscale'], why: 'changes the replica count' },
];

// Forms that create a pod and run a command in it: write, or what the command is when that is worse.
const write = [
  { path: ['debug'], why: 'creates a debug pod or container', runs: { after: '--' as const } },
  { path: ['run'], why: 'creates a pod', runs: { after: '--' as const } },
];

export const KUBERNETES_TOOLS: readonly ToolSpec[] = [
  { names: ['kubectl', 'k', 'microk8s.kubectl', 'k3s-kubectl'], options: GLOBAL, read: forms, destructive, write },
  {
    names: ['oc'],
    options: GLOBAL,
    read: [
      ...forms,
      { path: ['adm', 'top'], options: forms[3]!.options },
      { path: ['whoami'], options: { flag: ['-t', '--show-token', '--show-context', '--show-server', '--show-console'] }, args: 'none' },
      { path: ['project'], options: { flag: ['-q', '--short'] }, args: 'none' },
      { path: ['projects'], options: { flag: ['-q', '--short'] }, args: 'none' },
      { path: ['status'], options: { flag: ['--suggest', '-A', '--all-namespaces'], value: ['-o', '--output'] }, args: 'none' },
      // `oc rsh POD CMD...` runs CMD in the pod; without CMD it is an interactive shell (write).
      { path: ['rsh'], options: { value: ['-c', '--container', '--pod-running-timeout'], flag: ['-T', '--no-tty', '-t', '--tty', '-q', '--quiet'] }, runs: { afterArgs: 1 } },
      { path: ['sa', 'get-token'] }, { path: ['serviceaccounts', 'get-token'] },
      // `oc extract RESOURCE --to=-` prints the keys; to a directory it writes files.
      { path: ['extract'], requires: ['--to'], options: { value: ['--keys'], pattern: ['^--to=-$'] } },
      { path: ['adm', 'policy', 'who-can'], options: { flag: ['-A', '--all-namespaces'], value: ['-o', '--output'] } },
      { path: ['adm', 'release', 'info'], options: { flag: ['--commits', '--pullspecs', '--size', '--verify', '--show-log'], value: ['-o', '--output', '--image-for', '-a', '--registry-config'] } },
      { path: ['image', 'info'], options: { flag: ['--show-multiarch'], value: ['-o', '--output', '--filter-by-os', '-a', '--registry-config'] } },
      { path: ['get-token'], args: 'none' },
      // `oc adm upgrade` alone prints the cluster's update status; `--to`, `channel`... change it.
      { path: ['adm', 'upgrade'], options: { flag: ['--include-not-recommended'] }, args: 'none' },
      { path: ['adm', 'node-logs'], options: { value: ['-u', '--unit', '--path', '--since', '--until', '--tail', '-g', '--grep', '--role', '-l', '--selector', '-o'], flag: ['--raw', '--boot', '--case-sensitive'] } },
    ],
    destructive: [...destructive, { path: ['adm', 'reboot-machine-config-pool'], why: 'reboots nodes' }, { path: ['adm', 'policy', 'remove-*'], why: 'removes access' }, { path: ['rollout', 'latest'], why: 'redeploys every pod' }, { path: ['rollout', 'retry'], why: 'redeploys every pod' }],
    write: [...write, { path: ['adm', 'must-gather'], why: 'writes a must-gather directory' }, { path: ['adm', 'inspect'], why: 'writes an inspect directory' }],
  },
  {
    // kubeadm: certificate and upgrade checks print; reset wipes the node.
    names: ['kubeadm'],
    options: { value: ['--kubeconfig', '--config', '--rootfs', '-v', '--v'], pattern: ['^-v\\d$', '^--v=\\d+$'] },
    read: [
      { path: ['certs', 'check-expiration'], options: { value: ['--cert-dir', '-o', '--output'] } },
      { path: ['upgrade', 'plan'], options: { value: ['-o', '--output', '--feature-gates', '--ignore-preflight-errors'], flag: ['--allow-experimental-upgrades', '--allow-release-candidate-upgrades', '--print-config', '--show-managed-fields'] } },
      { path: ['version'], options: { value: ['-o', '--output'] } },
      { path: ['token', 'list'], options: { value: ['-o', '--output'] } },
      { path: ['config', 'images', 'list'], options: { value: ['--kubernetes-version', '-o', '--output'] } },
      { path: ['config', 'print', '*'] },
    ],
    destructive: [{ path: ['reset'], why: 'wipes the node\'s Kubernetes state' }, { path: ['token', 'delete'], why: 'deletes bootstrap tokens' }],
  },
  {
    // Velero backups: listing and describing read; deleting and restoring are destructive.
    names: ['velero'],
    options: { value: ['-n', '--namespace', '--kubeconfig', '--kubecontext', '-o', '--output', '-l', '--selector'], flag: ['--insecureskiptlsverify', '--details', '--show-labels'], pattern: ['^--cacert=.*$'] },
    read: [
      ...['backup', 'restore', 'schedule', 'backup-location', 'snapshot-location', 'plugin', 'repo', 'restic repo'].map((o) => ({ path: [...o.split(' '), 'get'] })),
      { path: ['get', '*'] },
      { path: ['backup', 'describe'] }, { path: ['restore', 'describe'] }, { path: ['schedule', 'describe'] },
      { path: ['backup', 'logs'] }, { path: ['restore', 'logs'] },
      { path: ['version'], options: { flag: ['--client-only'] } },
    ],
    destructive: [{ path: ['*', 'delete'], why: 'deletes backups, restores or schedules' }, { path: ['delete', '*'], why: 'deletes backups, restores or schedules' }, { path: ['restore', 'create'], why: 'restores resources from a backup' }, { path: ['create', 'restore'], why: 'restores resources from a backup' }],
  },
  {
    // Argo CD: app, cluster and repo inspection; sync writes, delete and rollback are destructive.
    names: ['argocd'],
    options: { value: ['--server', '--auth-token', '--grpc-web-root-path', '--config', '-o', '--output', '--port-forward-namespace', '--kube-context', '--loglevel', '--logformat', '--header', '-H'], flag: ['--grpc-web', '--insecure', '--plaintext', '--core', '--port-forward'] },
    read: [
      { path: ['app', 'get'], options: { value: ['--show-params', '-N', '--app-namespace'], flag: ['--show-operation', '--show-params'] } },
      { path: ['app', 'list'], options: { value: ['-l', '--selector', '-p', '--project', '-r', '--repo', '-N', '--app-namespace', '--cluster'] } },
      { path: ['app', 'history'] }, { path: ['app', 'resources'] }, { path: ['app', 'manifests'], options: { value: ['--revision', '--source'] } },
      { path: ['app', 'diff'], options: { value: ['--revision'], flag: ['--exit-code', '--refresh', '--hard-refresh', '--server-side-generate'] } },
      { path: ['app', 'logs'], options: { value: ['-c', '--container', '--group', '--kind', '--name', '--namespace', '--since-seconds', '--tail', '--filter'], flag: ['-p', '--previous'] }, endless: ['-f', '--follow'] },
      { path: ['cluster', 'list'] }, { path: ['cluster', 'get'] }, { path: ['repo', 'list'] }, { path: ['repo', 'get'] }, { path: ['proj', 'list'] }, { path: ['proj', 'get'] },
      { path: ['account', 'get-user-info'] }, { path: ['version'], options: { flag: ['--client', '--short'] } }, { path: ['context'], args: 'none' },
    ],
    destructive: [{ path: ['app', 'delete'], why: 'deletes an application and its resources' }, { path: ['app', 'rollback'], why: 'rolls back an application' }, { path: ['app', 'terminate-op'], why: 'aborts a running sync' }, { path: ['*', 'rm'], why: 'removes a cluster, repo or project' }, { path: ['*', 'delete'], why: 'deletes Argo CD objects' }],
  },
  {
    // Istio: proxy status and config dumps, analysis.
    names: ['istioctl'],
    options: { value: ['-n', '--namespace', '-i', '--istioNamespace', '--context', '--kubeconfig', '-c', '-o', '--output', '--revision', '-r', '--vklog'], flag: ['-A', '--all-namespaces'] },
    read: [
      { path: ['proxy-status'] }, { path: ['ps'] }, { path: ['proxy-config', '*'], options: { value: ['--fqdn', '--port', '--direction', '--subset', '--address', '--type', '--name', '--file', '--proxy-admin-port'], flag: ['--verbose'] } }, { path: ['pc', '*'], options: { value: ['--fqdn', '--port', '--direction', '--subset', '--address', '--type', '--name', '--file', '--proxy-admin-port'], flag: ['--verbose'] } },
      { path: ['analyze'], options: { value: ['--output-threshold', '--failure-threshold', '--suppress', '-S'], flag: ['--list-analyzers', '-L', '--color', '--use-kube', '--recursive', '-R', '--timeout'] } },
      { path: ['version'], options: { flag: ['--remote', '--short', '-s'] } }, { path: ['verify-install'] }, { path: ['x', 'describe', '*'] }, { path: ['x', 'precheck'] }, { path: ['x', 'authz', 'check'] },
    ],
    destructive: [{ path: ['uninstall'], why: 'removes Istio' }, { path: ['x', 'uninstall'], why: 'removes Istio' }],
  },
  {
    names: ['linkerd'],
    options: { value: ['-n', '--namespace', '--context', '--kubeconfig', '-L', '--linkerd-namespace', '-o', '--output'], flag: ['--verbose'] },
    read: [{ path: ['check'], options: { flag: ['--pre', '--proxy', '--crds'], value: ['--wait'] } }, { path: ['version'], options: { flag: ['--client', '--short', '--proxy'] } }, { path: ['viz', 'stat'], options: { value: ['--from', '--to', '-t', '--time-window'], flag: ['-A', '--all-namespaces'] } }, { path: ['viz', 'check'] }, { path: ['viz', 'edges'] }, { path: ['diagnostics', 'proxy-metrics'] }, { path: ['viz', 'top'], endlessUnless: ['--never-endless'] }, { path: ['viz', 'tap'], endlessUnless: ['--never-endless'] }],
    destructive: [{ path: ['uninstall'], why: 'removes Linkerd' }, { path: ['viz', 'uninstall'], why: 'removes Linkerd viz' }],
  },
  {
    // KubeVirt's virtctl: stopping or restarting a VM is destructive; consoles are interactive (write).
    names: ['virtctl'],
    options: { value: ['-n', '--namespace', '--context', '--kubeconfig'] },
    read: [{ path: ['version'], options: { flag: ['-c', '--client'] } }, { path: ['guestosinfo'] }, { path: ['fslist'] }, { path: ['userlist'] }],
    destructive: [{ path: ['stop'], why: 'stops a virtual machine' }, { path: ['restart'], why: 'restarts a virtual machine' }, { path: ['softreboot'], why: 'reboots a virtual machine' }, { path: ['soft-reboot'], why: 'reboots a virtual machine' }, { path: ['remove-volume'], why: 'detaches a volume' }],
  },
  {
    // OpenShift Cluster Manager CLI: list, describe and GET read; backplane login/tunnel write, delete destroys.
    names: ['ocm'],
    options: { value: ['--parameter', '--columns', '--output', '-o', '--order', '--padding'], flag: ['--json', '--managed', '--no-headers', '--all'] },
    read: [{ path: ['list', '*'] }, { path: ['describe', '*'] }, { path: ['get', '*'] }, { path: ['whoami'] }, { path: ['version'] }, { path: ['account', 'status'] }, { path: ['account', 'orgs'] }, { path: ['config', 'get', '*'] }, { path: ['backplane', 'status'] }],
    destructive: [{ path: ['delete'], why: 'deletes OCM objects' }, { path: ['delete', '*'], why: 'deletes OCM objects' }, { path: ['hibernate', '*'], why: 'hibernates a cluster' }],
  },
  {
    // Local clusters: status and listings read.
    names: ['minikube'],
    options: { value: ['-p', '--profile'], flag: ['--alsologtostderr'] },
    read: [{ path: ['status'], options: { value: ['-o', '--output', '-f', '--format', '-n', '--node'] } }, { path: ['ip'], options: { value: ['-n', '--node'] } }, { path: ['version'], options: { value: ['-o', '--output'], flag: ['--short', '--components'] } }, { path: ['profile', 'list'], options: { value: ['-o', '--output'] } }, { path: ['addons', 'list'], options: { value: ['-o', '--output'] } }, { path: ['service', 'list'], options: { value: ['-n', '--namespace'] } }, { path: ['logs'], options: { value: ['-n', '--length', '--node'], flag: ['--problems'] }, endless: ['-f', '--follow'] }],
    destructive: [{ path: ['delete'], why: 'deletes the cluster' }, { path: ['stop'], why: 'stops the cluster' }],
  },
  {
    names: ['kind'],
    read: [{ path: ['get', 'clusters'] }, { path: ['get', 'nodes'], options: { value: ['-n', '--name'], flag: ['-A', '--all-clusters'] } }, { path: ['get', 'kubeconfig'], options: { value: ['-n', '--name'], flag: ['--internal'] } }, { path: ['version'] }],
    destructive: [{ path: ['delete', '*'], why: 'deletes clusters' }],
  },
];
