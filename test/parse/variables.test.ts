import { describe, expect, it } from 'vitest';
import { WELL_KNOWN_ENV, findVariableReads, findVariableWrites } from '../../src/parse/variables.js';

const READS: [string, string[]][] = [
  ['curl -s -H "X-API-Key: $AOS_API_KEY" http://x', ['AOS_API_KEY']],
  ['kubectl get pods -n $NAMESPACE ${POD}', ['NAMESPACE', 'POD']],
  ['echo ${#LIST} ${NAME%.*} ${!REF}', ['LIST', 'NAME', 'REF']],
  ['echo ${NEEDED:?set NEEDED first}', ['NEEDED']],
  ['echo ${OPT:-default} ${FLAG:+on} ${X-y} ${Y+z}', []],
  ['echo ${A:=1}; echo $A', []],
  ['echo $1 $? $$ $@ $# $* $! $0 ${2}', []],
  ["awk '{print $1}' f; jq '.x' g; echo '$NOT_READ'", []],
  ['# echo $IN_COMMENT\nls', []],
  ["cat <<'EOF'\n$QUOTED_HEREDOC\nEOF", []],
  ['cat <<EOF\n$OPEN_HEREDOC\nEOF', ['OPEN_HEREDOC']],
  ['for port in 7200 9000; do\n  curl -s http://localhost:$port/health\ndone', []],
  ['TOKEN=$(cat ~/.roxy/secret.token)\ncurl -H "X-ROXY-Token: $TOKEN" http://x', []],
  ['read -r ANSWER; echo $ANSWER', []],
  ['VAR=1 cmd $VAR', []],
  ['VAR=1 cmd; echo $VAR', ['VAR']],
  ['export X=1; echo $X $Y', ['Y']],
  ['echo $B $A $B', ['B', 'A']],
  ['echo "$(echo $INNER)" $OUTER', ['INNER', 'OUTER']],
  ['echo ${D:-$FALLBACK}', ['FALLBACK']],
  ['echo $(( COUNT + $STEP ))', ['STEP']],
  ['source .env && curl -H "X-API-Key: $AOS_API_KEY" http://x', []],
  ['echo $BEFORE; . ./vars.sh; echo $AFTER', ['BEFORE']],
  ['echo $HOME $PATH', ['HOME', 'PATH']],
  ['X=$X:/extra', ['X']],
  ['while read -r line; do echo "$line"; done < f', []],
  ["echo \"it's $WHO\"", ['WHO']],
];

describe('findVariableReads', () => {
  it.each(READS)('%s', (command, names) => {
    expect(findVariableReads(command)).toEqual(names);
  });
});

const WRITES: [string, string[]][] = [
  ['export PROFILE=core', ['PROFILE']],
  ['export DISABLE_AUTO_RESTART=true', ['DISABLE_AUTO_RESTART']],
  ['TOKEN=$(cat x)', ['TOKEN']],
  ['A=1 B=2', ['A', 'B']],
  ['VAR=1 cmd', []],
  ['read -r -p "Name? " NAME OTHER', ['NAME', 'OTHER']],
  ['read -r', ['REPLY']],
  ['for i in 1 2; do echo $i; done', ['i']],
  ['declare -A MAP; local L=1; typeset T; readonly R=2; export E', ['MAP', 'L', 'T', 'R', 'E']],
  ['mapfile -t LINES < f', ['LINES']],
  ['getopts "ab" OPT', ['OPT']],
  ['printf -v OUT "%s" x', ['OUT']],
  ['echo ${CACHE:=/tmp/c}', ['CACHE']],
  ['(export SUB=1)', []],
  ['echo $(X=1)', []],
  ['# export COMMENTED=1', []],
  ['curl http://x | jq', []],
];

describe('findVariableWrites', () => {
  it.each(WRITES)('%s', (command, names) => {
    expect(findVariableWrites(command)).toEqual(names);
  });
});

describe('WELL_KNOWN_ENV', () => {
  it('holds what every shell has', () => {
    for (const name of ['HOME', 'PATH', 'USER', 'PWD', 'SHELL', 'LANG', 'TERM', 'HOSTNAME', 'UID', 'EUID', 'RANDOM', 'LINENO', 'SECONDS', 'OLDPWD', 'TMPDIR', 'IFS']) {
      expect(WELL_KNOWN_ENV.has(name), name).toBe(true);
    }
    expect(WELL_KNOWN_ENV.has('AOS_API_KEY')).toBe(false);
  });
});
