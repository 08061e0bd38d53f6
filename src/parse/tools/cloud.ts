import type { ToolSpec } from './types.js';

// Cloud CLIs: their read verbs (list/describe/get/show) at any command-group depth.
// Any long option of a read verb (`--zones`, `--sort-by`…), except those whose name says they write
// or read a file or folder, run something or change something: a name holding file, path, exec,
// command, script, program, plugin, hook, editor, browser, cli-input, inplace or log-http, or a
// dash-separated word (`--dry-run` aside) out, dir, directory, save, dump, tee, export, trace, write, record, socket, pidfile,
// shell, eval, cmd, run, pre, post, apply, fix, delete, purge, prune, reset, restart, force, install,
// upgrade, init, commit, edit (`--out-file`, `--flags-file`, `--log-http`, `--output-dir`).
const ANY_LONG = { pattern: ['^--(?![a-z0-9-]*(file|path|exec|command|script|program|plugin|hook|editor|browser|cli-input|inplace|log-http))(?!([a-z0-9]+-)*(?<!dry-)(out|dir|directory|save|dump|tee|export|trace|write|record|socket|pidfile|shell|eval|cmd|run|pre|post|apply|fix|delete|purge|prune|reset|restart|force|install|upgrade|init|commit|edit)(-|=|$))[a-z0-9][a-z0-9-]*(=.*)?$'], value: ['-o', '-g', '-n', '-l', '--output', '--query', '--region', '--profile', '--project', '--format', '--filter'] };

export const CLOUD_TOOLS: readonly ToolSpec[] = [
  {
    names: ['gcloud'],
    options: ANY_LONG,
    read: [
      { path: ['**', 'list'] }, { path: ['**', 'describe'] }, { path: ['**', 'get-iam-policy'] }, { path: ['**', 'get-value'] },
      { path: ['config', 'list'] }, { path: ['auth', 'list'] }, { path: ['info'] }, { path: ['version'] },
      { path: ['logging', 'read'] }, { path: ['logging', 'tail'], endlessUnless: ['--never-endless'] },
      { path: ['secrets', 'versions', 'access'] },
      { path: ['storage', 'ls'] }, { path: ['storage', 'du'] }, { path: ['storage', 'cat'] }, { path: ['storage', 'hash'] },
    ],
    destructive: [{ path: ['**', 'delete'], why: 'deletes cloud resources' }, { path: ['**', 'stop'], why: 'stops cloud resources' }, { path: ['**', 'reset'], why: 'resets instances' }, { path: ['**', 'resize'], why: 'resizes resources' }, { path: ['**', 'remove-iam-policy-binding'], why: 'removes access' }, { path: ['**', 'restart'], why: 'restarts resources' }, { path: ['**', 'failover'], why: 'fails over a database' }, { path: ['storage', 'rm'], why: 'deletes objects' }],
    write: [{ path: ['**', 'get-credentials'], why: 'writes kubeconfig' }, { path: ['config', 'set'], why: 'changes the configuration' }],
  },
  {
    names: ['aws'],
    options: ANY_LONG,
    read: [
      { path: ['*', 'describe-*'] }, { path: ['*', 'list-*'] }, { path: ['*', 'get-*'] },
      { path: ['s3', 'ls'] }, { path: ['sts', 'get-caller-identity'] }, { path: ['configure', 'list'] }, { path: ['configure', 'get'] },
      { path: ['logs', 'tail'], endless: ['--follow'] }, { path: ['logs', 'filter-log-events'] },
      { path: ['cloudwatch', 'get-metric-statistics'] },
    ],
    destructive: [
      { path: ['*', 'delete-*'], why: 'deletes cloud resources' }, { path: ['*', 'terminate-*'], why: 'terminates instances' },
      { path: ['*', 'stop-*'], why: 'stops cloud resources' }, { path: ['*', 'reboot-*'], why: 'reboots instances' },
      { path: ['s3', 'rm'], why: 'deletes objects' }, { path: ['s3', 'rb'], why: 'removes a bucket' },
      { path: ['s3', 'sync'], withOption: ['--delete'], why: 'deletes objects missing from the source' },
      { path: ['*', 'deregister-*'], why: 'deregisters resources' }, { path: ['*', 'purge-*'], why: 'purges data' },
    ],
    write: [
      { path: ['s3api', 'get-object'], why: 'writes the object to a file' }, { path: ['s3api', 'get-object-torrent'], why: 'writes a file' },
      { path: ['*', 'get-*'], withOption: ['--outfile'], why: 'writes a file' },
      // Operations with streaming output write it to a positional OUTFILE.
      { path: ['glacier', 'get-job-output'], why: 'writes the job output to a file' },
      { path: ['apigateway', 'get-export'], why: 'writes the export to a file' },
      { path: ['apigateway', 'get-sdk'], why: 'writes the SDK to a file' },
      { path: ['mediastore-data', 'get-object'], why: 'writes the object to a file' },
      { path: ['kinesis-video-media', 'get-media'], why: 'writes the media to a file' },
      { path: ['kinesis-video-archived-media', 'get-*'], why: 'writes the media to a file' },
      { path: ['ebs', 'get-snapshot-block'], why: 'writes the block to a file' },
      { path: ['workmailmessageflow', 'get-raw-message-content'], why: 'writes the message to a file' },
      { path: ['lakeformation', 'get-work-unit-results'], why: 'writes the results to a file' },
      { path: ['codeartifact', 'get-package-version-asset'], why: 'writes the asset to a file' },
      { path: ['s3api', 'select-object-content'], why: 'writes the result to a file' },
    ],
  },
  {
    names: ['az'],
    options: ANY_LONG,
    read: [{ path: ['**', 'list'] }, { path: ['**', 'show'] }, { path: ['account', 'show'] }, { path: ['version'] }, { path: ['**', 'get-*'] }],
    destructive: [{ path: ['**', 'delete'], why: 'deletes cloud resources' }, { path: ['**', 'stop'], why: 'stops cloud resources' }, { path: ['**', 'deallocate'], why: 'deallocates VMs' }, { path: ['**', 'restart'], why: 'restarts resources' }, { path: ['**', 'purge'], why: 'purges data' }],
    write: [{ path: ['aks', 'get-credentials'], why: 'writes kubeconfig' }],
  },
  {
    names: ['gsutil'],
    options: { flag: ['-m', '-q', '-D', '-DD'], value: ['-o', '-h', '-u', '-i'] },
    read: [
      { path: ['ls'], options: { flag: ['-l', '-L', '-r', '-R', '-a', '-b', '-e', '-h', '-d'], value: ['-p'] } },
      { path: ['cat'], options: { flag: ['-h'], value: ['-r'] } },
      { path: ['du'], options: { flag: ['-s', '-h', '-c', '-a', '-0', '-e'], value: ['-X'] } },
      { path: ['stat'] }, { path: ['version'], options: { flag: ['-l'] } }, { path: ['hash'], options: { flag: ['-c', '-h', '-m'] } },
      { path: ['iam', 'get'] }, { path: ['acl', 'get'] }, { path: ['lifecycle', 'get'] }, { path: ['versioning', 'get'] }, { path: ['label', 'get'] },
    ],
    destructive: [{ path: ['rm'], why: 'deletes objects' }, { path: ['rb'], why: 'removes a bucket' }, { path: ['rsync'], withOption: ['-d'], why: 'deletes objects missing from the source' }],
  },
];
