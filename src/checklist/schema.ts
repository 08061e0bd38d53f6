// The checklist file (SPEC §5): YAML that names runbooks, selections, schedules, parameters,
// policy and where evidence and reports go. Plain zod (no transforms) so that the same schema
// is published as JSON Schema; the checks zod cannot express (cron, time zone, durations,
// runbook files) run after it in load.ts.
import { z } from 'zod';
import { RiskLevelSchema } from '../parse/index.js';

/** `10m`, `30s`, `1h30m`, `500ms` or a number of seconds. */
const DurationSchema = z.union([z.string().min(1), z.number().min(0)]).describe('a duration: 500ms, 30s, 10m, 1h, or a number of seconds');

/** A parameter value: literal, `env:NAME` (read from the environment at run time), or the long form. */
export const ParamValueSchema = z.union([
  z.string().describe('the value, or env:NAME to read it from the environment when the checklist runs'),
  z.number(),
  z.boolean(),
  z.strictObject({
    value: z.union([z.string(), z.number(), z.boolean()]).optional().describe('a literal value'),
    env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional().describe('the environment variable holding the value'),
    secret: z.boolean().optional().describe('redact the value from every file of the bundle (names holding TOKEN, SECRET, PASSWORD, KEY, AUTH are secret anyway)'),
  }),
]);
export type ParamValue = z.infer<typeof ParamValueSchema>;

/** A cron expression (5 fields, or 6 with seconds first), alone or with its time zone. */
export const ScheduleSchema = z.union([
  z.string().min(1).describe('cron expression: "0 6 * * *", or 6 fields with seconds first'),
  z.strictObject({
    cron: z.string().min(1),
    timezone: z.string().min(1).optional().describe('IANA time zone, e.g. Europe/Berlin (default: the host time zone)'),
  }),
]);

/** Where a JSON summary is POSTed after a run. */
export const WebhookSchema = z.union([
  z.string().min(1).describe('URL; POSTed on failure'),
  z.strictObject({
    url: z.string().min(1),
    on: z.enum(['failure', 'always']).optional().describe('failure (default): failed, aborted or errored runs; always: every run'),
    secret: z.string().min(1).optional().describe('HMAC-SHA256 key for X-Runproof-Signature; env:NAME reads it from the environment'),
    timeout: DurationSchema.optional().describe('per attempt (default 10s)'),
    retries: z.number().int().min(0).max(5).optional().describe('attempts after the first (default 1)'),
  }),
]);

const AllowSchema = z.union([RiskLevelSchema, z.array(RiskLevelSchema)]).describe('risk levels that may run unattended (default read)');

// Fields a checklist and `defaults` share.
const sharedFields = {
  schedule: ScheduleSchema.optional(),
  timezone: z.string().min(1).optional().describe('IANA time zone of `schedule` (default: the host time zone)'),
  params: z.record(z.string(), ParamValueSchema).optional(),
  allow: AllowSchema.optional(),
  timeout: DurationSchema.optional().describe('default timeout of each step (a cell\'s own timeout wins)'),
  maxDuration: DurationSchema.optional().describe('the whole run is aborted after this long'),
  evidenceDir: z.string().min(1).optional().describe('where bundles go, relative to this file (default: evidence)'),
  archive: z.enum(['tgz', 'zip']).optional().describe('also write each sealed bundle as one archive'),
  junit: z.string().min(1).optional().describe('JUnit XML file; checklists sharing a path share the file (one testsuite each)'),
  textfile: z.string().min(1).optional().describe('Prometheus textfile-collector file (*.prom); may be shared'),
  webhook: WebhookSchema.optional(),
  retries: z.number().int().min(0).max(10).optional().describe('runs again after a failure, each try its own bundle (default 0)'),
  retryDelay: DurationSchema.optional().describe('pause between tries (default 30s)'),
  cwd: z.string().min(1).optional().describe('directory shell cells start in, relative to this file (default: this file\'s directory)'),
  // A run on hosts (`runproof run --host/--hosts`): shell cells run on each host over OpenSSH.
  hosts: z.array(z.string().min(1)).min(1).optional().describe('hosts to run on over ssh (ssh aliases or addresses), as --host'),
  inventory: z.string().min(1).optional().describe('hosts file: one host a line, or an Ansible inventory (INI or YAML), relative to this file; as --hosts'),
  group: z.string().min(1).optional().describe('with inventory: only this group (and its children); as --group'),
  sshConfig: z.string().min(1).optional().describe('ssh_config for the hosts (ssh -F), relative to this file; as --ssh-config'),
  parallel: z.number().int().min(1).max(9999).optional().describe('hosts run at once (default 5); as --parallel'),
  maxFail: z.union([z.number().int().min(0).max(9999), z.string().regex(/^(\d{1,4}|\d{1,3}(\.\d+)?%)$/, 'a count or a percentage, e.g. 2 or 20%')]).optional().describe('stop starting new hosts once more than this many (or this share) failed; as --max-fail'),
  canary: z.number().int().min(1).max(9999).optional().describe('run on the first K hosts, then on the rest only if they passed; as --canary'),
};

/** One checklist: a runbook selection run unattended, by hand or on a schedule. */
export const ChecklistSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, dot, dash and underscore, starting with a letter or digit')
    .max(100)
    .describe('unique name: the bundle name, the metrics label, the unit name'),
  description: z.string().optional(),
  runbook: z.string().min(1).describe('Markdown runbook, relative to this file'),
  sections: z.array(z.string().min(1)).optional(),
  cells: z.array(z.string().min(1)).optional(),
  tags: z.array(z.string().min(1)).optional(),
  evidenceName: z.string().min(1).optional().describe('bundle name (default: the checklist name)'),
  ...sharedFields,
});
export type ChecklistInput = z.infer<typeof ChecklistSchema>;

/** Values every checklist of the file inherits unless it sets its own. */
export const ChecklistDefaultsSchema = z.strictObject(sharedFields);

/** A checklist file. */
export const ChecklistFileSchema = z
  .strictObject({
    version: z.literal(1).optional(),
    defaults: ChecklistDefaultsSchema.optional(),
    checklists: z.array(ChecklistSchema).min(1),
  })
  .describe('runproof checklist file');
export type ChecklistFileInput = z.infer<typeof ChecklistFileSchema>;
