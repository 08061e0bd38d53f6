// Text normalisation before parsing: the one place that knows about BOMs and line endings, so
// that line numbers are right and no `\r` ever reaches a command.

/** A runbook's text with its BOM removed and every CRLF or lone CR turned into LF. */
export function normalizeText(text: string): string {
  const withoutBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return withoutBom.indexOf('\r') === -1 ? withoutBom : withoutBom.replace(/\r\n?/g, '\n');
}

/** The lines of normalised text (no line terminators); a final LF does not open a new line. */
export function splitLines(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
