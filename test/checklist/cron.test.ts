import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cronProblem, cronTimesBetween, cronToOnCalendar, isTimeZone, latestCronTime, nextCronTime } from '../../src/checklist/index.js';
import { isRunproofError } from '../../src/core/index.js';

const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));

describe('cron helpers (croner)', () => {
  it('validates expressions and time zones', () => {
    expect(cronProblem('0 6 * * *')).toBeNull();
    expect(cronProblem('*/5 * * * * *')).toBeNull();
    expect(cronProblem('61 * * * *')).toMatch(/not valid/);
    expect(cronProblem('0 6 * *')).toMatch(/five or six/);
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('finds the fire time a late trigger belongs to, and the times in between', () => {
    const s = { cron: '0 6 * * *', timezone: 'UTC' };
    expect(latestCronTime(s, new Date('2026-01-22T10:15:00Z'))!.toISOString()).toBe('2026-01-22T06:00:00.000Z');
    expect(latestCronTime({ cron: '0 0 1 1 *', timezone: 'UTC' }, new Date('2026-03-01T00:00:00Z'))!.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(nextCronTime(s, new Date('2026-01-22T06:00:00Z'))!.toISOString()).toBe('2026-01-23T06:00:00.000Z');
    const between = cronTimesBetween(s, new Date('2026-01-20T06:00:00Z'), new Date('2026-01-25T06:00:00Z'), 3);
    expect(between.total).toBe(5);
    expect(between.times.map((d) => d.toISOString())).toEqual(['2026-01-21T06:00:00.000Z', '2026-01-22T06:00:00.000Z', '2026-01-23T06:00:00.000Z']);
    // The time zone moves the instant.
    expect(latestCronTime({ cron: '0 6 * * *', timezone: 'Europe/Berlin' }, new Date('2026-01-22T10:15:00Z'))!.toISOString()).toBe('2026-01-22T05:00:00.000Z');
  });

  it('writes OnCalendar specs, two when day of month and day of week are both set', () => {
    expect(cronToOnCalendar({ cron: '30 6 * * 1-5', timezone: 'Europe/Berlin' })).toEqual(['Mon..Fri *-*-* 06:30:00 Europe/Berlin']);
    expect(cronToOnCalendar({ cron: '*/15 * * * *' })).toEqual(['*-*-* *:00,15,30,45:00']);
    expect(cronToOnCalendar({ cron: '0 0 1,15 * sun' })).toEqual(['*-*-01,15 00:00:00', 'Sun *-*-* 00:00:00']);
    expect(cronToOnCalendar({ cron: '0 8-17 * jan,jul *' })).toEqual(['*-01,07-* 08..17:00:00']);
    expect(cronToOnCalendar({ cron: '*/10 * * * * *' })[0]).toBe('*-*-* *:*:00,10,20,30,40,50');
    try {
      cronToOnCalendar({ cron: '0 0 L * *' });
      throw new Error('not thrown');
    } catch (error) {
      expect(isRunproofError(error) && error.code).toBe('RP_BAD_CHECKLIST');
    }
  });

  it.runIf(SYSTEMD_ANALYZE)('has systemd-analyze accept every OnCalendar spec it writes, with the same next time as croner', () => {
    for (const cron of ['30 6 * * 1-5', '*/15 * * * *', '0 0 1,15 * *', '0 8-17 * jan,jul *', '5 4 * * sun', '*/10 * * * * *']) {
      for (const spec of cronToOnCalendar({ cron, timezone: 'UTC' })) {
        const out = execFileSync(SYSTEMD_ANALYZE!, ['calendar', spec], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
        expect(out).toMatch(/Normalized form:/);
      }
      // One spec: systemd's next elapse equals croner's next time.
      const specs = cronToOnCalendar({ cron, timezone: 'UTC' });
      if (specs.length === 1) {
        const out = execFileSync(SYSTEMD_ANALYZE!, ['calendar', '--base-time=2026-01-22 10:15:07 UTC', specs[0]!], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
        const next = /Next elapse: \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/.exec(out)?.[1];
        expect(next, out).toBe(nextCronTime({ cron, timezone: 'UTC' }, new Date('2026-01-22T10:15:07Z'))!.toISOString().slice(0, 19).replace('T', ' '));
      }
    }
  });
});
