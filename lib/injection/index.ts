/** Prompt-injection scanner: pure TypeScript, rule based, linear time. */
export { scanText } from './pipeline';
export { THRESHOLDS } from './score';
export type { Finding, ScanOptions, ScanResult, Sensitivity } from './types';
