import type { ToolSpec } from './types.js';

// Firewall listings, scanners, TLS inspection, packet capture, process and network listings.
const OPENSSL_IN = { value: ['-in', '-inform', '-nameopt', '-certopt', '-ext', '-checkend', '-passin', '-CAfile', '-CApath', '-untrusted', '-purpose', '-crl_download', '-attime', '-verify_hostname', '-verify_ip', '-verify_email', '-connect', '-servername', '-starttls', '-cipher', '-ciphersuites', '-verify', '-verify_return_error', '-cert', '-key', '-host', '-port', '-proxy', '-alpn', '-timeout', '-xmpphost', '-name', '-groups', '-sigalgs', '-keyform', '-certform', '-digest'] };
const OPENSSL_FLAGS = ['-noout', '-text', '-subject', '-issuer', '-dates', '-enddate', '-startdate', '-fingerprint', '-serial', '-hash', '-subject_hash', '-issuer_hash', '-pubkey', '-modulus', '-email', '-ocsp_uri', '-ocspid', '-alias', '-purpose', '-sha1', '-sha256', '-sha512', '-md5', '-showcerts', '-brief', '-status', '-tls1_2', '-tls1_3', '-tls1_1', '-no_tls1_3', '-crlf', '-quiet', '-prexit', '-debug', '-msg', '-state', '-nbio', '-no_ign_eof', '-ign_eof', '-verbose', '-show_chain', '-check', '-x509_strict', '-partial_chain', '-crl_check', '-crl_check_all', '-issuer_checks', '-policy_check', '-ext', '-nocert', '-noservername', '-reconnect', '-no_ssl3', '-4', '-6', '-stdname', '-tls1', '-ssl3', '-pubin', '-passin', '-nokeys', '-info', '-nodes', '-clcerts', '-cacerts'];

export const NETWORK_TOOLS: readonly ToolSpec[] = [
  {
    names: ['iptables', 'ip6tables', 'iptables-legacy', 'iptables-nft', 'ip6tables-legacy', 'ip6tables-nft'],
    options: { value: ['-t', '--table', '-w', '--wait', '-W', '--wait-interval'], flag: ['-n', '--numeric', '-v', '--verbose', '-x', '--exact', '--line-numbers'] },
    read: [{ path: [], args: 1, requires: ['-L', '-S', '--list', '--list-rules'], options: { flag: ['-L', '-S', '--list', '--list-rules'] } }],
    destructive: [{ path: [], withOption: ['-D', '-F', '-X', '-Z', '--delete', '--flush', '--delete-chain', '--zero'], why: 'removes firewall rules' }],
  },
  { names: ['iptables-save', 'ip6tables-save', 'iptables-legacy-save', 'iptables-nft-save'], options: { value: ['-t', '--table', '-M', '--modprobe'], flag: ['-c', '--counters'] }, read: [{ path: [], args: 'none' }] },
  { names: ['ebtables-save', 'arptables-save'], read: [{ path: [], args: 'none' }] },
  {
    names: ['nmap'],
    options: {
      value: ['-p', '--top-ports', '--max-retries', '--host-timeout', '--exclude', '--excludefile', '-iL', '-e', '--min-rate', '--max-rate', '--version-intensity', '--dns-servers', '--source-port', '--max-rtt-timeout', '--initial-rtt-timeout', '--scan-delay', '--stats-every', '--ttl', '--min-parallelism', '--max-parallelism'],
      flag: ['-n', '-R', '-v', '-vv', '-d', '-F', '-O', '-6', '-4', '-r', '--open', '--reason', '--packet-trace', '--traceroute', '--osscan-guess', '--disable-arp-ping', '--system-dns', '--version-light', '--version-all', '--unprivileged', '--privileged', '--noninteractive', '--iflist'],
      pattern: ['^-s[STUVNLAWMYZOPn]$', '^-P[nESAUYP0-9,]*$', '^-p\\S+$', '^-T[0-5]$', '^-v+$', '^-d+$'],
    },
    read: [{ path: [] }],
  },
  { names: ['openssl'], read: [
    { path: ['x509'], options: { ...OPENSSL_IN, flag: OPENSSL_FLAGS } },
    { path: ['verify'], options: { ...OPENSSL_IN, flag: OPENSSL_FLAGS } },
    { path: ['s_client'], options: { ...OPENSSL_IN, flag: OPENSSL_FLAGS } },
    { path: ['req'], options: { ...OPENSSL_IN, flag: ['-noout', '-text', '-verify', '-subject', '-pubkey', '-modulus'] }, requires: ['-noout', '-text', '-verify'] },
    { path: ['crl'], options: { ...OPENSSL_IN, flag: ['-noout', '-text', '-issuer', '-lastupdate', '-nextupdate', '-hash', '-fingerprint'] } },
    { path: ['rsa'], options: { ...OPENSSL_IN, flag: ['-noout', '-text', '-check', '-modulus', '-pubin'] }, requires: ['-noout'] },
    { path: ['ec'], options: { ...OPENSSL_IN, flag: ['-noout', '-text', '-check', '-pubin'] }, requires: ['-noout'] },
    { path: ['pkey'], options: { ...OPENSSL_IN, flag: ['-noout', '-text', '-text_pub', '-check', '-pubcheck', '-pubin'] }, requires: ['-noout'] },
    { path: ['pkcs12'], options: { ...OPENSSL_IN, flag: ['-info', '-noout', '-nokeys', '-nocerts', '-clcerts', '-cacerts'] }, requires: ['-noout', '-nokeys'] },
    { path: ['version'], options: { flag: ['-a', '-v', '-b', '-o', '-f', '-p', '-d', '-e', '-m', '-r', '-c'] } },
    { path: ['ciphers'], options: { flag: ['-v', '-V', '-s', '-stdname', '-tls1_2', '-tls1_3'] } },
    ...['dgst', 'md5', 'sha1', 'sha256', 'sha512'].map((d) => ({ path: [d], options: { flag: ['-sha256', '-sha1', '-sha512', '-md5', '-r', '-hex', '-c'] } })),
    { path: ['list'], options: { pattern: ['^-[a-z0-9-]+$'] } },
    { path: ['s_time'], options: { ...OPENSSL_IN, flag: ['-new', '-reuse'], value: [...OPENSSL_IN.value, '-time'] } },
  ] },
  {
    names: ['tcpdump'],
    options: { value: ['-i', '--interface', '-c', '-s', '--snapshot-length', '-r', '-y', '-B', '-E', '-j', '-T', '--time-stamp-precision', '-Q', '--direction'], flag: ['-n', '-nn', '-N', '-v', '-vv', '-vvv', '-e', '-q', '-t', '-tt', '-ttt', '-tttt', '-A', '-X', '-XX', '-x', '-xx', '-l', '-p', '--no-promiscuous-mode', '-D', '--list-interfaces', '-S', '-K', '-#', '-U', '--immediate-mode', '-L'] },
    read: [{ path: [], endlessUnless: ['-c', '-r', '-D', '--list-interfaces', '-L'] }],
  },
  {
    names: ['ss'],
    options: { value: ['-f', '--family', '-A', '--query', '--socket', '-F', '--filter', '-N', '--net'], flag: ['-t', '-u', '-l', '-n', '-p', '-a', '-e', '-m', '-o', '-i', '-s', '-r', '-x', '-w', '-4', '-6', '-0', '-d', '-S', '-H', '-M', '-O', '-Z', '-z', '-b', '-E', '--tcp', '--udp', '--listening', '--numeric', '--processes', '--all', '--extended', '--memory', '--options', '--info', '--summary', '--resolve', '--unix', '--raw', '--ipv4', '--ipv6', '--no-header', '--oneline', '--tos', '--cgroup', '--tipc', '--vsock', '--xdp', '--bpf', '--sctp', '--dccp', '--inet-sockopt', '--threads', '--context', '--contexts', '--events'] },
    read: [{ path: [], endless: ['-E', '--events'] }],
    destructive: [{ path: [], withOption: ['-K', '--kill'], why: 'closes sockets' }],
  },
  {
    names: ['ip'],
    options: { value: ['-n', '-netns', '-f', '-family', '-l', '-loops', '-rc', '-rcvbuf'], flag: ['-s', '-stats', '-statistics', '-d', '-details', '-h', '-human', '-human-readable', '-4', '-6', '-0', '-B', '-M', '-j', '-json', '-p', '-pretty', '-c', '-color', '-br', '-brief', '-o', '-oneline', '-r', '-resolve', '-t', '-timestamp', '-ts', '-iec', '-N', '-Numeric', '-a', '-all'], pattern: ['^-c(olor)?=(auto|always|never)$', '^-color=.*$'] },
    read: ['a', 'addr', 'address', 'l', 'link', 'r', 'ro', 'route', 'n', 'neigh', 'neighbor', 'neighbour', 'rule', 'ru', 'maddr', 'maddress', 'mroute', 'tunnel', 'tuntap', 'netns', 'xfrm', 'token', 'ntable', 'netconf', 'vrf', 'sr', 'nexthop', 'nh', 'mptcp', 'ioam', 'stats', 'tcp_metrics', 'tcpmetrics', 'l2tp', 'fou', 'macsec', '-'].flatMap((obj) => [
      { path: [obj], args: 'none' as const },
      { path: [obj, 'show'] }, { path: [obj, 'sh'] }, { path: [obj, 's'] }, { path: [obj, 'list'] }, { path: [obj, 'ls'] }, { path: [obj, 'lst'] }, { path: [obj, 'get'] },
    ]).concat([{ path: ['monitor'], endlessUnless: ['--never-endless'] } as never]),
    destructive: [{ path: ['*', 'flush'], why: 'removes addresses, routes or neighbours' }, { path: ['*', 'del'], why: 'removes network configuration' }, { path: ['*', 'delete'], why: 'removes network configuration' }, { path: ['link', 'set', '*', 'down'], why: 'takes an interface down' }, { path: ['l', 'set', '*', 'down'], why: 'takes an interface down' }],
  },
  {
    // ifconfig alone, -a, or one interface prints; more words configure it.
    names: ['ifconfig'],
    read: [{ path: [], args: 1, options: { flag: ['-a', '-s', '-v'] } }],
  },
  {
    // ethtool IFACE and its query options print; the capital-letter and -s/-r/-p forms change the NIC.
    names: ['ethtool'],
    options: { flag: ['-i', '--driver', '-S', '--statistics', '-k', '--show-features', '--show-offload', '-g', '--show-ring', '-a', '--show-pause', '-c', '--show-coalesce', '-l', '--show-channels', '-m', '--dump-module-eeprom', '--module-info', '-T', '--show-time-stamping', '-P', '--show-permaddr', '--show-fec', '--show-eee', '--json', '-I', '--include-statistics'] },
    read: [{ path: [], args: 1 }],
  },
  {
    names: ['resolvectl'],
    options: { value: ['-i', '--interface', '-p', '--protocol', '-t', '--type', '-c', '--class'], flag: ['--no-pager', '--legend=no', '-4', '-6', '--cache=no'] },
    read: [{ path: [], args: 'none' }, { path: ['status'] }, { path: ['query'] }, { path: ['statistics'], args: 'none' }, { path: ['dns'], args: 1 }, { path: ['domain'], args: 1 }, { path: ['show-cache'], args: 'none' }, { path: ['show-server-state'], args: 'none' }],
  },
  {
    // blkid probes devices; -c FILE / -g write its cache.
    names: ['blkid'],
    options: { value: ['-o', '--output', '-s', '--match-tag', '-t', '--match-token', '-L', '--label', '-U', '--uuid', '-n', '--match-types', '-u', '--usages'], flag: ['-l', '--list-one', '-p', '--probe', '-i', '--info', '-k', '--list-filesystems', '-d', '--no-encoding'] },
    read: [{ path: [] }],
  },
  {
    // ufw: status and listings read; delete, reset and disable remove the firewall's rules.
    names: ['ufw'],
    read: [{ path: ['status'], args: 1 }, { path: ['show', '*'] }, { path: ['app', 'list'] }, { path: ['app', 'info'] }, { path: ['version'] }, { path: [], args: 'none', requires: ['--version'], options: { flag: ['--version'] } }],
    destructive: [{ path: ['delete'], why: 'removes firewall rules' }, { path: ['reset'], why: 'removes every firewall rule' }, { path: ['disable'], why: 'turns the firewall off' }],
  },
  {
    // firewalld: the --list-*, --get-*, --query-*, --info-* and --state queries; --remove-* and --panic-on remove or cut traffic.
    names: ['firewall-cmd'],
    options: { flag: ['--state', '--permanent', '-q', '--quiet', '--version', '-h', '--help'], pattern: ['^--(list|get|query|info)-[a-z-]+(=.*)?$', '^--(zone|policy|ipset|service|helper|icmptype)=[^=]*$'], value: ['--zone', '--policy'] },
    read: [{ path: [], args: 'none' }],
    destructive: [{ path: [], withOption: ['--remove-port', '--remove-service', '--remove-rich-rule', '--remove-source', '--remove-interface', '--remove-forward-port', '--remove-masquerade', '--delete-zone', '--delete-policy', '--panic-on', '--complete-reload'], why: 'removes firewall rules or cuts traffic' }],
  },
  {
    // conntrack: listing, counting and statistics read; -D/-F delete tracked connections.
    names: ['conntrack'],
    options: { value: ['-p', '--proto', '-s', '--src', '--orig-src', '-d', '--dst', '--orig-dst', '--sport', '--dport', '--orig-port-src', '--orig-port-dst', '-m', '--mark', '-o', '--output', '-f', '--family', '-z', '--zone', '--state', '-t', '--timeout', '-u', '--status', '-r', '--reply-src', '-q', '--reply-dst'], flag: ['-n', '-g', '--src-nat', '--dst-nat', '-j', '--any-nat', '-x'] },
    read: [{ path: [], args: 'none', requires: ['-L', '--dump', '-S', '--stats', '-C', '--count', '-G', '--get', '-E', '--event'], options: { flag: ['-L', '--dump', '-S', '--stats', '-C', '--count', '-G', '--get', '-E', '--event'] }, endless: ['-E', '--event'] }],
    destructive: [{ path: [], withOption: ['-D', '--delete', '-F', '--flush'], why: 'drops tracked connections' }],
  },
  {
    // mtr: report mode (-r/-w with -c) stops; otherwise it is an interactive, endless trace.
    names: ['mtr'],
    options: { value: ['-c', '--report-cycles', '-i', '--interval', '-s', '--psize', '-P', '--port', '-m', '--max-ttl', '-f', '--first-ttl', '-I', '--interface', '-a', '--address', '-o', '--order', '-G', '--gracetime', '-Q', '--tos', '-B', '--bitpattern', '-Z', '--timeout'], flag: ['-r', '--report', '-w', '--report-wide', '-n', '--no-dns', '-b', '--show-ips', '-z', '--aslookup', '-4', '-6', '-T', '--tcp', '-u', '--udp', '-t', '--curses', '--json', '-j', '-C', '--csv', '-x', '--xml', '-e', '--mpls', '-l', '--raw', '-p', '--split'] },
    read: [{ path: [], args: 1, endlessUnless: ['-r', '--report', '-w', '--report-wide', '-c', '--report-cycles', '--json', '-j', '-C', '--csv', '-x', '--xml', '-l', '--raw', '-p', '--split'] }],
  },
  {
    // Open vSwitch / OVN: show, list, get and status queries read; del-* and exit destroy.
    names: ['ovs-vsctl', 'ovn-nbctl', 'ovn-sbctl'],
    commandSeparator: '--',
    options: { value: ['--db', '-t', '--timeout', '-f', '--format', '--columns', '-p', '--private-key', '-c', '--certificate', '-C', '--ca-cert'], flag: ['--no-leader-only', '--pretty', '--bare', '--no-headings', '-d', '--data=bare', '--data=string', '--data=json', '--if-exists'] },
    read: [{ path: ['show'] }, { path: ['list'] }, { path: ['find'] }, { path: ['get'] }, { path: ['list-br'] }, { path: ['list-ports'] }, { path: ['list-ifaces'] }, { path: ['br-exists'] }, { path: ['port-to-br'] }, { path: ['ls-list'] }, { path: ['lr-list'] }, { path: ['lsp-list'] }, { path: ['lrp-list'] }, { path: ['lr-route-list'] }, { path: ['lr-nat-list'] }, { path: ['lb-list'] }, { path: ['acl-list'] }, { path: ['chassis-list'] }],
    destructive: [{ path: ['del-*'], why: 'removes bridges, ports or records' }, { path: ['destroy'], why: 'removes records' }, { path: ['*-del'], why: 'removes logical network objects' }, { path: ['emer-reset'], why: 'resets the switch' }],
  },
  {
    names: ['ovs-appctl', 'ovn-appctl'],
    options: { value: ['-t', '--target', '-T', '--timeout'] },
    read: [{ path: ['cluster/status'] }, { path: ['cluster/cid'] }, { path: ['cluster/sid'] }, { path: ['status'] }, { path: ['connection-status'] }, { path: ['version'] }, { path: ['list-commands'] }, { path: ['coverage/show'] }, { path: ['memory/show'] }, { path: ['vlog/list'] }, { path: ['dpif/show'] }, { path: ['dpctl/show'] }, { path: ['dpctl/dump-flows'] }, { path: ['ofproto/trace'] }, { path: ['fdb/show'] }, { path: ['bond/show'] }, { path: ['lacp/show'] }, { path: ['upcall/show'] }, { path: ['ovsdb-server/list-dbs'] }, { path: ['ovsdb-server/sync-status'] }, { path: ['debug/chassis-features-list'] }, { path: ['inc-engine/show-stats'] }],
    destructive: [{ path: ['exit'], why: 'stops the daemon' }, { path: ['cluster/leave'], why: 'removes a server from the cluster' }, { path: ['cluster/kick'], why: 'removes a server from the cluster' }, { path: ['dpctl/del-flows'], why: 'deletes flows' }],
  },
];
