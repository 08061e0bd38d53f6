// A report must stay usable with a thousand steps: each output block shows at most a screenful
// or two inline (head and tail); the full text stays in the record and the bundle's log file.

/** How much of one output block a report shows inline. */
export interface ClipLimits {
  /** Lines kept when clipping, split between head and tail. */
  maxLines: number;
  /** Characters kept when clipping, split between head and tail. */
  maxChars: number;
}

/** The report's default: 400 lines or 32 Ki characters per block before head and tail are shown. */
export const DEFAULT_CLIP_LIMITS: ClipLimits = { maxLines: 400, maxChars: 32 * 1024 };

export interface ClippedText {
  text: string;
  /** True when lines were left out of `text`. */
  clipped: boolean;
  /** Lines and characters left out. */
  omittedLines: number;
  omittedChars: number;
}

// Cuts at a code-point boundary: a lone surrogate half would show as garbage.
function safeSlice(text: string, start: number, end: number): string {
  let s = start;
  let e = end;
  if (s > 0 && s < text.length && isLowSurrogate(text.charCodeAt(s))) s += 1;
  if (e < text.length && e > 0 && isLowSurrogate(text.charCodeAt(e))) e -= 1;
  return text.slice(s, Math.max(s, e));
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Keeps the head and tail of a long text, with a marker line between saying how much is left
 * out. Text within the limits is returned unchanged.
 * @example clipText(hugeLog, { maxLines: 10, maxChars: 1000 }).text
 */
export function clipText(text: string, limits: ClipLimits = DEFAULT_CLIP_LIMITS): ClippedText {
  const lines = text.split('\n');
  if (text.length <= limits.maxChars && lines.length <= limits.maxLines) {
    return { text, clipped: false, omittedLines: 0, omittedChars: 0 };
  }
  const halfLines = Math.max(1, Math.floor(limits.maxLines / 2));
  const halfChars = Math.max(1, Math.floor(limits.maxChars / 2));
  let head: string;
  let tail: string;
  const byLines = lines.length > limits.maxLines;
  if (byLines) {
    head = lines.slice(0, halfLines).join('\n');
    tail = lines.slice(Math.max(halfLines, lines.length - halfLines)).join('\n');
  } else {
    head = text;
    tail = '';
  }
  if (!byLines) {
    // Few but very long lines: keep the first and last characters.
    tail = safeSlice(head, head.length - halfChars, head.length);
    head = safeSlice(head, 0, halfChars);
  } else {
    if (head.length > halfChars) head = safeSlice(head, 0, halfChars);
    if (tail.length > halfChars) tail = safeSlice(tail, tail.length - halfChars, tail.length);
  }

  const omittedChars = Math.max(0, text.length - head.length - tail.length);
  const headLines = head.split('\n').length;
  const tailLines = tail === '' ? 0 : tail.split('\n').length;
  const omittedLines = Math.max(0, lines.length - headLines - tailLines);
  const marker = `… ${omittedLines} more line${omittedLines === 1 ? '' : 's'} (${omittedChars} characters) not shown in this report …`;
  return { text: `${head}\n${marker}\n${tail}`, clipped: true, omittedLines, omittedChars };
}
