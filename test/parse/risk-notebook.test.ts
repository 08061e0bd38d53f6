import { describe, expect, it } from 'vitest';
import { lintRunbook, parseRunbook } from '../../src/parse/index.js';

const fence = (body: string, info = 'bash'): string => `\`\`\`${info}\n${body}\n\`\`\`\n`;
const book = (...cells: string[]): string => `# Ops\n\n${cells.map((c) => fence(c)).join('\n')}`;

describe('cells after a redefinition cannot be proven read-only', () => {
  const REDEFINERS = [
    "alias cat='rm -rf'",
    'hash -p /bin/rm cat',
    'cat() { rm -rf "$@"; }',
    'function ls { echo hi; }',
    'enable -f ./x.so cat',
    'export PATH=/tmp/evil:$PATH',
    'BASH_ENV=/tmp/evil',
    "trap 'id' DEBUG",
    'source ./helpers.sh',
    "x='a[$(id)]'",
    // Red team (redk): builtins that store into a named variable, and nameref declarations.
    'read -r PATH <<< /tmp/evil',
    'mapfile -t PATH < /tmp/paths',
    'for PATH in /tmp/evil; do :; done',
    ': ${BASH_ENV:=/tmp/evil}',
    'BASH_CMDS[cat]=/bin/rm',
    'declare -n ref=PATH',
  ];
  for (const redefiner of REDEFINERS) {
    it(`after: ${redefiner}`, () => {
      const notebook = parseRunbook(book('kubectl get pods', redefiner, 'cat /etc/hosts', 'kubectl get nodes'), { path: 'r.md' });
      const [before, , after, later] = notebook.cells;
      expect(before!.risk!.level).toBe('read');
      expect(after!.risk!.level).toBe('write');
      expect(after!.risk!.reason).toContain('line 7');
      expect(after!.risk!.decidedBy).toBe('risk.ts#redefined-by-earlier-cell');
      expect(later!.risk!.level).toBe('write');
    });
  }
  it('a cell without a redefinition leaves later cells read', () => {
    const notebook = parseRunbook(book('NS=prod', 'kubectl get pods -n $NS'), { path: 'r.md' });
    expect(notebook.cells[1]!.risk!.level).toBe('read');
  });
});

describe('endless commands', () => {
  const ENDLESS = ['tail -f /var/log/syslog', 'kubectl logs -f deploy/api', 'journalctl -fu nginx', 'docker logs -f web', 'kubectl get pods -w', 'kubectl get pods --watch', 'watch -n 5 df -h', 'top', 'ssh -N bastion', 'ping 10.0.0.1', 'docker stats', 'vmstat 1', 'oc logs -f pod'];
  for (const command of ENDLESS) {
    it(`marks and warns: ${command}`, () => {
      const text = book(command);
      const cell = parseRunbook(text, { path: 'e.md' }).cells[0]!;
      expect(cell.endless).toBe(true);
      expect(cell.endlessReason).toBeTruthy();
      expect(lintRunbook(text, { path: 'e.md' }).some((d) => d.code === 'RP_ENDLESS_COMMAND' && d.severity === 'warning')).toBe(true);
    });
  }
  const BOUNDED = ['tail -n 100 /var/log/syslog', 'kubectl logs deploy/api --tail=50', 'top -b -n 1', 'ping -c 3 h', 'docker stats --no-stream', 'vmstat 1 5', 'kubectl get pods -owide', 'timeout 30 tail -f x'];
  for (const command of BOUNDED) {
    it(`does not mark: ${command}`, () => {
      const cell = parseRunbook(book(command), { path: 'e.md' }).cells[0]!;
      expect(cell.endless).toBeUndefined();
    });
  }
  it('a timeout attribute silences the warning but keeps the mark', () => {
    const text = `# Ops\n\n${fence('tail -f /var/log/syslog', 'bash {timeout=30s}')}`;
    expect(parseRunbook(text, { path: 'e.md' }).cells[0]!.endless).toBe(true);
    expect(lintRunbook(text, { path: 'e.md' }).some((d) => d.code === 'RP_ENDLESS_COMMAND')).toBe(false);
  });
});

describe('example output pasted after a command without a prompt', () => {
  it('keeps only the command to run, the table as example output', () => {
    const cell = parseRunbook(book('kubectl get pods -n prod\nNAME      READY   STATUS    RESTARTS   AGE\nweb-1     1/1     Running   0          3d'), { path: 'o.md' }).cells[0]!;
    expect(cell.command).toBe('kubectl get pods -n prod');
    expect(cell.exampleOutput).toContain('web-1');
    expect(cell.risk!.level).toBe('read');
  });
  it('docker ps header with a two-word column', () => {
    const cell = parseRunbook(book('docker ps\nCONTAINER ID   IMAGE     COMMAND   STATUS\nabc123         nginx     "nginx"   Up'), { path: 'o.md' }).cells[0]!;
    expect(cell.command).toBe('docker ps');
  });
  it('never when what would still run writes', () => {
    const cell = parseRunbook(book('rm -rf /tmp/x\nNAME      READY   STATUS\nweb-1     1/1     Running'), { path: 'o.md' }).cells[0]!;
    expect(cell.command).toContain('web-1');
    expect(cell.risk!.level).not.toBe('read');
  });
  it('never when the first pasted line could be a command', () => {
    const cell = parseRunbook(book('kubectl get pods\nweb-1 1/1 Running'), { path: 'o.md' }).cells[0]!;
    expect(cell.command).toContain('web-1');
    expect(cell.risk!.level).toBe('write');
  });
  it.each([
    ['redis-cli ping\nPONG', 'redis-cli ping'],
    ['sudo gitlab-patronictl list\n+ Cluster: main ----+------+\n| Member | Role   |\n+--------+--------+\n| db-1   | Leader |', 'sudo gitlab-patronictl list'],
    ['etcdctl endpoint health\nhttps://10.0.0.1:2379 is healthy: successfully committed proposal: took = 2ms', 'etcdctl endpoint health'],
    ['consul members\nNode      Address         Status\nconsul-1  10.0.0.1:8301   alive', 'consul members'],
    ['sudo gitlab-ctl status\nrun: nginx: (pid 12) 600s; run: log: (pid 11) 600s', 'sudo gitlab-ctl status'],
    ['free -m\n              total        used        free\nMem:          15885        6123        1200', 'free -m'],
    ['gitlab-psql -c "select 1"\n ?column?\n----------\n        1\n(1 row)', 'gitlab-psql -c "select 1"'],
    ['kubectl get nodes\nNAME     STATUS\nnode-1   Ready\nkubectl get pods\nNAME     READY\nweb-1    1/1', 'kubectl get nodes\nkubectl get pods'],
  ])('other output shapes: %j runs only the commands', (body, command) => {
    const cell = parseRunbook(book(body), { path: 'o.md' }).cells[0]!;
    expect(cell.command).toBe(command);
    expect(cell.risk!.level).toBe('read');
  });
  it.each([
    ['kubectl get pods\nNAME     READY\nweb-1    0/1\nkubectl delete pod web-1', 'destructive'],
    ['kubectl get nodes\nNAME     STATUS\nnode-3   Ready,SchedulingDisabled\nkubectl uncordon node-3', 'write'],
    ['kubectl get pods\nNAME     READY\nsudo fix-pods', 'write'],
    ['kubectl get pods\nNAME     READY\n./scripts/fix.sh', 'write'],
    ['kubectl get pods\nPOST http://x/api/restart', 'write'],
    ['kubectl get pods\nNAMESPACE=prod\nkubectl get pods -n $NAMESPACE', 'read'],
    ['kubectl get pods\nNAME     READY > /tmp/out', 'write'],
    ['kubectl get pods\nNAME     READY\nfor p in a b; do\n  kubectl delete pod $p\ndone', 'destructive'],
    ['cat <<EOF | kubectl apply -f -\nNAME: x\nEOF', 'write'],
    // Cells longer than 400 lines are classified as written (the split would lex them again and again).
    [['redis-cli ping', ...Array.from({ length: 400 }, () => 'PONG')].join('\n'), 'write'],
  ])('never cuts when a later line could run: %j', (body, level) => {
    const cell = parseRunbook(book(body), { path: 'o.md' }).cells[0]!;
    expect(cell.exampleOutput).toBeUndefined();
    expect(cell.risk!.level).toBe(level);
  });
});
