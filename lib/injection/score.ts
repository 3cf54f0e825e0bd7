/** Evidence combination: noisy-OR over distinct rules (max per rule), boosted for hidden/decoded. */
import type { Finding, Sensitivity } from './types';

export const THRESHOLDS: Record<Sensitivity, number> = { low: 0.75, medium: 0.5, high: 0.35 };

/** Hidden or decoded instruction-like text is stronger evidence: halve the remaining doubt. */
export function boost(weight: number, hidden: boolean, decoded: boolean): number {
	let w = weight;
	if (hidden) w = w + (1 - w) * 0.5;
	if (decoded) w = w + (1 - w) * 0.4;
	return Math.min(0.99, w);
}

export function combine(findings: readonly Finding[]): number {
	const best = new Map<string, number>();
	for (const f of findings) {
		const prev = best.get(f.rule) ?? 0;
		if (f.score > prev) best.set(f.rule, f.score);
	}
	let keep = 1;
	for (const w of best.values()) keep *= 1 - w;
	return Math.round((1 - keep) * 1000) / 1000;
}
