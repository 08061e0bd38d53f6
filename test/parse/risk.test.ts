import { describe, expect, it } from 'vitest';
import { classifyRisk } from '../../src/parse/risk.js';
import type { CellKind, RiskLevel } from '../../src/parse/types.js';

// Every runnable cell (bash blocks and the promql block) of the four seed runbooks, verbatim,
// with the level an operator should see. Labels are `<seed>:<fence line>`.
const SEED_CELLS: [string, CellKind, string, RiskLevel][] = [
  ['roxy:23', 'shell', "# Full production deploy (recommended)\n~/.roxy/scripts/prod_deploy.sh\n\n# Or manual restart\nsystemctl --user restart roxy-core.service\n~/.roxy/scripts/wait-for-ready.sh 30", 'destructive'],
  ['roxy:33', 'shell', "systemctl --user stop roxy-core.service", 'destructive'],
  ['roxy:38', 'shell', "systemctl --user status roxy-core.service", 'read'],
  ['roxy:48', 'shell', "curl -sS http://127.0.0.1:8766/health | jq", 'read'],
  ['roxy:67', 'shell', "curl -sS http://127.0.0.1:8766/ready | jq", 'read'],
  ['roxy:108', 'shell', "curl http://127.0.0.1:8766/ready | jq '.message'\ncurl http://127.0.0.1:11434/api/version  # Check w5700x pool\ncurl http://127.0.0.1:11435/api/version  # Check 6900xt pool", 'read'],
  ['roxy:126', 'shell', "journalctl --user -u roxy-core -n 50\ncat ~/.roxy/logs/roxy-core.log | tail -50", 'read'],
  ['roxy:143', 'shell', "curl -sS http://127.0.0.1:8766/bench/status | jq", 'read'],
  ['roxy:148', 'shell', "TOKEN=$(cat ~/.roxy/secret.token)\ncurl -X POST http://127.0.0.1:8766/bench/cancel \\\n  -H \"X-ROXY-Token: $TOKEN\"", 'write'],
  ['roxy:161', 'shell', "curl http://127.0.0.1:8766/metrics | grep latency\ncurl http://127.0.0.1:8766/ready | jq '.checks.pool_invariants.pools'", 'read'],
  ['roxy:195', 'shell', "# Errors\ngrep -E \"ERROR|FAIL\" ~/.roxy/logs/roxy-core.log | tail -20\n\n# Warnings\ngrep \"WARNING\" ~/.roxy/logs/roxy-core.log | tail -20\n\n# Pool deprecation warnings (BIG/FAST usage)\ngrep \"deprecated\" ~/.roxy/logs/roxy-core.log | tail -10", 'read'],
  ['roxy:207', 'shell', "# Pool reachability\ncurl -sS http://127.0.0.1:8766/metrics | grep roxy_pool_reachable\n\n# Ready check counts\ncurl -sS http://127.0.0.1:8766/metrics | grep roxy_ready_checks\n\n# Request counts\ncurl -sS http://127.0.0.1:8766/metrics | grep roxy_requests_total", 'read'],
  ['roxy:223', 'shell', "# 1. Stop everything\nsystemctl --user stop roxy-core.service\n\n# 2. Clear any stuck state\nrm -f /tmp/roxy_*.lock 2>/dev/null\n\n# 3. Verify dependencies\ncurl -sS http://127.0.0.1:11434/api/version\ncurl -sS http://127.0.0.1:11435/api/version\n\n# 4. Full deploy\n~/.roxy/scripts/prod_deploy.sh", 'destructive'],
  ['roxy:239', 'shell', "cd ~/.roxy\ngit log --oneline -5  # Find last good commit\ngit checkout <commit_sha>\n~/.roxy/scripts/prod_deploy.sh", 'destructive'],
  ['roxy:251', 'shell', "~/.roxy/scripts/gateA_resilience.sh   # Dependency resilience\n~/.roxy/scripts/gateB_overload.sh     # Overload protection\n~/.roxy/scripts/gate2_smoke.sh        # Functional smoke test\n~/.roxy/scripts/prod_deploy.sh        # Full deploy gate", 'write'],
  ['archillx:90', 'shell', "./scripts/release_check.sh --mode deploy --env-file .env.prod", 'write'],
  ['archillx:100', 'shell', "./scripts/migrate.sh upgrade head", 'write'],
  ['archillx:106', 'shell', "docker compose -f docker-compose.prod.yml up -d --build", 'write'],
  ['archillx:139', 'shell', "./scripts/rollback_check.sh --mode deploy --env-file .env.prod --backup-archive ./backups/archillx_backup_YYYYMMDD_HHMMSS.tar.gz", 'write'],
  ['archillx:167', 'shell', "./scripts/backup_stack.sh", 'write'],
  ['archillx:178', 'shell', "python scripts/verify_backup_archive.py ./backups/archillx_backup_YYYYMMDD_HHMMSS.tar.gz --json", 'write'],
  ['archillx:186', 'shell', "./scripts/restore_drill.sh ./backups/archillx_backup_YYYYMMDD_HHMMSS.tar.gz", 'write'],
  ['archillx:196', 'shell', "export RUN_RESTORE_DRILL=true\n./scripts/restore_drill.sh ./backups/archillx_backup_YYYYMMDD_HHMMSS.tar.gz --execute", 'destructive'],
  ['archillx:208', 'shell', "./scripts/archive_audit.sh", 'write'],
  ['archillx:227', 'shell', "curl \"http://localhost:8000/v1/audit/export?format=jsonl\"", 'read'],
  ['archillx:266', 'shell', "./scripts/migrate.sh current\npython scripts/check_migration_state.py", 'write'],
  ['archillx:273', 'shell', "./scripts/migrate.sh upgrade head", 'write'],
  ['archillx:279', 'shell', "./scripts/migrate.sh downgrade -1", 'destructive'],
  ['unified:31', 'shell', "# 1. Set profile (default: core)\nexport PROFILE=core  # or vision, learning, tutoring, full\n\n# 2. Launch system\npython3 scripts/launch_unified_profile.py\n\n# 3. Verify startup (wait ~60s for core profile)\ncurl http://localhost:9000/health  # ObservabilityHub\ncurl http://localhost:7200/health  # ServiceRegistry", 'write'],
  ['unified:46', 'shell', "PROFILE=core python3 scripts/launch_unified_profile.py\n# Starts: 16 essential agents\n# Memory: 2GB\n# Time: ~60s", 'write'],
  ['unified:54', 'shell', "PROFILE=vision python3 scripts/launch_unified_profile.py\n# Starts: ~20 agents (includes FaceRecognitionAgent, VisionProcessingAgent)\n# Memory: 4GB\n# Time: ~90s", 'write'],
  ['unified:62', 'shell', "PROFILE=learning python3 scripts/launch_unified_profile.py\n# Starts: ~30 agents (includes learning cluster)\n# Memory: 6GB\n# Time: ~120s", 'write'],
  ['unified:70', 'shell', "PROFILE=full python3 scripts/launch_unified_profile.py\n# Starts: All 77 agents available\n# Memory: 8GB\n# Time: ~180s", 'write'],
  ['unified:79', 'shell', "# Check essential agents\nfor port in 7200 9000 7220 7211 7201 8202; do\n  echo -n \"Port $port: \"\n  curl -s http://localhost:$port/health | grep -q \"healthy\" && echo \"OK\" || echo \"FAIL\"\ndone\n\n# Check LazyLoader status\ncurl http://localhost:8202/health | jq .", 'read'],
  ['unified:106', 'shell', "# Format: http://localhost:{health_port}/health\n# Example:\ncurl http://localhost:8200/health  # ServiceRegistry\ncurl http://localhost:9001/health  # ObservabilityHub\ncurl http://localhost:8202/health  # LazyLoader", 'read'],
  ['unified:116', 'promql', "# Essential agents status\nup{job=\"unified_agents\", required=\"true\"}\n\n# Memory usage by agent\nprocess_resident_memory_bytes{job=\"unified_agents\"} / 1024 / 1024\n\n# LLM routing distribution\nrate(llm_routing_decisions_total[5m])\n\n# System health score\nsystem_health_score", 'read'],
  ['unified:146', 'shell', "# Send request that requires specific agent\ncurl -X POST http://localhost:7201/task \\\n  -H \"Content-Type: application/json\" \\\n  -d '{\"type\": \"vision\", \"data\": \"...\"}'\n\n# Check LazyLoader queue\ncurl http://localhost:8202/health | jq .queue_size", 'write'],
  ['unified:158', 'shell', "# 1. Stop current system\npkill -f launch_unified_profile.py\n\n# 2. Change profile\nexport PROFILE=learning\n\n# 3. Restart\npython3 scripts/launch_unified_profile.py", 'destructive'],
  ['unified:171', 'shell', "# Stop specific agent\nkill $(pgrep -f \"agent_name.py\")\n\n# LazyLoader will auto-restart if agent is needed\n\n# Disable auto-restart temporarily\nexport DISABLE_AUTO_RESTART=true", 'destructive'],
  ['unified:183', 'shell', "# Clear model cache\ncurl -X POST http://localhost:7211/cache/clear\n\n# Clear conversation memory\ncurl -X POST http://localhost:7220/memory/clear\n\n# Reset LLM routing stats\ncurl -X POST http://localhost:7211/routing/reset", 'write'],
  ['unified:199', 'shell', "lsof -i :PORT_NUMBER", 'read'],
  ['unified:204', 'shell', "python3 scripts/validate_config.py config/unified_startup_phase2.yaml", 'write'],
  ['unified:209', 'shell', "tail -f logs/agents/{agent_name}.log", 'read'],
  ['unified:216', 'shell', "curl http://localhost:9000/metrics | grep memory", 'read'],
  ['unified:221', 'shell', "ps aux | grep python | sort -k4 -nr | head -10", 'read'],
  ['unified:226', 'shell', "# Agent will be restarted by LazyLoader if needed\nkill $(pgrep -f \"high_memory_agent.py\")", 'destructive'],
  ['unified:234', 'shell', "curl http://localhost:7211/routing/stats", 'read'],
  ['unified:239', 'shell', "curl http://localhost:9000/circuit_breakers", 'read'],
  ['unified:244', 'shell', "curl http://localhost:9000/metrics | grep latency", 'read'],
  ['unified:251', 'shell', "curl http://localhost:8202/health | jq .", 'read'],
  ['unified:256', 'shell', "grep ERROR logs/lazy_loader.log | tail -20", 'read'],
  ['unified:261', 'shell', "curl -X POST http://localhost:8202/load \\\n  -d '{\"agent\": \"AgentName\"}'", 'write'],
  ['unified:270', 'shell', "# 1. Capture state\ncurl http://localhost:9000/debug/state > system_state.json\n\n# 2. Force stop all agents\npkill -9 -f \"unified\"\n\n# 3. Clean restart with core profile\nPROFILE=core python3 scripts/launch_unified_profile.py", 'destructive'],
  ['unified:283', 'shell', "# 1. Check VRAM usage\nnvidia-smi\n\n# 2. Force VRAM cleanup\ncurl -X POST http://localhost:5572/vram/cleanup\n\n# 3. Reduce model loads\nexport VRAM_LIMIT_MB=2000", 'write'],
  ['unified:296', 'shell', "# 1. Stop everything\n./scripts/emergency_stop.sh\n\n# 2. Clear all state\nrm -rf data/state/*\nrm -rf logs/*\n\n# 3. Start minimal profile\nPROFILE=core LOG_LEVEL=DEBUG python3 scripts/launch_unified_profile.py", 'destructive'],
  ['unified:310', 'shell', "# 1. Stop current version\npkill -f launch_unified\n\n# 2. Restore previous config\ncp archive/unified_startup_backup.yaml config/unified_startup_phase2.yaml\n\n# 3. Restart with backup\npython3 scripts/launch_unified_phase2.py", 'destructive'],
  ['unified:326', 'shell', "curl http://localhost:9000/health/summary", 'read'],
  ['unified:331', 'shell', "curl http://localhost:9093/api/v1/alerts | jq .", 'read'],
  ['unified:336', 'shell', "df -h /workspace\ndu -sh logs/", 'read'],
  ['unified:344', 'shell', "./scripts/rotate_logs.sh", 'write'],
  ['unified:349', 'shell', "curl -X POST http://localhost:9090/-/compact", 'write'],
  ['unified:354', 'shell', "python3 scripts/generate_weekly_report.py", 'write'],
  ['unified:361', 'shell', "./scripts/backup_system.sh", 'write'],
  ['unified:366', 'shell', "pip list --outdated", 'read'],
  ['unified:378', 'shell', "python3 scripts/validate_config.py new_config.yaml", 'write'],
  ['unified:383', 'shell', "# Test with core profile first\nPROFILE=core CONFIG=new_config.yaml python3 scripts/launch_unified_profile.py", 'write'],
  ['unified:389', 'shell', "watch -n 5 'curl -s http://localhost:9000/metrics | grep -E \"(error|latency)\"'", 'read'],
  ['unified:407', 'shell', "# Core settings\nPROFILE=core|vision|learning|tutoring|full\nLOG_LEVEL=DEBUG|INFO|WARNING|ERROR\nDEBUG_MODE=true|false\n\n# Resource limits\nCPU_PERCENT=80\nMEMORY_MB=4096\nMAX_THREADS=8\nVRAM_LIMIT_MB=4000\n\n# Features\nENABLE_METRICS=true\nENABLE_TRACING=true\nENABLE_DATA_OPTIMIZER=true", 'write'],
  ['unified:427', 'shell', "# Count running agents\nps aux | grep -E \"python.*agent\" | wc -l\n\n# Total memory usage\nps aux | grep python | awk '{sum+=$6} END {print sum/1024 \" MB\"}'\n\n# Find agent by port\nlsof -i :PORT | grep LISTEN\n\n# Tail all agent logs\ntail -f logs/agents/*.log\n\n# Check system load\ntop -b -n 1 | head -5", 'read'],
  ['aos:23', 'shell', "docker compose ps", 'read'],
  ['aos:28', 'shell', "docker compose restart backend\ndocker compose restart worker\ndocker compose restart prometheus", 'destructive'],
  ['aos:35', 'shell', "# Backend logs\ndocker logs nova_agent_manager --tail 100 -f\n\n# Worker logs\ndocker logs nova_worker --tail 100 -f\n\n# All logs\ndocker compose logs -f --tail 100", 'read'],
  ['aos:55', 'shell', "# Check container status\ndocker ps | grep nova_agent_manager\n\n# Check logs for errors\ndocker logs nova_agent_manager --tail 50\n\n# Check database connectivity\nPGPASSWORD=novapass psql -h localhost -p 6432 -U nova -d nova_aos -c \"SELECT 1\"", 'read'],
  ['aos:67', 'shell', "# Restart backend\ndocker compose restart backend\n\n# If DB issue, restart PgBouncer\ndocker compose restart pgbouncer", 'destructive'],
  ['aos:82', 'shell', "# Check Redis connectivity\ncurl -s http://localhost:8000/metrics | grep aos_rate_limit_redis\n\n# Expected: aos_rate_limit_redis_connected 1.0\n\n# Check current rate limit counters\ncurl -s http://localhost:8000/metrics | grep aos_rate_limit", 'read'],
  ['aos:103', 'shell', "# Test container network\ndocker run --rm alpine ping -c 2 8.8.8.8\n\n# Check nftables rules\nsudo nft list chain inet filter forward | grep docker", 'write'],
  ['aos:112', 'shell', "# Run the fix script\n/root/scripts/fix-nft-docker.sh\n\n# Or manually add rules\nsudo nft add rule inet filter forward iifname \"docker0\" accept\nsudo nft add rule inet filter forward oifname \"docker0\" accept", 'write'],
  ['aos:128', 'shell', "# Check PgBouncer\ndocker exec nova_pgbouncer pgbouncer -R /etc/pgbouncer/pgbouncer.ini\n\n# Check active connections\nPGPASSWORD=novapass psql -h localhost -p 6432 -U nova -d nova_aos -c \"SELECT count(*) FROM pg_stat_activity\"", 'write'],
  ['aos:137', 'shell', "# Restart PgBouncer\ndocker compose restart pgbouncer\n\n# If still failing, restart Postgres (causes brief downtime)\ndocker compose restart db", 'destructive'],
  ['aos:152', 'shell', "# Check trace count\nPGPASSWORD=novapass psql -h localhost -p 6432 -U nova -d nova_aos -c \"SELECT COUNT(*) FROM aos_traces\"\n\n# Check for table issues\nPGPASSWORD=novapass psql -h localhost -p 6432 -U nova -d nova_aos -c \"\\d aos_traces\"", 'read'],
  ['aos:171', 'shell', "curl -s -H \"X-API-Key: $AOS_API_KEY\" http://localhost:8000/api/v1/traces/{trace_id}/mismatches", 'read'],
  ['aos:176', 'shell', "# Use aos diff command\nPYTHONPATH=backend python3 backend/cli/aos.py diff <run_id_1> <run_id_2>", 'write'],
  ['aos:210', 'shell', "cd /root/agenticverz2.0\n\n# Stop all services\ndocker compose down\n\n# Start fresh\ndocker compose up -d\n\n# Verify health\nsleep 30 && docker compose ps\ncurl http://localhost:8000/health", 'destructive'],
  ['aos:225', 'shell', "# Check latest backup\nls -la /var/lib/aos/backups/\n\n# Restore from backup (if needed)\nPGPASSWORD=novapass pg_restore -h localhost -p 5433 -U nova -d nova_aos /path/to/backup.dump", 'destructive'],
  ['aos:262', 'shell', "# Check migration status\nPGPASSWORD=novapass DATABASE_URL=\"postgresql://nova:novapass@localhost:6432/nova_aos\" alembic current\n\n# Run migrations\nPGPASSWORD=novapass DATABASE_URL=\"postgresql://nova:novapass@localhost:6432/nova_aos\" alembic upgrade head\n\n# Test API\nsource .env && curl -s -H \"X-API-Key: $AOS_API_KEY\" http://localhost:8000/api/v1/runtime/capabilities | jq\n\n# Check Prometheus targets\ncurl -s http://localhost:9090/api/v1/targets | jq '.data.activeTargets[] | {job: .labels.job, health: .health}'", 'write'],
];

describe('classifyRisk: every runnable cell of the seeds', () => {
  it('covers all 85 runnable cells', () => {
    expect(SEED_CELLS).toHaveLength(85);
  });
  it.each(SEED_CELLS)('%s is classified', (_label, kind, command, level) => {
    const finding = classifyRisk(kind, command);
    expect(finding.level).toBe(level);
    expect(finding.reason.startsWith(`${level}: `)).toBe(true);
  });
});

const TRICKY: [string, string, RiskLevel][] = [
  // pipelines and lists: the highest level wins
  ['pipeline of readers', 'ps aux | grep python | sort -k4 -nr | head -10', 'read'],
  ['kill with $(pgrep) inside', 'kill $(pgrep -f "agent_name.py")', 'destructive'],
  ['pgrep alone', 'pgrep -a ollama', 'read'],
  ['kill -0 only checks', 'kill -0 1234', 'read'],
  ['&& chain with a write', 'test -f x && touch y', 'write'],
  ['|| chain with rm', 'ls x || rm -r x', 'destructive'],
  ['; list', 'date; uptime; free -m', 'read'],
  ['rm in a backtick', 'echo `rm -rf /tmp/x`', 'destructive'],
  ['rm in a subshell', '( cd /tmp && rm -f x.lock )', 'destructive'],
  ['rm in an if body', 'if [ -f x ]; then\n  rm x\nfi', 'destructive'], // rm deletes files: destructive (issue 15's labels)
  ['rm -rf in a while body', 'while true; do rm -rf /tmp/cache; sleep 1; done', 'destructive'],
  ['read-only for loop', 'for p in 1 2 3; do curl -s localhost:$p/health; done', 'read'],
  ['case with a destructive arm', 'case "$1" in\n  stop) systemctl stop x ;;\n  *) echo usage ;;\nesac', 'destructive'],
  ['function body counts', 'cleanup() { rm -rf /tmp/work; }\ncleanup', 'destructive'],
  ['read-only function', 'check() { curl -s localhost/health; }\ncheck', 'read'],
  // redirections
  ['2>&1 is not a write', 'journalctl -u x -n 50 2>&1 | tail -5', 'read'],
  ['>/dev/null is not a write', 'curl -s localhost >/dev/null 2>/dev/null', 'read'],
  ['&>/dev/null is not a write', 'pgrep x &>/dev/null', 'read'],
  ['> file is a write', 'curl http://localhost:9000/debug/state > system_state.json', 'write'],
  ['>> file is a write', 'echo "export X=1" >> ~/.bashrc', 'write'],
  ['>&2 is not a write', 'echo oops >&2', 'read'],
  ['input redirect reads', 'wc -l < /etc/passwd', 'read'],
  ['redirect after done', 'while read l; do echo "$l"; done < in.txt > out.txt', 'write'],
  // heredocs and comments
  ['heredoc to cat is read', 'cat <<EOF\nrm -rf /\nEOF', 'read'],
  ['heredoc to cat into a file is write', 'cat > /etc/app.conf <<EOF\nkey=1\nEOF', 'write'],
  ['heredoc run by bash', 'bash <<EOF\nrm -rf /srv/data\nEOF', 'destructive'],
  ['heredoc SQL to psql', 'psql -h db <<SQL\nDROP TABLE users;\nSQL', 'destructive'],
  ['heredoc SELECT to psql', "psql -h db <<'SQL'\nSELECT count(*) FROM users;\nSQL", 'read'],
  ['comment mentioning rm', '# rm -rf / would be bad\nls -la', 'read'],
  ['trailing comment', 'uptime  # rm -rf /', 'read'],
  ['only comments', '# nothing here\n# really', 'read'],
  // wrappers
  ['sudo + read', 'sudo nft list chain inet filter forward | grep docker', 'read'],
  ['sudo + write', 'sudo nft add rule inet filter forward iifname "docker0" accept', 'write'],
  ['sudo + unknown', 'sudo ./fix.sh', 'write'],
  ['sudo + rm -rf', 'sudo rm -rf /var/lib/app', 'destructive'],
  ['sudo -i is a login shell', 'sudo -i', 'write'],
  ['watch wrapping read', "watch -n 5 'curl -s http://localhost:9000/metrics | grep -E \"(error|latency)\"'", 'read'],
  ['watch wrapping kill', "watch -n 1 'pkill -f worker'", 'destructive'],
  ['sh -c payload', "sh -c 'ls /tmp && cat /etc/hostname'", 'read'],
  ['bash -c payload with rm', 'bash -c "rm -rf /tmp/x"', 'destructive'],
  ['timeout wrapper', 'timeout 5 curl -s localhost/health', 'read'],
  ['env wrapper with unknown', 'env FOO=1 ./run.sh', 'write'],
  ['xargs kill', 'pgrep -f x | xargs kill', 'destructive'],
  ['xargs default echo', 'ls | xargs', 'read'],
  ['ssh remote read', 'ssh -p 2222 host uptime', 'read'],
  ['ssh remote restart', "ssh host 'systemctl restart nginx'", 'destructive'],
  ['ssh session', 'ssh host', 'write'],
  ['docker exec read', 'docker exec nova_db pg_isready -U nova', 'read'],
  ['docker exec unknown', 'docker exec -it app bash', 'write'],
  ['kubectl exec rm', 'kubectl exec pod -- rm -rf /data', 'destructive'],
  // curl
  ['curl POST across continuation lines', 'curl \\\n  -X POST \\\n  http://localhost:7211/cache/clear', 'write'],
  ['curl --request=PUT', 'curl --request=PUT http://x/y', 'write'],
  ['curl -XDELETE deletes', 'curl -XDELETE http://x/y', 'destructive'],
  ['curl POST to a delete endpoint', 'curl -X POST http://x/api/v1/admin/tsdb/delete_series?match[]=up', 'destructive'],
  ['curl POST elsewhere writes', 'curl -X POST http://x/api/v1/deleted-items-report', 'write'],
  ['curl -X GET', 'curl -X GET http://x/y', 'read'],
  ['curl -I', 'curl -I http://x/y', 'read'],
  ['curl -d implies POST', "curl http://x -d '{\"a\":1}'", 'write'],
  ['curl -G -d stays GET', 'curl -G http://x/search -d q=1', 'read'],
  ['curl --data-urlencode', 'curl --data-urlencode q=1 http://x', 'write'],
  ['curl -F form', 'curl -F file=@x http://x', 'write'],
  ['curl -T upload', 'curl -T x http://x', 'write'],
  ['curl -o file', 'curl -o out.json http://x', 'write'],
  ['curl -sSo file', 'curl -sSo out.json http://x', 'write'],
  ['curl -o /dev/null', "curl -s -o /dev/null -w '%{http_code}' http://x", 'read'],
  ['curl -O', 'curl -O http://x/file.tgz', 'write'],
  ['curl with auth is read', 'curl -u admin:admin http://localhost:3000/api/health', 'read'],
  // psql / SQL
  ['PGPASSWORD psql SELECT 1', 'PGPASSWORD=x psql -h localhost -p 6432 -U nova -d nova_aos -c "SELECT 1"', 'read'],
  ['psql describe', 'PGPASSWORD=x psql -h localhost -U nova -d nova_aos -c "\\d aos_traces"', 'read'],
  ['psql DELETE', 'psql -c "DELETE FROM x"', 'destructive'],
  ['psql DROP', "psql -c 'drop table x'", 'destructive'],
  ['psql TRUNCATE', 'psql -c "TRUNCATE aos_traces"', 'destructive'],
  ['psql SELECT then DELETE', 'psql -c "SELECT 1; DELETE FROM x"', 'destructive'],
  ['psql SELECT then UPDATE', 'psql -c "SELECT 1; UPDATE x SET a = 1"', 'write'],
  ['psql INSERT', 'psql -c "INSERT INTO x VALUES (1)"', 'write'],
  ['psql pg_terminate_backend ends sessions', 'psql -c "SELECT pg_terminate_backend(123)"', 'destructive'],
  ['pgbouncer console KILL', 'pgb-console -c "KILL gitlabhq_production;"', 'destructive'],
  ['pgbouncer console PAUSE', 'pgb-console -c "PAUSE gitlabhq_production;"', 'write'],
  ['pgbouncer console SHOW', 'pgb-console -c "SHOW POOLS;"', 'read'],
  ['psql string mentioning DELETE', "psql -c \"SELECT count(*) FROM log WHERE msg = 'DELETE FROM x'\"", 'read'],
  ['psql -f script', 'psql -f migrate.sql', 'write'],
  ['psql interactive', 'psql -h db', 'write'],
  ['SQL in an unknown tool', './dbshell.sh "DROP TABLE users"', 'destructive'],
  ['grep for DELETE FROM stays read', 'grep "DELETE FROM" app.log', 'read'],
  ['pg_restore', 'pg_restore -d db dump.sql', 'destructive'],
  // services, containers, git
  ['systemctl status', 'systemctl --user status roxy-core', 'read'],
  ['systemctl start', 'systemctl start nginx', 'write'],
  ['systemctl restart', 'systemctl restart nginx', 'destructive'],
  ['docker compose up', 'docker compose up -d', 'write'],
  ['docker compose down', 'docker compose -f prod.yml down', 'destructive'],
  ['docker-compose restart', 'docker-compose restart web', 'destructive'],
  ['docker stop', 'docker stop web', 'destructive'],
  ['docker rm', 'docker rm -f web', 'destructive'],
  ['docker stats --no-stream', 'docker stats --no-stream', 'read'],
  ['docker images', 'docker images', 'read'],
  ['docker run', 'docker run --rm alpine true', 'write'],
  ['kubectl get', 'kubectl get pods -n prod', 'read'],
  ['kubectl delete', 'kubectl delete pod x', 'destructive'],
  ['kubectl apply', 'kubectl apply -f x.yaml', 'write'],
  ['git log', 'git -C ~/.roxy log --oneline -5', 'read'],
  ['git reset', 'git reset --hard HEAD~1', 'destructive'],
  ['git clean', 'git clean -fdx', 'destructive'],
  ['git pull', 'git pull', 'write'],
  // files, packages, migrations
  ['rm without flags', 'rm /tmp/x.lock', 'destructive'], // deleting a file is destructive, flags or not
  ['rm -f', 'rm -f /tmp/roxy_*.lock 2>/dev/null', 'destructive'],
  ['rm -r', 'rm -r build', 'destructive'],
  ['sed -i', "sed -i 's/a/b/' config.yaml", 'write'],
  ['sed without -i', "sed -n '1,5p' config.yaml", 'read'],
  ['awk reads', "awk '{print $1}' /etc/hosts", 'read'],
  ['awk system()', "awk '{system(\"rm \" $1)}' list", 'write'],
  ['tee', 'echo x | tee /etc/x.conf', 'write'],
  ['tee /dev/null', 'echo x | tee /dev/null', 'read'],
  ['cp', 'cp archive/a.yaml config/a.yaml', 'write'],
  ['mkdir', 'mkdir -p /srv/x', 'write'],
  ['find', 'find /var/log -name "*.log" -mtime +7', 'read'],
  ['find -delete', 'find /var/log -name "*.log" -delete', 'destructive'],
  ['find -exec grep', 'find . -name "*.py" -exec grep -l TODO {} \\;', 'write'],
  ['find -exec rm', 'find . -name "*.tmp" -exec rm -f {} +', 'destructive'],
  ['apt install', 'sudo apt install -y jq', 'write'],
  ['pip install', 'pip install -r requirements.txt', 'write'],
  // A program named by a path outside the system folders may be anything an earlier cell put there.
  ['pip check via venv path', '~/.roxy/venv/bin/pip check', 'write'],
  ['pip check via system path', '/usr/bin/pip check', 'read'],
  ['npm install', 'npm install', 'write'],
  ['alembic current', 'alembic current', 'read'],
  ['alembic downgrade', 'alembic downgrade -1', 'destructive'],
  ['migrate.sh downgrade', './scripts/migrate.sh downgrade -1', 'destructive'],
  ['--execute flag', './scripts/restore_drill.sh backup.tgz --execute', 'destructive'],
  ['python -m py_compile', 'python3 -m py_compile ~/.roxy/roxy_core.py', 'write'],
  ['python script', 'python3 y.py', 'write'],
  ['unknown relative script', './scripts/x.sh', 'write'],
  ['unknown home script', '~/.roxy/scripts/prod_deploy.sh', 'write'],
  ['source .env', 'source .env && curl -s http://localhost/x', 'write'],
  ['dd', 'dd if=/dev/zero of=/dev/sdb bs=1M', 'destructive'],
  ['mkfs', 'mkfs.ext4 /dev/sdb1', 'destructive'],
  ['reboot', 'sudo reboot', 'destructive'],
  ['shutdown', 'shutdown -h now', 'destructive'],
  ['nft flush', 'sudo nft flush ruleset', 'destructive'],
  ['journalctl --vacuum-time deletes journal files', 'journalctl --vacuum-time=2d', 'destructive'],
  ['journalctl follow', 'journalctl _COMM=python -f', 'read'],
  ['top -b', 'top -b -n 1 | head -5', 'read'],
  ['nvidia-smi', 'nvidia-smi', 'read'],
  ['rocm-smi', 'rocm-smi', 'read'],
  ['export and assignment', 'export PROFILE=core\nX=1', 'read'],
  ['assignment from substitution', 'TOKEN=$(cat ~/.roxy/secret.token)', 'read'],
  ['assignment from a write substitution', 'OUT=$(curl -X POST http://x/run)', 'write'],
  ['prefix assignment + unknown', 'PROFILE=core python3 scripts/launch.py', 'write'],
  ['test -f && echo', 'test -f ~/.roxy/secret.token && echo OK', 'read'],
  ['[[ ]] with > is a comparison', 'if [[ "$a" > "$b" ]]; then echo yes; fi', 'read'],
  ['ping and dig', 'ping -c 2 8.8.8.8 && dig example.com', 'read'],
  ['unclosed quote is at least write', 'echo "unclosed', 'write'],
  ['variable as a command', '$CMD --flag', 'write'],
  ['process substitution', 'diff <(ls a) <(ls b)', 'read'],
  ['process substitution with rm', 'cat <(rm -rf /tmp/x)', 'destructive'],
];

describe('classifyRisk: tricky shell cases', () => {
  it.each(TRICKY)('%s', (_label, command, level) => {
    expect(classifyRisk('shell', command).level).toBe(level);
  });
});

describe('classifyRisk: reasons name the rule and the matched text', () => {
  it('destructive rm', () => {
    expect(classifyRisk('shell', 'rm -rf data/state/*').reason).toBe('destructive: rm -rf (rm with -r/-f) in "rm -rf data/state/*"');
  });
  it('read lists the commands', () => {
    expect(classifyRisk('shell', 'curl -sS http://127.0.0.1:8766/health | jq').reason).toBe('read: every command is read-only (curl, jq)');
  });
  it('unknown command', () => {
    expect(classifyRisk('shell', './scripts/migrate.sh upgrade head').reason).toBe('write: unknown command "./scripts/migrate.sh"');
  });
  it('the worst command is named, not the first', () => {
    const finding = classifyRisk('shell', 'ls\ncurl -X POST http://x/cancel\nkill 1');
    expect(finding.reason).toBe('destructive: kill (signals processes) in "kill 1"');
  });
  it('a prefix assignment (a password) stays out of the reason', () => {
    const finding = classifyRisk('shell', 'PGPASSWORD=novapass pg_restore -h localhost -d nova_aos /x.dump');
    expect(finding.level).toBe('destructive');
    expect(finding.reason).not.toContain('novapass');
  });
  it('redirect reason names the target', () => {
    expect(classifyRisk('shell', 'curl http://x > state.json').reason).toBe('write: redirect to a file (> state.json) in "curl http://x > state.json"');
  });
  it('continuation lines are flattened in the reason', () => {
    expect(classifyRisk('shell', 'curl -X POST http://x/a \\\n  -H "A: b"').reason).toBe('write: curl -X POST (HTTP POST request) in "curl -X POST http://x/a -H "A: b""');
  });
});

describe('classifyRisk: other cell kinds', () => {
  it.each([
    ['GET', 'read'],
    ['HEAD', 'read'],
    ['OPTIONS', 'read'],
    ['POST', 'write'],
    ['PUT', 'write'],
    ['PATCH', 'write'],
    ['DELETE', 'destructive'],
    ['TRACE', 'write'],
  ] as const)('http %s', (method, level) => {
    const finding = classifyRisk('http', `${method} http://localhost/x`, { method, url: 'http://localhost/x', headers: [] });
    expect(finding.level).toBe(level);
    expect(finding.reason).toContain(method);
  });
  it('http without a parsed request reads the request line', () => {
    expect(classifyRisk('http', '# comment\nPOST http://x/y\n').level).toBe('write');
    expect(classifyRisk('http', 'GET http://x/y').level).toBe('read');
  });
  it('promql, assert, expect and doc are read', () => {
    expect(classifyRisk('promql', 'up{job="x"}').level).toBe('read');
    expect(classifyRisk('assert', 'status == 200').level).toBe('read');
    expect(classifyRisk('expect', '{"ok": true}').level).toBe('read');
    expect(classifyRisk('doc', 'rm -rf /').level).toBe('read');
  });
});
