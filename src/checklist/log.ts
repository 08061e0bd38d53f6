// One line per scheduler event: `TIME EVENT checklist=NAME key=value...` for people, one JSON
// object per line with `--log-format json` for log shippers.

/** One thing that happened in `checklist run` or `schedule`. */
export interface ChecklistEvent {
  /** ISO time; filled in by the logger when absent. */
  time?: string;
  event:
    | 'scheduler-start'
    | 'scheduled'
    | 'unscheduled'
    | 'missed'
    | 'skipped'
    | 'run-start'
    | 'run-end'
    | 'run-error'
    | 'retry'
    | 'webhook'
    | 'output-error'
    | 'reload'
    | 'reload-failed'
    | 'signal'
    | 'scheduler-stop';
  checklist?: string;
  message?: string;
  [key: string]: unknown;
}

/** Where events go. */
export type ChecklistLogger = (event: ChecklistEvent) => void;

function textValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

/** Formats one event as one line (no newline). */
export function formatEvent(event: ChecklistEvent, format: 'text' | 'json'): string {
  const full = { time: event.time ?? new Date().toISOString(), ...event };
  if (format === 'json') return JSON.stringify(full);
  const { time, event: name, message, ...rest } = full;
  const fields = Object.entries(rest)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${textValue(v)}`);
  return [time, name, ...fields, ...(message ? [`- ${message.replace(/\r?\n/g, ' ')}`] : [])].join(' ');
}

/** A logger writing one line per event to a stream. */
export function createLineLogger(out: NodeJS.WritableStream, format: 'text' | 'json'): ChecklistLogger {
  return (event) => {
    out.write(`${formatEvent(event, format)}\n`);
  };
}
