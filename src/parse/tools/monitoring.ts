import type { ToolSpec } from './types.js';

// Prometheus and Alertmanager command-line tools.
export const MONITORING_TOOLS: readonly ToolSpec[] = [
  {
    // promtool: checks, queries and TSDB inspection read; `debug` and `tsdb create-blocks-from` write files.
    names: ['promtool'],
    options: { flag: ['--experimental', '--enable-feature'], pattern: ['^--enable-feature=.*$'] },
    read: [
      { path: ['check', '*'], options: { flag: ['--lint-fatal', '--syntax-only', '--extended', '--ignore-unknown-fields'], value: ['--lint', '--agent', '--http.config.file'] } },
      { path: ['query', '*'], options: { value: ['--http.config.file', '--start', '--end', '--step', '--time', '--match', '-o', '--format'] } },
      { path: ['test', 'rules'], options: { value: ['--run'], flag: ['--diff', '--debug'] } },
      { path: ['tsdb', 'analyze'], options: { value: ['--limit', '--match'], flag: ['--extended'] } },
      { path: ['tsdb', 'list'], options: { flag: ['-r', '--human-readable'] } },
      { path: ['tsdb', 'dump'], options: { value: ['--min-time', '--max-time', '--match', '--sandbox-dir-root'] } },
    ],
  },
  {
    // amtool: alert and silence queries, config checks and route tests read; silence add/expire/import write.
    names: ['amtool'],
    options: {
      value: ['--alertmanager.url', '-o', '--output', '--timeout', '--http.config.file', '--config.file', '--enable-feature'],
      flag: ['-v', '--verbose', '--version-check', '--no-version-check', '--help'],
    },
    read: [
      { path: ['check-config'] },
      { path: ['alert'], args: 'none', options: { flag: ['-a', '--active', '-s', '--silenced', '-i', '--inhibited', '-u', '--unprocessed'], value: ['-r', '--receiver'] } },
      { path: ['alert', 'query'], options: { flag: ['-a', '--active', '-s', '--silenced', '-i', '--inhibited', '-u', '--unprocessed'], value: ['-r', '--receiver'] } },
      { path: ['silence'], args: 'none', options: { flag: ['-q', '--quiet', '--expired'], value: ['--within'] } },
      { path: ['silence', 'query'], options: { flag: ['-q', '--quiet', '--expired'], value: ['--within'] } },
      { path: ['config'], args: 'none' },
      { path: ['config', 'show'] },
      { path: ['config', 'routes'], args: 'none' },
      { path: ['config', 'routes', 'show'] },
      { path: ['config', 'routes', 'test'], options: { value: ['--verify.receivers'], flag: ['--tree', '--debug-tree'] } },
      { path: ['cluster', 'show'] },
    ],
  },
];
