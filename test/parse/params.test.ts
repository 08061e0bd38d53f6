import { describe, expect, it } from 'vitest';
import { findParameters, findPlaceholders } from '../../src/parse/params.js';

// Real lines from the four seed runbooks (and a few close variants), with the placeholder
// tokens an operator must be asked for. An empty list means "no parameter here".
const LINES: [string, string[]][] = [
  // positives
  ['git checkout <commit_sha>', ['<commit_sha>']],
  ['PYTHONPATH=backend python3 backend/cli/aos.py diff <run_id_1> <run_id_2>', ['<run_id_1>', '<run_id_2>']],
  ['curl -s -H "X-API-Key: $AOS_API_KEY" http://localhost:8000/api/v1/traces/{trace_id}/mismatches', ['{trace_id}']],
  ['tail -f logs/agents/{agent_name}.log', ['{agent_name}']],
  ['git diff <commit_sha> <commit_sha>', ['<commit_sha>']],
  ['git log --rev=<commit_sha>', ['<commit_sha>']],
  ["curl 'http://x/{trace_id}/y'", ['{trace_id}']],
  ['curl "http://x/{trace_id}/y?agent=<agent_name>"', ['{trace_id}', '<agent_name>']],
  ['lsof -i :<PORT>', ['<PORT>']],
  ['kubectl logs <pod-name> -n prod', ['<pod-name>']],
  ['echo {trace_id} <trace_id>', ['{trace_id}']],
  ['cat <<EOF\nrevision: <commit_sha>\nEOF', ['<commit_sha>']],
  ['ssh host cat /var/log/{service}.log', ['{service}']],
  ['echo $(( <count> + 1 ))', ['<count>']],
  ['docker logs {container} --tail 100 -f', ['{container}']],
  // negatives from the seeds
  ['# Format: http://localhost:{health_port}/health', []],
  ['curl http://localhost:8200/health  # {health_port} <comment>', []],
  ['systemctl --user restart roxy-core.service', []],
  ['curl -sS http://127.0.0.1:8766/health | jq', []],
  ["curl http://127.0.0.1:8766/ready | jq '.message'", []],
  ['ss -tlnp | grep -E "11434|11435"', []],
  ['TOKEN=$(cat ~/.roxy/secret.token)', []],
  ['  -H "X-ROXY-Token: $TOKEN"', []],
  ['grep -E "ERROR|FAIL" ~/.roxy/logs/roxy-core.log | tail -20', []],
  ['rm -f /tmp/roxy_*.lock 2>/dev/null', []],
  ['git log --oneline -5  # Find last good commit', []],
  ['./scripts/rollback_check.sh --mode deploy --env-file .env.prod --backup-archive ./backups/archillx_backup_YYYYMMDD_HHMMSS.tar.gz', []],
  ['curl "http://localhost:8000/v1/audit/export?format=jsonl"', []],
  ['export PROFILE=core  # or vision, learning, tutoring, full', []],
  ['  echo -n "Port $port: "', []],
  ['  curl -s http://localhost:$port/health | grep -q "healthy" && echo "OK" || echo "FAIL"', []],
  ['curl http://localhost:8202/health | jq .queue_size', []],
  ['  -d \'{"type": "vision", "data": "..."}\'', []],
  ['lsof -i :PORT_NUMBER', []],
  ['ps aux | grep python | sort -k4 -nr | head -10', []],
  ['curl http://localhost:9000/debug/state > system_state.json', []],
  ['watch -n 5 \'curl -s http://localhost:9000/metrics | grep -E "(error|latency)"\'', []],
  ['PROFILE=core|vision|learning|tutoring|full', []],
  ["ps aux | grep python | awk '{sum+=$6} END {print sum/1024 \" MB\"}'", []],
  ['PGPASSWORD=novapass psql -h localhost -p 6432 -U nova -d nova_aos -c "\\d aos_traces"', []],
  ['docker exec nova_pgbouncer pgbouncer -R /etc/pgbouncer/pgbouncer.ini', []],
  ['sudo nft add rule inet filter forward iifname "docker0" accept', []],
  ['sleep 30 && docker compose ps', []],
  ["curl -s http://localhost:9090/api/v1/targets | jq '.data.activeTargets[] | {job: .labels.job, health: .health}'", []],
  ['source .env && curl -s -H "X-API-Key: $AOS_API_KEY" http://localhost:8000/api/v1/runtime/capabilities | jq', []],
  // negatives: shell and template syntax
  ['echo ${VAR} $VAR ${VAR:-x}', []],
  ['cat <<EOF\nhello\nEOF', []],
  ['cat <<-EOF\n\thello\n\tEOF', []],
  ['cmd 2>&1 < input.txt', []],
  ['echo {a,b} {1..5} {}', []],
  ["echo '{\"a\": 1}'", []],
  ["docker inspect -f '{{ .State.Status }}' web", []],
  ["echo '{{var}}'", []],
  ["grep -E '[0-9]{1,3}\\.[0-9]{3}' log", []],
  ["awk '{print}' file", []],
  ["jq '{name}' file.json", []],
  ['find . -name "*.tmp" -exec rm {} \\;', []],
  ["curl -s -o /dev/null -w '%{http_code}' http://x", []],
  ['git log @{u}..HEAD', []],
  ["cat <<'EOF'\n<commit_sha> {trace_id}\nEOF", []],
  ['echo "<b>bold</b>"', []],
  ['cat <<EOF>out.txt\nx\nEOF', []],
];

describe('findParameters on real lines', () => {
  it('has at least 40 lines', () => {
    expect(LINES.length).toBeGreaterThanOrEqual(40);
  });
  it.each(LINES)('%s', (line, tokens) => {
    expect(findParameters(line).map((p) => p.token)).toEqual(tokens);
  });
});

describe('findParameters shape', () => {
  it('gives name, token and form, each name once in order of first use', () => {
    expect(findParameters('x {b} <a> <b> {a}')).toEqual([
      { name: 'b', token: '{b}', form: 'brace' },
      { name: 'a', token: '<a>', form: 'angle' },
    ]);
  });
  it('allows - in names', () => {
    expect(findParameters('echo <run-id>')).toEqual([{ name: 'run-id', token: '<run-id>', form: 'angle' }]);
  });
  it('finds placeholders inside substitutions and loops', () => {
    expect(findParameters('for x in $(ls <dir>); do echo "$x {suffix}"; done').map((p) => p.name)).toEqual(['dir', 'suffix']);
  });
});

describe('findPlaceholders contexts', () => {
  it('reports each occurrence with its quoting and offsets', () => {
    const text = `echo <a> "<a>" '<a>' x=<a>`;
    const found = findPlaceholders(text);
    expect(found.map((o) => o.quote)).toEqual(['none', 'double', 'single', 'none']);
    for (const o of found) expect(text.slice(o.start, o.end)).toBe('<a>');
  });
  it('marks arithmetic as integer-only and second-shell text as plain', () => {
    expect(findPlaceholders('echo $(( <n> * 2 ))')[0]!.restriction).toBe('integer');
    expect(findPlaceholders('[[ <n> -gt 3 ]]')[0]!.restriction).toBe('integer');
    expect(findPlaceholders("watch 'curl http://x/<id>'")[0]!.restriction).toBe('plain');
    expect(findPlaceholders("bash -c 'echo <id>'")[0]!.restriction).toBe('plain');
    expect(findPlaceholders('ssh host cat <file>')[0]!.restriction).toBe('plain');
    expect(findPlaceholders('bash <<EOF\necho <id>\nEOF')[0]!.restriction).toBe('plain');
    expect(findPlaceholders('bash script.sh <id>')[0]!.restriction).toBe('any');
    expect(findPlaceholders('curl http://x/<id>')[0]!.restriction).toBe('any');
  });
});
