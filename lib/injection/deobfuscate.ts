/**
 * Matching-only folds applied on top of the normalised view: Cyrillic/Greek look-alikes inside
 * words that mix scripts, simple leetspeak inside words that mix letters and digits, and
 * spaced-out letters ("i g n o r e"). Returns a view whose map points into the normalised view,
 * or null when nothing changed.
 */
import { isJsSpace } from './rules/rule';
import type { View } from './types';

const HOMOGLYPHS: Record<string, string> = {
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c', 'т': 't', 'у': 'y', 'х': 'x',
	'і': 'i', 'ј': 'j', 'ѕ': 's', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ɡ': 'g', 'һ': 'h', 'ӏ': 'l', 'ү': 'y',
	// Greek
	'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'γ': 'y',
};

const LEET: Record<string, string> = { '1': 'i', '0': 'o', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's', '!': 'i', '|': 'l' };

/** The two tables above by code unit (0: no fold); every fold is one code unit for one. */
const HOMOGLYPH_CODE = new Uint16Array(0x530);
for (const [k, v] of Object.entries(HOMOGLYPHS)) HOMOGLYPH_CODE[k.charCodeAt(0)] = v.charCodeAt(0);
const LEET_CODE = new Uint16Array(128);
for (const [k, v] of Object.entries(LEET)) LEET_CODE[k.charCodeAt(0)] = v.charCodeAt(0);

function isLatin(c: number): boolean {
	return c >= 0x61 && c <= 0x7a;
}
function isCyrGreek(c: number): boolean {
	return (c >= 0x370 && c <= 0x3ff) || (c >= 0x400 && c <= 0x52f) || c === 0x261;
}
function isWordish(c: number): boolean {
	return isLatin(c) || isCyrGreek(c) || (c >= 0x30 && c <= 0x39) || c === 0x40 || c === 0x24 || c === 0x21 || c === 0x7c;
}

/** Per ASCII code unit: 0 not word-ish, `LATIN` a lower-case letter, `LEET_CHAR` a digit or one of @ $ ! | (as `isWordish`). */
const LATIN = 1;
const LEET_CHAR = 2;
const WORDISH_ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) WORDISH_ASCII[c] = isLatin(c) ? LATIN : isWordish(c) ? LEET_CHAR : 0;

/** Characters that can make a word change: leetspeak digits and symbols, Cyrillic and Greek letters (all word-ish). */
const FOLD_CANDIDATE = /[0-9@$!|\u0261\u0370-\u052f]/g;

/**
 * A token (between whitespace) that is a web or e-mail address: its digits and "@" are not folded
 * as leetspeak (look-alike letters still are). E-mail is full of them (addresses, links, message
 * ids), and folding them only made every such text a second, de-obfuscated view to scan.
 */
const ADDRESS = /:\/\/|www\.|mailto:|[a-z0-9]@[a-z0-9-]+\.[a-z]/;

function isWordishAt(s: string, k: number): boolean {
	const c = s.charCodeAt(k);
	return c < 128 ? WORDISH_ASCII[c] !== 0 : isCyrGreek(c);
}

/** A de-obfuscated view; `spaced`: [start, end) in the input view of a long run of spaced-out letters with no word gaps. */
export interface Deobfuscated extends View {
	spaced?: [number, number];
	/** When only per-character folds applied (same length, `map` null): the changed offsets, ascending. */
	edits?: number[];
}

/** Above this many per-character edits, the folded text is built in a buffer (see `deobfuscate`). */
const MANY_EDITS = 64;

/** Letters spelled one by one without any word gap ("s a y t h a t…") this long are an evasion, not layout. */
const SPACED_SIGNAL_LETTERS = 12;

export function deobfuscate(view: View): Deobfuscated | null {
	const s = view.text;
	const n = s.length;
	// Pass 1: per-word replacements (length preserving).
	// Replacements as (offset, character) edits, applied with slices (length preserving).
	let editAt: number[] | null = null;
	let editCh: number[] | null = null;
	// Words are cut into pieces of at most 64 characters from their start; a piece changes only if
	// it holds a leetspeak or Cyrillic/Greek character, so only the pieces around those are visited
	// (`pos`: where the previous piece ended, i.e. where the next one may start).
	let pos = 0;
	// The whitespace-delimited token of the last leetspeak candidate: where it ends, and whether it is an address.
	let addressEnd = -1;
	let inAddress = false;
	FOLD_CANDIDATE.lastIndex = 0;
	// `test` rather than `exec`: no match object per candidate (a match is one code unit, ending at lastIndex).
	while (FOLD_CANDIDATE.test(s)) {
		const p = FOLD_CANDIDATE.lastIndex - 1;
		let wordStart = p;
		while (wordStart > pos && isWordishAt(s, wordStart - 1)) wordStart--;
		const i = wordStart + Math.floor((p - wordStart) / 64) * 64;
		let j = i;
		let latin = 0;
		let other = 0;
		let leet = 0;
		while (j < n && j - i < 64) {
			const c = s.charCodeAt(j);
			if (c < 128) {
				const k = WORDISH_ASCII[c];
				if (k === 0) break;
				if (k === LATIN) latin++;
				else leet++;
			} else if (isCyrGreek(c)) other++;
			else break;
			j++;
		}
		// Trailing "!" or "|" are punctuation, not letters.
		let end = j;
		while (end > i && (s.charCodeAt(end - 1) === 0x21 || s.charCodeAt(end - 1) === 0x7c)) end--;
		const mixedScript = latin > 0 && other > 0;
		let leetWord = latin >= 2 && leet > 0 && end - i >= 4;
		if (leetWord) {
			// Digits and "@" in a web or e-mail address are its spelling, not leetspeak.
			if (p >= addressEnd) {
				let a = p;
				while (a > 0 && !isJsSpace(s.charCodeAt(a - 1))) a--;
				let b = p;
				while (b < n && !isJsSpace(s.charCodeAt(b))) b++;
				addressEnd = b;
				inAddress = ADDRESS.test(s.slice(a, b));
			}
			if (inAddress) leetWord = false;
		}
		if (mixedScript || leetWord) {
			for (let k = i; k < end; k++) {
				const c = s.charCodeAt(k);
				const r = (mixedScript && c < 0x530 ? HOMOGLYPH_CODE[c] : 0) || (leetWord && c < 128 ? LEET_CODE[c] : 0);
				if (r !== 0) {
					if (editAt === null || editCh === null) {
						editAt = [];
						editCh = [];
					}
					editAt.push(k);
					editCh.push(r);
				}
			}
		}
		pos = j;
		FOLD_CANDIDATE.lastIndex = j;
	}
	let text = s;
	if (editAt !== null && editCh !== null && editAt.length > MANY_EDITS) {
		// Many edits (a text full of leetspeak or look-alikes): patch the UTF-16 code units in place
		// (every fold here is one code unit for one), where joining two slices per edit is slow.
		const buf = Buffer.alloc(n * 2);
		buf.write(s, 'utf16le');
		const units = new Uint16Array(buf.buffer, buf.byteOffset, n);
		for (let k = 0; k < editAt.length; k++) units[editAt[k]] = editCh[k];
		text = buf.toString('utf16le');
	} else if (editAt !== null && editCh !== null) {
		const parts: string[] = [];
		let from = 0;
		for (let k = 0; k < editAt.length; k++) {
			parts.push(s.slice(from, editAt[k]), String.fromCharCode(editCh[k]));
			from = editAt[k] + 1;
		}
		parts.push(s.slice(from));
		text = parts.join('');
	}
	// Pass 2: collapse spaced-out letters: >= 4 single letters separated by one space/dot/dash.
	const collapsed = collapseSpaced(text);
	if (collapsed === null) return text === s || editAt === null ? null : { text, map: null, edits: editAt };
	return collapsed;
}

function isSingleLetterAt(t: string, k: number): boolean {
	const c = t.charCodeAt(k);
	if (!(isLatin(c) || isCyrGreek(c))) return false;
	const before = k === 0 ? 0x20 : t.charCodeAt(k - 1);
	const after = k + 1 >= t.length ? 0x20 : t.charCodeAt(k + 1);
	return !isWordish(before) && !isWordish(after);
}

/**
 * Necessary for a run of four spaced single letters (what `collapseSpaced` needs before it changes
 * anything): a letter, then three times a separator and a letter, then no word character. One
 * regex pass is cheaper than the character loop on the (usual) text without such a run.
 */
const SPACED_RUN = /[a-z\u0261\u0370-\u052f](?:(?:[ ._-]| {2})[a-z\u0261\u0370-\u052f]){3}(?![a-z0-9@$!|\u0261\u0370-\u052f])/;

function collapseSpaced(t: string): Deobfuscated | null {
	if (!SPACED_RUN.test(t)) return null;
	const n = t.length;
	// The view as UTF-16 code units with its map. A collapsed run keeps its letters and one space per
	// double space, so the view is never longer than the text.
	let out: Uint16Array | null = null;
	let map: Int32Array | null = null;
	let len = 0;
	let copied = 0;
	let spaced: [number, number] | undefined;
	let i = 0;
	while (i < n) {
		if (i + 1 < n && isWordish(t.charCodeAt(i)) && isWordish(t.charCodeAt(i + 1))) {
			// Inside a word of two or more characters every position has a word-ish neighbour,
			// so none is a single letter: skip the word.
			i += 2;
			while (i < n && isWordish(t.charCodeAt(i))) i++;
			continue;
		}
		if (!isSingleLetterAt(t, i)) {
			i++;
			continue;
		}
		// Count a run: letter, one separator, letter, ...
		let j = i;
		let letters = 0;
		const idx: number[] = [];
		while (j < n && isSingleLetterAt(t, j)) {
			letters++;
			idx.push(j);
			const sep = t.charCodeAt(j + 1);
			if (j + 2 < n && (sep === 0x20 || sep === 0x2e || sep === 0x2d || sep === 0x5f) && isSingleLetterAt(t, j + 2)) j += 2;
			else if (j + 3 < n && sep === 0x20 && t.charCodeAt(j + 2) === 0x20 && isSingleLetterAt(t, j + 3)) {
				// a double space separates words
				idx.push(-1);
				j += 3;
			} else {
				j += 1;
				break;
			}
		}
		if (letters >= SPACED_SIGNAL_LETTERS && spaced === undefined && !idx.includes(-1)) spaced = [i, j];
		if (letters >= 4) {
			if (out === null || map === null) {
				out = new Uint16Array(n);
				map = new Int32Array(n);
			}
			for (let k = copied; k < i; k++) {
				out[len] = t.charCodeAt(k);
				map[len++] = k;
			}
			for (const k of idx) {
				if (k < 0) {
					// An inserted space maps where the character before it does.
					out[len] = 0x20;
					map[len] = len > 0 ? map[len - 1] : i;
					len++;
				} else {
					out[len] = t.charCodeAt(k);
					map[len++] = k;
				}
			}
			copied = j;
			i = j;
		} else {
			i = Math.max(j, i + 1);
		}
	}
	if (out === null || map === null) return null;
	for (let k = copied; k < n; k++) {
		out[len] = t.charCodeAt(k);
		map[len++] = k;
	}
	const text = Buffer.from(out.buffer, out.byteOffset, len * 2).toString('utf16le');
	const result: Deobfuscated = { text, map: map.subarray(0, len) };
	if (spaced !== undefined) result.spaced = spaced;
	return result;
}
