// Cron expressions through croner (one library reads them everywhere: the scheduler, missed-run
// detection, `--trigger schedule`, and the OnCalendar translation for systemd timers).
import { Cron, CronPattern } from 'croner';
import { RunproofError } from '../core/index.js';

/** A parsed schedule: the expression as written and the zone it is read in. */
export interface CronSchedule {
  cron: string;
  timezone?: string;
}

function cronOptions(schedule: CronSchedule): { paused: true; timezone?: string } {
  return schedule.timezone ? { paused: true, timezone: schedule.timezone } : { paused: true };
}

/** Why a cron expression is not valid, or null. */
export function cronProblem(expression: string, timezone?: string): string | null {
  try {
    const job = new Cron(expression, timezone ? { paused: true, timezone } : { paused: true });
    if (job.nextRun() === null) return `cron expression "${expression}" never fires`;
    return null;
  } catch (error) {
    return `cron expression "${expression}" is not valid: ${(error as Error).message.replace(/^CronPattern: /, '')}`;
  }
}

/** Whether the runtime knows an IANA time zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The first time the schedule fires strictly after `after`. */
export function nextCronTime(schedule: CronSchedule, after: Date): Date | null {
  return new Cron(schedule.cron, cronOptions(schedule)).nextRun(after);
}

/**
 * The times the schedule fired strictly after `after` and at or before `until`, oldest first,
 * at most `max` of them; `total` counts all (up to `countLimit`).
 */
export function cronTimesBetween(schedule: CronSchedule, after: Date, until: Date, max: number, countLimit = 1_000_000): { times: Date[]; total: number } {
  const job = new Cron(schedule.cron, cronOptions(schedule));
  const times: Date[] = [];
  let total = 0;
  let cursor: Date | null = job.nextRun(after);
  while (cursor !== null && cursor.getTime() <= until.getTime() && total < countLimit) {
    total += 1;
    if (times.length < max) times.push(cursor);
    cursor = job.nextRun(cursor);
  }
  return { times, total };
}

// The fire time a late trigger belongs to (a systemd timer catching up, a cron daemon's delay):
// looks back in growing windows so that frequent schedules stay cheap.
/** The latest time the schedule fired at or before `now`, looking back at most `maxLookBackMs`. */
export function latestCronTime(schedule: CronSchedule, now: Date, maxLookBackMs = 400 * 24 * 3600 * 1000): Date | null {
  const job = new Cron(schedule.cron, cronOptions(schedule));
  for (let window = 60_000; ; window *= 4) {
    const span = Math.min(window, maxLookBackMs);
    let cursor = job.nextRun(new Date(now.getTime() - span));
    let latest: Date | null = null;
    let steps = 0;
    while (cursor !== null && cursor.getTime() <= now.getTime() && steps < 100_000) {
      latest = cursor;
      cursor = job.nextRun(cursor);
      steps += 1;
    }
    if (latest !== null) return latest;
    if (span >= maxLookBackMs) return null;
  }
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

// Writes the set values of one field the way systemd.time reads them: `*`, `a..b`, `a,b`.
function calendarField(flags: readonly number[], offset: number, width: number): string {
  const values = flags.flatMap((flag, index) => (flag ? [index + offset] : []));
  if (values.length === flags.length) return '*';
  const pad = (n: number): string => String(n).padStart(width, '0');
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j += 1;
    parts.push(j - i >= 2 ? `${pad(values[i]!)}..${pad(values[j]!)}` : values.slice(i, j + 1).map(pad).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * Translates a cron expression into systemd `OnCalendar=` values (two when both day of month
 * and day of week are set: cron fires on either, a calendar spec needs both).
 * @throws RunproofError RP_BAD_CHECKLIST for `L`, `#` and `?`, which OnCalendar cannot say.
 * @example cronToOnCalendar({ cron: '30 6 * * 1-5', timezone: 'Europe/Berlin' }) // ['Mon..Fri *-*-* 06:30:00 Europe/Berlin']
 */
export function cronToOnCalendar(schedule: CronSchedule): string[] {
  if (/[L#?W]/i.test(schedule.cron.replace(/[a-z]{3}/gi, (m) => (/^(mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)$/i.test(m) ? '0' : m)))) {
    throw new RunproofError('RP_BAD_CHECKLIST', `cron expression "${schedule.cron}" uses L, # or ?, which a systemd OnCalendar= cannot express`, {
      hint: 'use plain lists, ranges and steps, or run it with runproof schedule',
    });
  }
  const pattern = new CronPattern(schedule.cron, schedule.timezone);
  const time = `${calendarField(pattern.hour, 0, 2)}:${calendarField(pattern.minute, 0, 2)}:${calendarField(pattern.second, 0, 2)}`;
  const month = calendarField(pattern.month, 1, 2);
  const dom = calendarField(pattern.day, 1, 2);
  const dow = calendarField(pattern.dayOfWeek.slice(0, 7), 0, 1).replace(/\d/g, (d) => DAY_NAMES[Number(d)]!);
  const zone = schedule.timezone ? ` ${schedule.timezone}` : '';
  const spec = (weekday: string, day: string): string => `${weekday ? `${weekday} ` : ''}*-${month}-${day} ${time}${zone}`;
  if (!pattern.starDOM && !pattern.starDOW) return [spec('', dom), spec(dow, '*')];
  if (!pattern.starDOW) return [spec(dow, '*')];
  return [spec('', dom)];
}

/** Whether the expression has a seconds field that is not just `0` (system cron cannot say it). */
export function hasSeconds(expression: string): boolean {
  const fields = expression.trim().split(/\s+/);
  return fields.length === 6 && fields[0] !== '0';
}
