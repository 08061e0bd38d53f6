// Re-exports for the checklist run tests (the library surface and the Prometheus parser).
export { loadChecklistFile, runChecklist, runChecklists, WEBHOOK_FILE } from '../../src/checklist/index.js';
export { signWebhookBody } from '../../src/report/index.js';
import { parsePrometheusText } from '../../src/execute/prometheus-text.js';
export const parsePrometheusTextForTest = (text: string) => parsePrometheusText(text).samples;
