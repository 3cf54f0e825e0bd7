/** Runs rules over a view and returns hits in the view's own offsets. */
import { CHUNK, CHUNK_MIN_TEXT, CHUNK_REACH, candidateFilters, chunkLiterals, type Filter, filterMayMatch, filtersOf, keyWindow, type Literals, literalsPresent, matchReach, originalFilter } from './prefilter';
import type { Rule } from './rules';
import type { RuleHit } from './types';

const MAX_PER_RULE = 3;
/** Characters either side of a window for `\b` and similar one-character context (generous). */
const EDGE = 8;

/**
 * The view differs from an already scanned view only at `edits` (ascending offsets, same length).
 * `fired`: rules that had a hit on that view; `present`: literals that may occur in this view.
 */
export interface NearEdits {
	edits: readonly number[];
	fired: ReadonlySet<string>;
	present: Literals;
}

/**
 * Hits of `re` on `text` whose start lies in one of `ranges` (flat pairs [a, b] of start offsets,
 * inclusive, ascending, disjoint), in the order and number a full scan would report them, when no
 * match can start anywhere else. Each range is run as a slice with `EDGE` characters of context
 * beyond anything the pattern can read (`reach`); `cursor` carries the end of the last match across
 * ranges as `lastIndex` does in a full scan.
 */
function execRanges(re: RegExp, reach: number, text: string, ranges: readonly number[], rule: Rule, hits: RuleHit[]): void {
	const n = text.length;
	let count = 0;
	let cursor = 0;
	for (let r = 0; r < ranges.length && count < MAX_PER_RULE; r += 2) {
		const a = Math.max(cursor, ranges[r]);
		const b = ranges[r + 1];
		if (b < a) continue;
		const from = Math.max(0, a - EDGE);
		const to = Math.min(n, b + reach + EDGE);
		const sub = text.slice(from, to);
		re.lastIndex = a - from;
		let m: RegExpExecArray | null;
		while ((m = re.exec(sub)) !== null) {
			const s = m.index + from;
			if (s > b) break;
			const e = s + m[0].length;
			if (e === s) re.lastIndex++;
			cursor = re.lastIndex + from;
			if (rule.accept !== undefined && !rule.accept(text, s, e)) continue;
			hits.push({ category: rule.category, rule: rule.id, weight: rule.weight, start: s, end: e });
			if (++count >= MAX_PER_RULE) break;
		}
		re.lastIndex = 0;
	}
}

/**
 * Starts of matches that can read an edit (`edits` ascending), as ranges for `execRanges`: when
 * the rule had no hit on the unedited text, a match elsewhere would read only unchanged
 * characters, so it would have matched the unedited text too. Overlapping ranges are merged.
 */
function nearRanges(edits: readonly number[], reach: number, n: number): number[] {
	const out: number[] = [];
	let k = 0;
	while (k < edits.length) {
		const a = Math.max(edits[k] - reach - EDGE, 0);
		let b = edits[k] + EDGE;
		k++;
		while (k < edits.length && edits[k] - reach - EDGE <= b + 1) b = edits[k++] + EDGE;
		out.push(a, Math.min(b, n - 1));
	}
	return out;
}

/**
 * Starts in the chunks (`chunkLiterals`) whose literals satisfy the rule's filter, as ranges for
 * `execRanges`: a match of at most `CHUNK_REACH` characters starting in any other chunk would
 * contain the literals of its chunk's range, so there is none. Consecutive chunks form one range.
 */
function chunkRanges(chunks: readonly Literals[], filter: Filter, n: number): number[] {
	const out: number[] = [];
	let k = 0;
	while (k < chunks.length) {
		if (!filterMayMatch(filter, chunks[k], false)) {
			k++;
			continue;
		}
		const first = k * CHUNK;
		k++;
		while (k < chunks.length && filterMayMatch(filter, chunks[k], false)) k++;
		out.push(first, Math.min(n, k * CHUNK) - 1);
	}
	return out;
}

/** The starts in both lists of ranges. */
function intersect(x: readonly number[], y: readonly number[]): number[] {
	const out: number[] = [];
	let i = 0;
	let j = 0;
	while (i < x.length && j < y.length) {
		const a = Math.max(x[i], y[j]);
		const b = Math.min(x[i + 1], y[j + 1]);
		if (a <= b) out.push(a, b);
		if (x[i + 1] < y[j + 1]) i += 2;
		else j += 2;
	}
	return out;
}

/** Per rule list and mode: the positions that always run, and the position of each filter. */
interface Plan {
	/** Rules without a filter (scanners, patterns the pre-filter cannot read). */
	always: number[];
	/** Rules that read the original text: filtered only on an ASCII-only original. */
	original: number[];
	/** `Filter.idx` → position in the list, or -1. */
	posOf: Int32Array;
	/** Scratch marks by position for `visitOrder` (all zero between calls). */
	mark: Uint8Array;
}
const plans: Array<WeakMap<readonly Rule[], Plan>> = [new WeakMap(), new WeakMap()];

function planOf(rules: readonly Rule[], rot: boolean): Plan {
	const cache = plans[rot ? 1 : 0];
	let plan = cache.get(rules);
	if (plan !== undefined) return plan;
	const filters = filtersOf(rules, rot);
	let size = 0;
	for (const f of filters) if (f !== undefined) size = Math.max(size, f.idx + 1);
	plan = { always: [], original: [], posOf: new Int32Array(size).fill(-1), mark: new Uint8Array(rules.length) };
	for (let r = 0; r < rules.length; r++) {
		const f = filters[r];
		if (rules[r].find !== undefined || f === undefined || plan.posOf[f.idx] >= 0) plan.always.push(r);
		else {
			plan.posOf[f.idx] = r;
			if (rules[r].original === true) plan.original.push(r);
		}
	}
	cache.set(rules, plan);
	return plan;
}

/**
 * The positions of the rules worth running, ascending (the order of a plain walk over the list):
 * those without a filter, and those whose filter's key literal occurs (`candidateFilters`); the
 * filter itself is checked by the caller.
 */
function visitOrder(rules: readonly Rule[], rot: boolean, present: Literals, filterOriginal: boolean): number[] {
	const plan = planOf(rules, rot);
	const mark = plan.mark;
	for (const r of plan.always) mark[r] = 1;
	if (!filterOriginal) for (const r of plan.original) mark[r] = 1;
	for (const f of candidateFilters(present, rot)) {
		const r = f < plan.posOf.length ? plan.posOf[f] : -1;
		if (r >= 0 && (filterOriginal || rules[r].original !== true)) mark[r] = 1;
	}
	// Collected in list order (and the marks cleared for the next call).
	const visit: number[] = [];
	for (let r = 0; r < mark.length; r++) {
		if (mark[r] !== 0) {
			visit.push(r);
			mark[r] = 0;
		}
	}
	return visit;
}

/**
 * `rotSource`: when `folded` is ROT13(rotSource), the literal pre-filter is evaluated on
 * `rotSource` with ROT13-transformed literals (same answer, and shared with the plain scan).
 * `original`, when given, is the text `folded` is the normalised view of (the rules that scan the
 * original are pre-filtered on that view). `asciiOriginal`: it is ASCII-only, so that view is the
 * text lower-cased, which filters those rules more tightly.
 */
export function runRules(rules: readonly Rule[], folded: string, original: string | null, rotSource: string | null = null, near: NearEdits | null = null, asciiOriginal = false): RuleHit[] {
	const hits: RuleHit[] = [];
	const rot = rotSource !== null;
	const filters = filtersOf(rules, rot);
	// Literal pre-filter over the folded view.
	const present: Literals = near !== null ? near.present : literalsPresent(rotSource ?? folded);
	for (const r of visitOrder(rules, rot, present, asciiOriginal && !rot)) {
		const rule = rules[r];
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
			const filter = filters[r];
			if (!filterMayMatch(filter, present, rot)) continue;
			const reach = matchReach(re);
			// Long texts: only the chunks whose literals satisfy the filter can hold a match start.
			const chunks = !rot && filter !== undefined && target.length >= CHUNK_MIN_TEXT && reach <= CHUNK_REACH ? chunkRanges(chunkLiterals(present), filter, target.length) : null;
			if (near !== null && rule.accept === undefined && !near.fired.has(rule.id) && reach !== Infinity) {
				const ranges = nearRanges(near.edits, reach, target.length);
				execRanges(re, reach, target, chunks !== null ? intersect(ranges, chunks) : ranges, rule, hits);
				continue;
			}
			if (chunks !== null) {
				execRanges(re, reach, target, chunks, rule, hits);
				continue;
			}
		} else if (!rot) {
			// `folded` is the view of `original` (see below), in `lower` or `loose` terms.
			if (!filterMayMatch(asciiOriginal ? filters[r] : originalFilter(rule, false), present, false)) continue;
		}
		// A text scanned whole (an ASCII-only original has the offsets of its view): only around the
		// key literals of the rule's filter.
		const filter = filters[r];
		const window = !rot && filter !== undefined && (rule.original !== true || asciiOriginal) ? keyWindow(filter, present, matchReach(re)) : null;
		if (window !== null) {
			execRanges(re, matchReach(re), target, [window[0], Math.min(window[1], target.length)], rule, hits);
			continue;
		}
		// The whole text: every start, up to and including its end (where an empty match may be).
		execRanges(re, Infinity, target, [0, target.length], rule, hits);
	}
	return hits;
}
