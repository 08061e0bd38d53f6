// Parser for the selector of `metric "name{label=\"v\"}"` and the label sets it shares with the
// Prometheus text exposition format (src/execute/prometheus-text.ts reads samples with it).

/** One label matcher of a selector: `job="api"` or `code!="200"`. */
export interface LabelMatcher {
  name: string;
  op: '=' | '!=';
  value: string;
}

/** `name{a="b"}`: a metric name (null when given only as `__name__` or not at all) and matchers. */
export interface MetricSelector {
  name: string | null;
  matchers: LabelMatcher[];
}

/** Thrown by the parsers here: what is wrong and the 0-based offset. */
export class MetricSyntaxError extends Error {
  readonly offset: number;
  readonly hint: string | undefined;
  constructor(message: string, offset: number, hint?: string) {
    super(message);
    this.name = 'MetricSyntaxError';
    this.offset = offset;
    this.hint = hint;
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/**
 * Parses a selector such as `roxy_pool_reachable{pool="6900xt"}`; labels may come in any order.
 * `__name__="x"` inside the braces sets the name; a quoted first item (`{"my.metric"}`) is the
 * Prometheus 3 form for names with dots.
 * @throws MetricSyntaxError
 */
export function parseMetricSelector(text: string): MetricSelector {
  let pos = 0;
  while (text[pos] === ' ') pos++;
  let name: string | null = null;
  const nameMatch = METRIC_NAME.exec(text.slice(pos));
  if (nameMatch !== null) {
    name = nameMatch[0];
    pos += name.length;
  }
  let matchers: LabelMatcher[] = [];
  while (text[pos] === ' ') pos++;
  if (text[pos] === '{') {
    const set = parseLabelBraces(text, pos, true);
    matchers = set.matchers;
    if (set.quotedName !== undefined) {
      if (name !== null) throw new MetricSyntaxError('the metric is named twice', pos);
      name = set.quotedName;
    }
    pos = set.end;
  }
  while (text[pos] === ' ') pos++;
  if (pos < text.length) {
    throw new MetricSyntaxError(`unexpected "${text[pos]}" in metric selector`, pos, 'write name{label="value"}');
  }
  const nameMatcher = matchers.find((m) => m.name === '__name__' && m.op === '=');
  if (nameMatcher !== undefined) {
    if (name !== null && name !== nameMatcher.value) throw new MetricSyntaxError('the metric is named twice', 0);
    name = nameMatcher.value;
    matchers = matchers.filter((m) => m !== nameMatcher);
  }
  if (name === null && matchers.length === 0) {
    throw new MetricSyntaxError('a metric selector needs a name', 0, 'write name{label="value"}, e.g. roxy_pool_reachable{pool="6900xt"}');
  }
  return { name, matchers };
}

/**
 * Reads `{a="b",c!="d"}` starting at `start` (the `{`). With `allowNotEqual` false only `=` is
 * accepted (exposition label sets). Returns the matchers, a quoted leading name and the end offset.
 * @throws MetricSyntaxError
 */
export function parseLabelBraces(text: string, start: number, allowNotEqual: boolean): { matchers: LabelMatcher[]; quotedName?: string; end: number } {
  let pos = start + 1;
  const matchers: LabelMatcher[] = [];
  let quotedName: string | undefined;
  const skip = (): void => {
    while (text[pos] === ' ' || text[pos] === '\t') pos++;
  };
  for (;;) {
    skip();
    if (text[pos] === '}') return { matchers, quotedName, end: pos + 1 };
    if (pos >= text.length) throw new MetricSyntaxError('unclosed "{" in metric selector', start, 'close it with }');
    let labelName: string;
    if (text[pos] === '"') {
      const quoted = readLabelValue(text, pos);
      pos = quoted.end;
      skip();
      if (text[pos] === ',' || text[pos] === '}') {
        if (quotedName !== undefined || matchers.length > 0) throw new MetricSyntaxError('a quoted metric name must come first', pos);
        quotedName = quoted.value;
        if (text[pos] === ',') pos++;
        continue;
      }
      labelName = quoted.value;
    } else {
      const match = LABEL_NAME.exec(text.slice(pos));
      if (match === null) throw new MetricSyntaxError(`expected a label name, got "${text[pos]}"`, pos, 'labels look like job="api"');
      labelName = match[0];
      pos += labelName.length;
    }
    skip();
    let op: '=' | '!=';
    if (text.startsWith('=~', pos) || text.startsWith('!~', pos)) {
      throw new MetricSyntaxError('regex label matchers are not supported', pos, 'use = or != with an exact value');
    } else if (text.startsWith('!=', pos) && allowNotEqual) {
      op = '!=';
      pos += 2;
    } else if (text[pos] === '=') {
      op = '=';
      pos += 1;
    } else {
      throw new MetricSyntaxError(`expected = after label "${labelName}"`, pos, allowNotEqual ? 'write label="value" or label!="value"' : 'write label="value"');
    }
    skip();
    if (text[pos] !== '"') throw new MetricSyntaxError(`the value of label "${labelName}" must be quoted`, pos, `write ${labelName}="..."`);
    const value = readLabelValue(text, pos);
    pos = value.end;
    matchers.push({ name: labelName, op, value: value.value });
    skip();
    if (text[pos] === ',') {
      pos++;
      continue;
    }
    if (text[pos] !== '}') {
      throw new MetricSyntaxError(pos >= text.length ? 'unclosed "{" in metric selector' : `unexpected "${text[pos]}" in labels`, pos, 'separate labels with , and close with }');
    }
  }
}

// A double-quoted label value with the exposition format's escapes: \\, \" and \n.
function readLabelValue(text: string, start: number): { value: string; end: number } {
  let pos = start + 1;
  let value = '';
  while (pos < text.length) {
    const ch = text[pos]!;
    if (ch === '"') return { value, end: pos + 1 };
    if (ch === '\\') {
      const next = text[pos + 1];
      if (next === 'n') value += '\n';
      else if (next === '\\' || next === '"') value += next;
      else if (next === undefined) break;
      else value += `\\${next}`;
      pos += 2;
      continue;
    }
    value += ch;
    pos++;
  }
  throw new MetricSyntaxError('unterminated label value', start, 'close it with "');
}

/** The first metric name at the start of `text` (exposition sample lines), or null. */
export function readMetricName(text: string): string | null {
  const match = METRIC_NAME.exec(text);
  return match === null ? null : match[0];
}
