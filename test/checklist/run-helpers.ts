// Re-exports for the checklist run tests (the library surface and the Prometheus parser).
export { loadChecklistFile, runChecklist, runChecklists, signWebhookBody, WEBHOOK_FILE } from '../../src/checklist/index.js';
import { parsePrometheusText } from '../../src/execute/prometheus-text.js';
export const parsePrometheusTextForTest = (text: string) => parsePrometheusText(text).samples;
