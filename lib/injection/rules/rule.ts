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

/**
 * Word boundaries for words that begin or end with a non-ASCII letter (Cyrillic "я", Greek, "ß").
 * JavaScript's `\b` knows only [A-Za-z0-9_], with or without the `u` flag: `/\bя\s/` never matches
 * "ну я твой" (no boundary between a space and "я"), and matches "xя" instead. So next to a non-ASCII
 * letter, write `WORD_START` / `WORD_END` instead of `\b`. They assert that the character before / after is not a word character, where word
 * characters are the ASCII ones plus the letters and digits of the alphabetic scripts of the folded
 * view (Latin-1 and Latin Extended, IPA, Greek, Cyrillic, Armenian, Hebrew, Arabic, Devanagari,
 * Latin/Greek Extended Additional, Hangul). Scripts written without spaces (CJK, kana) need no boundary.
 * No `u` flag (the rule regexes and the pre-filter's parser use the plain syntax); the pre-filter and
 * the windowed re-scan treat these two exact strings like `\b` (zero width, one character of context
 * on each side). Next to ASCII word characters the plain `\b` stays (same result there). Accented
 * Latin letters need nothing: `rx` and the normaliser fold "é" to "e" on both sides.
 * `test/unit/injection/wordBoundary.test.ts` checks that no rule pattern puts `\b` next to a non-ASCII letter.
 */
const WORD_CLASS = String.raw`[0-9A-Za-z_\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02af\u0370-\u03ff\u0400-\u052f\u0531-\u0587\u05d0-\u05ea\u0620-\u064a\u0660-\u0669\u0900-\u097f\u1e00-\u1fff\uac00-\ud7a3]`;
/** `\b` at the start of a word, for any script of the folded view (see above). */
export const WORD_START = `(?<!${WORD_CLASS})`;
/** `\b` at the end of a word, for any script of the folded view (see above). */
export const WORD_END = `(?!${WORD_CLASS})`;

/** Whether a UTF-16 code unit is JavaScript whitespace (`\s`), without a regex call per character. */
export function isJsSpace(c: number): boolean {
	if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
	return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** A JavaScript regex word character ([0-9A-Za-z_], what `\b` knows). */
export function isWordChar(c: number): boolean {
	return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** Up to `n` intervening words, each bounded, separated by bounded whitespace. */
export const gap = (n: number): string => String.raw`(?:\s{1,5}[^\s]{1,24}){0,${n}}`;
/** Bounded whitespace between words. */
export const S = String.raw`\s{1,5}`;

/** Accept check: the match is not preceded by a negation ("never share your password" is advice, not a request). */
export function notNegated(t: string, s: number): boolean {
	return !NEGATION.test(t.slice(Math.max(0, s - 40), s));
}
const NEGATION = new RegExp(String.raw`${WORD_START}(?:never|not|don'?t|nie|nunca|jamais|mai|nooit|никогда|не)\s{1,5}(?:\S{1,12}\s{1,5}){0,2}$`);
