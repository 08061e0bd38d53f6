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
  it('never without an unmistakable header', () => {
    const cell = parseRunbook(book('kubectl get pods\nweb-1 1/1 Running'), { path: 'o.md' }).cells[0]!;
    expect(cell.command).toContain('web-1');
    expect(cell.risk!.level).toBe('write');
  });
});
