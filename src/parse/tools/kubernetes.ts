import type { ToolSpec } from './types.js';

// kubectl and oc (OpenShift's kubectl): the observing subcommands with their flags.
const GLOBAL = {
  value: [
    '-n', '--namespace', '--context', '--kubeconfig', '--cluster', '--user', '-s', '--server', '--token', '--as', '--as-group',
    '--as-uid', '--request-timeout', '--certificate-authority', '--client-certificate', '--client-key', '--tls-server-name',
    '-v', '--v', '--username', '--password', '--cache-dir', '--vmodule', '--log-flush-frequency',
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
  { path: ['api-resources'], options: { value: ['-o', '--output', '--api-group', '--verbs', '--sort-by', '--categories', '--namespaced'], flag: ['--namespaced', '--cached', '--no-headers'] }, args: 'none' as const },
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

export const KUBERNETES_TOOLS: readonly ToolSpec[] = [
  { names: ['kubectl', 'k', 'microk8s.kubectl', 'k3s-kubectl'], options: GLOBAL, read: forms, destructive },
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
      { path: ['adm', 'node-logs'], options: { value: ['-u', '--unit', '--path', '--since', '--until', '--tail', '-g', '--grep', '--role', '-l', '--selector', '-o'], flag: ['--raw', '--boot', '--case-sensitive'] } },
    ],
    destructive,
  },
];
