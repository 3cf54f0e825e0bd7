/** Runs rules over a view and returns hits in the view's own offsets. */
import { literalsPresent, mayMatch } from './prefilter';
import type { Rule } from './rules';
import type { RuleHit } from './types';

const MAX_PER_RULE = 3;

/**
 * `rotSource`: when `folded` is ROT13(rotSource), the literal pre-filter is evaluated on
 * `rotSource` with ROT13-transformed literals (same answer, and shared with the plain scan).
 */
export function runRules(rules: readonly Rule[], folded: string, original: string | null, rotSource: string | null = null): RuleHit[] {
	const hits: RuleHit[] = [];
	// Literal pre-filter over the folded view (computed on first need).
	let present: Uint8Array | null = null;
	for (const rule of rules) {
		const target = rule.original === true ? original : folded;
		if (target === null) continue;
		let count = 0;
		if (rule.find !== undefined) {
			for (const [s, e] of rule.find(target)) {
				if (rule.accept !== undefined && !rule.accept(target, s, e)) continue;
				hits.push({ category: rule.category, rule: rule.id, weight: rule.weight, start: s, end: e });
				if (++count >= MAX_PER_RULE) break;
			}
			continue;
		}
		const re = rule.re;
		if (re === undefined) continue;
		if (rule.original !== true) {
			if (present === null) present = literalsPresent(rotSource ?? folded);
			if (!mayMatch(rule, present, rotSource !== null)) continue;
		}
		re.lastIndex = 0;
		let m: RegExpExecArray | null;
		while ((m = re.exec(target)) !== null) {
			const s = m.index;
			const e = s + m[0].length;
			if (e === s) re.lastIndex++;
			if (rule.accept !== undefined && !rule.accept(target, s, e)) continue;
			hits.push({ category: rule.category, rule: rule.id, weight: rule.weight, start: s, end: e });
			if (++count >= MAX_PER_RULE) break;
		}
		re.lastIndex = 0;
	}
	return hits;
}
