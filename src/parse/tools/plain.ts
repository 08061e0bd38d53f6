// Commands decided by their name alone: they only read whatever their arguments (the ones with
// a writing or code-running option have a rule in risk.ts instead), or they always write or destroy.

/** Commands that only read, whatever their (non-redirect) arguments. */
export const PLAIN_READ: readonly string[] = [
  'cat', 'tac', 'head', 'wc', 'cut', 'tr', 'grep', 'egrep', 'fgrep', 'zgrep', 'jq', 'ls', 'll', 'ps', 'df', 'du', 'netstat', 'lsof', 'pgrep',
  'pidof', 'echo', 'true', 'false', ':', 'sleep', 'cd', 'pwd', 'pushd', 'popd', 'dirs', 'whoami', 'id', 'groups', 'uname', 'uptime', 'free', 'stat',
  'which', 'type', 'whereis', 'basename', 'dirname', 'realpath', 'readlink', 'printenv', 'column', 'paste', 'join', 'comm', 'diff', 'cmp', 'nl',
  'fold', 'fmt', 'rev', 'seq', 'base64', 'od', 'hexdump', 'strings', 'zcat', 'bzcat', 'xzcat', 'md5sum', 'sha1sum', 'sha256sum', 'sha512sum',
  'cksum', 'lsblk', 'findmnt', 'w', 'who', 'last', 'lscpu', 'lspci', 'lsusb', 'lsmod', 'getent', 'nproc', 'arch', 'locale', 'tput',
  'wait', 'getopts', 'shift', 'set', 'shopt', 'exit', 'return', 'break', 'continue', 'dig', 'nslookup', 'host', 'whois', 'traceroute', 'tracepath',
  'pg_isready', 'expr', 'numfmt', 'envsubst', 'ulimit', 'umask', 'yes', 'nproc', 'tty', 'users', 'logname',
  'pstree', 'pmap', 'getconf',
  'pvs', 'vgs', 'lvs', 'pvdisplay',
  'vgdisplay', 'lvdisplay', 'showmount', 'pg_controldata', 'ntpstat', 'lsns', 'lslocks', 'lsipc', 'numastat', 'apt-cache', 'dpkg-query', 'nm', 'objdump', 'readelf', 'sha224sum', 'sha384sum', 'b2sum',
];

/** Commands that always write (they create, change or move files or state). */
export const PLAIN_WRITE: Readonly<Record<string, string>> = {
  cp: 'copies files', mv: 'moves files', mkdir: 'creates directories', touch: 'creates or updates files',
  chmod: 'changes permissions', chown: 'changes owners', chgrp: 'changes groups', ln: 'creates links',
  install: 'installs files', rsync: 'copies files', scp: 'copies files', rmdir: 'removes directories',
  gzip: 'compresses files', gunzip: 'decompresses files', zip: 'writes an archive', unzip: 'extracts files',
  bzip2: 'compresses files', xz: 'compresses files', logger: 'writes to the system log', wall: 'messages every user',
  crontab: 'changes the crontab', useradd: 'adds a user', usermod: 'changes a user', passwd: 'changes a password',
  umount: 'unmounts a file system', swapoff: 'disables swap', swapon: 'enables swap',
  split: 'writes files', csplit: 'writes files', patch: 'edits files', enable: 'loads or disables shell builtins',
  cordon: 'changes scheduling',
};

/** Commands that destroy data, processes or hosts. */
export const PLAIN_DESTRUCTIVE: Readonly<Record<string, string>> = {
  pkill: 'signals processes', killall: 'signals processes', skill: 'signals processes', kill: 'signals processes',
  shred: 'overwrites files', wipefs: 'wipes signatures', dd: 'writes raw blocks', fdisk: 'edits partitions',
  sfdisk: 'edits partitions', parted: 'edits partitions', mkswap: 'formats a device', truncate: 'truncates files',
  blkdiscard: 'discards device blocks', shutdown: 'stops the host', reboot: 'reboots the host',
  halt: 'stops the host', poweroff: 'stops the host', pg_restore: 'overwrites a database', dropdb: 'drops a database',
  unlink: 'removes a file', srm: 'removes files',
};

const V = ['--version'];
const VV = ['--version', '-v', '-V', 'version'];
/**
 * Programs that print their version and exit when given exactly one of these words (`node --version`,
 * `prometheus --version`); with any other arguments they are unknown programs (`write`).
 */
export const VERSION_ONLY: Readonly<Record<string, readonly string[]>> = {
  node: ['--version', '-v'], deno: ['--version', '-V'], bun: ['--version', '-v'], go: ['version'], java: ['-version', '--version'], javac: ['-version', '--version'],
  ruby: ['--version', '-v'], perl: ['--version', '-v'], php: ['--version', '-v'], rustc: ['--version', '-V'], cargo: ['--version', '-V'], gcc: V, make: V, cmake: V,
  prometheus: V, alertmanager: V, node_exporter: V, blackbox_exporter: V, pushgateway: V, thanos: ['--version', 'version'], loki: ['--version', '-version'], promtail: ['--version', '-version'],
  'grafana-server': ['-v', '--version'], grafana: ['--version', '-v'], etcd: V, containerd: ['--version', '-v'], runc: ['--version', '-v'], kubelet: V, 'kube-apiserver': V, consul: ['version', '--version'],
  vault: ['version', '--version'], nomad: ['version', '--version'], packer: ['version', '--version'], ansible: V, 'ansible-playbook': V, chef: ['--version', '-v'], 'chef-client': ['--version', '-v'],
  haproxy: ['-v', '-vv'], redis: V, 'redis-server': ['--version', '-v'], postgres: ['--version', '-V'], mysqld: ['--version', '-V'], pgbouncer: ['--version', '-V'], patroni: ['--version'],
  gitlab: ['--version'], 'gitlab-runner': ['--version', '-v'], 'gitaly': ['--version', '-version'], docker: VV, kubectl: ['version'], yarn: ['--version', '-v'], pnpm: ['--version', '-v'],
  python: ['--version', '-V'], python3: ['--version', '-V'], pip: ['--version', '-V'], pip3: ['--version', '-V'], openssl: ['version'], ssh: ['-V'], tmux: ['-V'], bash: ['--version'], git: ['--version', 'version'],
  curl: ['--version', '-V'], wget: ['--version', '-V'], jq: ['--version'], yq: ['--version', '-V'], kustomize: ['version'], skaffold: ['version'], kind: ['version'], minikube: ['version'], k9s: ['version'],
  sops: ['--version', '-v'], age: ['--version'], cosign: ['version'], trivy: ['--version', '-v', 'version'], nginx: ['-v', '-V'], envoy: ['--version'], caddy: ['version'], traefik: ['version', '--version'],
};
