/** The one place that decides the user-facing result shape. */
import { combine, THRESHOLDS } from './score';
import type { Finding, ScanResult, Sensitivity } from './types';

const MAX_FINDINGS = 50;
export const SNIPPET_MAX = 120;

export function snippetOf(text: string, start: number, end: number): string {
	const s = Math.max(0, Math.min(start, text.length));
	const e = Math.max(s, Math.min(end, text.length));
	if (e - s >= SNIPPET_MAX) return text.slice(s, s + SNIPPET_MAX);
	const pad = Math.floor((SNIPPET_MAX - (e - s)) / 2);
	const a = Math.max(0, s - Math.min(pad, 30));
	return text.slice(a, Math.min(text.length, a + SNIPPET_MAX, e + pad));
}

/** Drop visible duplicates of hidden/decoded findings of the same rule, order strongest first. */
function tidy(findings: Finding[]): Finding[] {
	const strong = findings.filter((f) => f.hidden === true || f.decoded !== undefined);
	const out = findings.filter((f) => {
		if (f.hidden === true || f.decoded !== undefined) return true;
		return !strong.some((g) => g.rule === f.rule && g.start < f.end + 1 && f.start < g.end + 1);
	});
	out.sort((a, b) => b.score - a.score || a.start - b.start);
	return out.slice(0, MAX_FINDINGS);
}

export function buildResult(findings: Finding[], sensitivity: Sensitivity, normalized?: string): ScanResult {
	const list = tidy(findings);
	const score = combine(list);
	const catScore = new Map<string, number>();
	for (const f of list) catScore.set(f.category, Math.max(catScore.get(f.category) ?? 0, f.score));
	const categories = [...catScore.entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);
	const result: ScanResult = { score, flagged: score >= THRESHOLDS[sensitivity], categories, findings: list };
	if (normalized !== undefined) result.normalized = normalized;
	return result;
}
