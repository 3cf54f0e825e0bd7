/** A scored detection rule: a constant, linear-time pattern (or scanner) over the folded view. */
export interface Rule {
	id: string;
	category: string;
	weight: number;
	/** Global regex; every rule pattern is a constant of this package, never built from input. */
	re?: RegExp;
	/** Alternative to `re`: a linear scanner returning [start, end) spans. */
	find?: (text: string) => Array<[number, number]>;
	/** Run on the original text (case-sensitive) instead of the folded view. */
	original?: boolean;
	/** Optional extra check on the match (e.g. context conditions). */
	accept?: (text: string, start: number, end: number) => boolean;
}

/** Up to `n` intervening words, each bounded, separated by bounded whitespace. */
export const gap = (n: number): string => String.raw`(?:\s{1,5}[^\s]{1,24}){0,${n}}`;
/** Bounded whitespace between words. */
export const S = String.raw`\s{1,5}`;

/** Accept check: the match is not preceded by a negation ("never share your password" is advice, not a request). */
export function notNegated(t: string, s: number): boolean {
	return !/\b(?:never|not|don'?t|nie|nunca|jamais|mai|nooit|никогда|не)\s{1,5}(?:\S{1,12}\s{1,5}){0,2}$/.test(t.slice(Math.max(0, s - 40), s));
}
