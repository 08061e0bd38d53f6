import type { CommandRegistrar } from '../program.js';
import { registerList } from './list.js';
import { registerLint } from './lint.js';

/** Every CLI command, in the order `--help` lists them. */
export const registrars: CommandRegistrar[] = [];
registrars.push(registerList, registerLint);
import { registerRun } from './run.js';
registrars.push(registerRun);
import { registerVerify } from './verify.js';
import { registerRecover } from './recover.js';
import { registerEvidence } from './evidence.js';
import { registerKeygen } from './keygen.js';
registrars.push(registerVerify, registerRecover, registerEvidence, registerKeygen);
import { registerDemo } from './demo.js';
registrars.push(registerDemo);
import { registerChecklist } from './checklist.js';
import { registerSchedule } from './schedule.js';
registrars.push(registerChecklist, registerSchedule);
// approvals (four eyes): plan and approve
import { registerPlan } from './plan.js';
import { registerApprove } from './approve.js';
registrars.push(registerPlan, registerApprove);
