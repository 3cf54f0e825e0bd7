/**
 * Stage 1: normalisation. One linear pass over the code points builds the matching view
 * (NFKC-compatible decomposition, Latin diacritics stripped, lower case) with a map from each
 * view offset back to the original offset. Legitimate invisibles (ZWJ, soft hyphen, LRM/RLM,
 * single variation selectors) are dropped silently; smuggling channels (Unicode tag characters,
 * variation-selector runs, zero-width word splits, bidi overrides) are reported and, where they
 * carry text, decoded for re-scanning.
 */
import { foldString } from './fold';
import { carver } from './slab';
import type { View } from './types';

export interface Smuggled {
	rule: string;
	/** Original offsets of the invisible run. */
	start: number;
	end: number;
	decoded: string;
}

export interface Signal {
	category: string;
	rule: string;
	weight: number;
	start: number;
	end: number;
}

export interface Normalized {
	view: View;
	signals: Signal[];
	smuggled: Smuggled[];
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;

function isLetterOrDigitCode(c: number): boolean {
	return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0xc0 && c <= 0x24f) || (c >= 0x370 && c <= 0x52f);
}

function isVariationSelector(cp: number): boolean {
	return (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

/** Byte value carried by a variation selector in the "emoji smuggling" scheme. */
function vsByte(cp: number): number {
	return cp <= 0xfe0f ? cp - 0xfe00 : cp - 0xe0100 + 16;
}

const MAX_SMUGGLED = 16;
const MAX_DECODED = 4096;

/** Fold cache: a flat table for the BMP below the CJK blocks, a bounded map above. */
const FLAT_LIMIT = 0x3400;
const flat: Array<string | undefined> = new Array<string | undefined>(FLAT_LIMIT);
let wide = new Map<number, string>();
function foldCached(cp: number): string {
	if (cp < FLAT_LIMIT) {
		let f = flat[cp];
		if (f === undefined) {
			f = foldString(String.fromCodePoint(cp));
			flat[cp] = f;
		}
		return f;
	}
	let f = wide.get(cp);
	if (f === undefined) {
		f = foldString(String.fromCodePoint(cp));
		if (wide.size > 8192) wide = new Map();
		wide.set(cp, f);
	}
	return f;
}

/** Work buffers of `normalize`, kept between calls up to this many code units. */
const MAX_SCRATCH = 1 << 20;
let scratchOut = new Uint16Array(0);
let scratchMap = new Int32Array(0);
/** Views' maps are carved from shared slabs (`carver`). */
const carveMap = carver((n) => new Int32Array(n), 1 << 16);

export function normalize(text: string): Normalized {
	const signals: Signal[] = [];
	const smuggled: Smuggled[] = [];
	if (ASCII_ONLY.test(text)) {
		return { view: { text: text.toLowerCase(), map: null }, signals, smuggled };
	}
	// Output as UTF-16 code units; folds can expand a character, so allow some slack and grow if needed.
	// The buffers are reused by the next call (only the map is handed out, as a copy).
	let out = scratchOut.length >= text.length + 64 ? scratchOut : new Uint16Array(text.length + 64);
	let map = scratchMap.length >= text.length + 64 ? scratchMap : new Int32Array(text.length + 64);
	const ensure = (extra: number): void => {
		if (outLen + extra <= out.length) return;
		const size = Math.max(out.length * 2, outLen + extra + 64);
		const o2 = new Uint16Array(size);
		o2.set(out.subarray(0, outLen));
		out = o2;
		const m2 = new Int32Array(size);
		m2.set(map.subarray(0, outLen));
		map = m2;
	};
	let outLen = 0;
	const n = text.length;
	let i = 0;
	let zwSplits = 0;
	let zwFirst = -1;
	let bidiCount = 0;
	let bidiFirst = -1;
	while (i < n) {
		// ASCII first (most of the text): none of the special cases below is below U+00AD.
		const c = text.charCodeAt(i);
		if (c < 0x80) {
			if (outLen >= out.length) ensure(1);
			out[outLen] = c >= 0x41 && c <= 0x5a ? c + 32 : c;
			map[outLen++] = i;
			i += 1;
			continue;
		}
		const cp = text.codePointAt(i) as number;
		const w = cp > 0xffff ? 2 : 1;
		// Unicode tag characters: ASCII shadow alphabet.
		if (cp >= 0xe0000 && cp <= 0xe007f) {
			const start = i;
			let decoded = '';
			let j = i;
			while (j < n) {
				const c2 = text.codePointAt(j) as number;
				if (c2 < 0xe0000 || c2 > 0xe007f) break;
				if (decoded.length < MAX_DECODED && c2 >= 0xe0020 && c2 <= 0xe007e) decoded += String.fromCharCode(c2 - 0xe0000);
				j += 2;
			}
			// Subdivision flags (black flag + a few tag letters + cancel tag) are legitimate.
			const prev = start >= 2 ? text.codePointAt(start - 2) : undefined;
			const isFlag = prev === 0x1f3f4 && j - start <= 16;
			if (!isFlag && smuggled.length < MAX_SMUGGLED) {
				smuggled.push({ rule: 'unicode_tags', start, end: j, decoded });
				signals.push({ category: 'smuggling', rule: 'unicode_tags', weight: 0.6, start, end: j });
			}
			i = j;
			continue;
		}
		if (isVariationSelector(cp)) {
			const start = i;
			const bytes: number[] = [];
			let j = i;
			while (j < n) {
				const c2 = text.codePointAt(j) as number;
				if (!isVariationSelector(c2)) break;
				if (bytes.length < MAX_DECODED) bytes.push(vsByte(c2));
				j += c2 > 0xffff ? 2 : 1;
			}
			if (bytes.length >= 3 && smuggled.length < MAX_SMUGGLED) {
				const decoded = Buffer.from(bytes).toString('utf8');
				smuggled.push({ rule: 'variation_selectors', start, end: j, decoded });
				signals.push({ category: 'smuggling', rule: 'variation_selector_run', weight: 0.5, start, end: j });
			}
			i = j;
			continue;
		}
		// Zero-width characters: dropped; a split inside a word is weak evidence of obfuscation.
		if (cp === 0x200b || cp === 0x200c || cp === 0x200d || cp === 0x2060 || cp === 0xfeff || cp === 0x00ad || cp === 0x180e) {
			if (cp !== 0x00ad && i > 0 && i + 1 < n && isLetterOrDigitCode(text.charCodeAt(i - 1)) && isLetterOrDigitCode(text.charCodeAt(i + 1))) {
				zwSplits++;
				if (zwFirst < 0) zwFirst = i;
			}
			i += w;
			continue;
		}
		// LRM, RLM, ALM: legitimate direction marks, dropped silently.
		if (cp === 0x200e || cp === 0x200f || cp === 0x061c) {
			i += w;
			continue;
		}
		// Bidi embeddings/overrides/isolates: can reorder what a human sees.
		if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
			bidiCount++;
			if (bidiFirst < 0) bidiFirst = i;
			i += w;
			continue;
		}
		// Typographic quotes fold to ASCII quotes (before the ASCII fast path below).
		if (cp === 0x2018 || cp === 0x2019 || cp === 0x201b || cp === 0x2032 || cp === 0x201c || cp === 0x201d || cp === 0x201f || cp === 0x2033) {
			ensure(1);
			out[outLen] = cp === 0x2018 || cp === 0x2019 || cp === 0x201b || cp === 0x2032 ? 0x27 : 0x22;
			map[outLen++] = i;
			i += 1;
			continue;
		}
		const f = foldCached(cp);
		ensure(f.length);
		for (let k = 0; k < f.length; k++) {
			out[outLen] = f.charCodeAt(k);
			map[outLen++] = i;
		}
		i += w;
	}
	if (zwSplits >= 2) signals.push({ category: 'smuggling', rule: 'zero_width_split', weight: 0.2, start: zwFirst, end: zwFirst + 1 });
	if (bidiCount > 0) signals.push({ category: 'smuggling', rule: 'bidi_override', weight: 0.5, start: bidiFirst, end: bidiFirst + 1 });
	const folded = Buffer.from(out.buffer, out.byteOffset, outLen * 2).toString('utf16le');
	if (out.length <= MAX_SCRATCH) scratchOut = out;
	if (map.length <= MAX_SCRATCH) scratchMap = map;
	const owned = carveMap(outLen);
	owned.set(map.subarray(0, outLen));
	return { view: { text: folded, map: owned }, signals, smuggled };
}
