/**
 * Stage 3: encoded payloads. Finds runs of base64, hex, binary octets, percent-encoding, HTML
 * entities and quoted-printable by linear scanning, decodes them (bounded), and keeps the
 * decoded text only when it is mostly printable. ROT13 is offered as a whole-text view.
 * Decoded text is evidence only if a rule later fires on it (the caller decides).
 */
import { isJsSpace } from './rules/rule';

export interface Decoded {
	rule: string;
	start: number;
	end: number;
	text: string;
}

const MAX_ITEMS = 24;
const MAX_RUN = 64_000;

function printableRatio(s: string): number {
	if (s.length === 0) return 0;
	let ok = 0;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09 || (c >= 0xa0 && c !== 0xfffd)) ok++;
	}
	return ok / s.length;
}

function hasWords(s: string): boolean {
	let spaces = 0;
	let letters = 0;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c === 0x20) spaces++;
		else if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c >= 0x80) letters++;
	}
	return spaces >= 1 && letters >= s.length * 0.5;
}

/** Compact hex/base64 text is kept too: it may be a second encoding layer. */
function looksEncoded(s: string): boolean {
	return s.length >= 16 && /^[A-Za-z0-9+/=_-]+$/.test(s.trim());
}

/** Character classes of ASCII code units (bit flags), so the scanners test one table entry. */
const B64 = 1;
const HEX = 2;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
	if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f || c === 0x2d || c === 0x5f) CLASS[c] |= B64;
	if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)) CLASS[c] |= HEX;
}

function isB64(c: number): boolean {
	return c < 128 && (CLASS[c] & B64) !== 0;
}
function isHex(c: number): boolean {
	return c < 128 && (CLASS[c] & HEX) !== 0;
}

/** Value of a hex digit (caller checked `isHex`); same as parseInt(…, 16) on the pair. */
function hexVal(c: number): number {
	return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

/** Base64 runs shorter than this are never decoded. */
const MIN_BASE64_RUN = 20;

function scanBase64(text: string, out: Decoded[]): void {
	const n = text.length;
	let i = 0;
	while (i < n && out.length < MAX_ITEMS) {
		// Runs shorter than MIN_BASE64_RUN are dropped: if some character of [i, i + MIN_BASE64_RUN)
		// is not base64, every run starting at or before the last such character ends before it, so
		// the scan goes on after it (checked from the right: usually a few reads, and several words
		// of prose skipped at once).
		if (i + MIN_BASE64_RUN > n) break;
		let q = i + MIN_BASE64_RUN - 1;
		while (q >= i && isB64(text.charCodeAt(q))) q--;
		if (q >= i) {
			i = q + 1;
			continue;
		}
		// A run starts at i.
		let j = i + 1;
		while (j < n && isB64(text.charCodeAt(j))) j++;
		let end = j;
		while (end < n && text.charCodeAt(end) === 0x3d && end - j < 2) end++;
		const len = j - i;
		let upper = 0;
		let lower = 0;
		let digit = 0;
		// Letter/digit counts only for runs long enough to matter (most runs are ordinary words).
		if (len >= MIN_BASE64_RUN && len <= MAX_RUN) {
			for (let k = i; k < j; k++) {
				const c = text.charCodeAt(k);
				if (c >= 0x41 && c <= 0x5a) upper++;
				else if (c >= 0x61 && c <= 0x7a) lower++;
				else if (c >= 0x30 && c <= 0x39) digit++;
			}
		}
		// Real base64 of text mixes cases; long plain words do not.
		if (len >= MIN_BASE64_RUN && len <= MAX_RUN && upper > 0 && lower > 0 && (upper + digit) >= len * 0.15) {
			const raw = text.slice(i, j).replace(/-/g, '+').replace(/_/g, '/');
			const decoded = Buffer.from(raw, 'base64').toString('utf8');
			if (decoded.length >= 8 && printableRatio(decoded) >= 0.9 && (hasWords(decoded) || looksEncoded(decoded))) out.push({ rule: 'base64', start: i, end, text: decoded });
		}
		i = end > i ? end : i + 1;
	}
}

/** Reused byte buffer for hex runs (most runs are ordinary words and are dropped). */
const hexScratch: number[] = [];

/** After a hex pair ending at `j`: skip one separator (a single space or "\x"), as `scanHex` allows. */
function hexStep(text: string, j: number, start: number): number {
	const n = text.length;
	if (j < n && text.charCodeAt(j) === 0x20 && j + 2 < n && isHex(text.charCodeAt(j + 1)) && isHex(text.charCodeAt(j + 2)) && (j + 3 >= n || !isHex(text.charCodeAt(j + 3)) || text.charCodeAt(start + 2) !== 0x20)) return j + 1;
	if (j + 2 < n && text.charCodeAt(j) === 0x5c && text.charCodeAt(j + 1) === 0x78) return j + 2;
	return j;
}

/** Hex runs of fewer pairs than this are never decoded. */
const MIN_HEX_PAIRS = 10;

/** Characters a hex run can consist of: digits, separators (a space, "\x"). */
function inHexRun(c: number): boolean {
	return isHex(c) || c === 0x20 || c === 0x5c || c === 0x78;
}

function scanHex(text: string, out: Decoded[]): void {
	const n = text.length;
	let i = 0;
	while (i < n && out.length < MAX_ITEMS) {
		// A run of MIN_HEX_PAIRS pairs spans at least 2·MIN_HEX_PAIRS characters, all digits or
		// separators. If [i, i + 2·MIN_HEX_PAIRS) holds another character, no run starting at or
		// before the last one reaches that many pairs, and a pair walk from there stops before it:
		// the scan goes on after it, as it would after those walks (checked from the right, before
		// anything else: prose has a letter past "f" every few characters, so this skips most of it).
		if (i + 2 * MIN_HEX_PAIRS > n) break;
		let q = i + 2 * MIN_HEX_PAIRS - 1;
		while (q >= i && inHexRun(text.charCodeAt(q))) q--;
		if (q >= i) {
			i = q + 1;
			continue;
		}
		// Runs start at a hex digit: separators before one are passed over (a run of spaces, say,
		// one by one, without a window test at each).
		if (!isHex(text.charCodeAt(i))) {
			while (i < n && !isHex(text.charCodeAt(i))) i++;
			continue;
		}
		// Contiguous hex, or pairs separated by single spaces / "\x" / "0x".
		const start = i;
		// First count the pairs (most runs are short words like "face" and are dropped), then decode.
		let pairs = 0;
		let j = i;
		while (j + 1 < n && pairs < MAX_RUN && isHex(text.charCodeAt(j)) && isHex(text.charCodeAt(j + 1))) {
			pairs++;
			j = hexStep(text, j + 2, start);
		}
		if (pairs >= MIN_HEX_PAIRS) {
			const bytes = hexScratch;
			bytes.length = 0;
			let k = i;
			while (bytes.length < pairs) {
				bytes.push(hexVal(text.charCodeAt(k)) * 16 + hexVal(text.charCodeAt(k + 1)));
				k = hexStep(text, k + 2, start);
			}
			const decoded = Buffer.from(bytes).toString('utf8');
			if (printableRatio(decoded) >= 0.9 && (hasWords(decoded) || looksEncoded(decoded))) out.push({ rule: 'hex', start, end: j, text: decoded });
			bytes.length = 0;
		}
		i = j > i ? j : i + 1;
		while (i < n && isHex(text.charCodeAt(i))) i++;
	}
}

function scanBinary(text: string, out: Decoded[]): void {
	const n = text.length;
	let i = text.indexOf('0');
	const one = text.indexOf('1');
	if (i < 0 || one < 0) return;
	i = Math.min(i, one);
	while (i < n && out.length < MAX_ITEMS) {
		const c = text.charCodeAt(i);
		if (c !== 0x30 && c !== 0x31) {
			i++;
			continue;
		}
		// An octet starting anywhere in [i, i + 7] covers i + 7: if that is no binary digit, none can start there.
		const c7 = i + 7 < n ? text.charCodeAt(i + 7) : 0;
		if (c7 !== 0x30 && c7 !== 0x31) {
			i += 8;
			continue;
		}
		const start = i;
		const bytes: number[] = [];
		let j = i;
		while (j + 8 <= n && bytes.length < MAX_RUN) {
			let v = 0;
			let ok = true;
			for (let k = 0; k < 8; k++) {
				const d = text.charCodeAt(j + k);
				if (d !== 0x30 && d !== 0x31) {
					ok = false;
					break;
				}
				v = v * 2 + (d - 0x30);
			}
			if (!ok) break;
			bytes.push(v);
			j += 8;
			if (j < n && text.charCodeAt(j) === 0x20) j++;
		}
		if (bytes.length >= 6) {
			const decoded = Buffer.from(bytes).toString('utf8');
			if (printableRatio(decoded) >= 0.9) out.push({ rule: 'binary', start, end: j, text: decoded });
		}
		i = j > i ? j : i + 1;
	}
}

const PERCENT = /[^%\s]{0,16}(?:%[0-9a-f]{2}[^%\s]{0,16}){4,2000}/gi;
const ENTITY = /(?:&#x?[0-9a-f]{1,6};?[^&\n]{0,3}|&[a-z]{2,6};[^&\n]{0,3}){4,2000}/gi;
const QP = /(?:=[0-9A-F]{2}[^=\n]{0,3}){4,2000}/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ' };

function scanRegex(text: string, re: RegExp, rule: string, decode: (s: string) => string | null, out: Decoded[]): void {
	re.lastIndex = 0;
	let m: RegExpExecArray | null;
	while ((m = re.exec(text)) !== null && out.length < MAX_ITEMS) {
		const decoded = decode(m[0]);
		if (decoded !== null && decoded !== m[0] && printableRatio(decoded) >= 0.9 && hasWords(decoded)) out.push({ rule, start: m.index, end: m.index + m[0].length, text: decoded });
	}
}

/**
 * Whether `PERCENT` can match at all: it needs four "%hh" in a row, each next "%" at most 16
 * characters (no whitespace) after the previous pair. A linear check with indexOf; the regex
 * itself tries up to 16 characters at every position of the text.
 */
function hasPercentChain(text: string): boolean {
	let chain = 0;
	let prevEnd = -1;
	for (let p = text.indexOf('%'); p >= 0; p = text.indexOf('%', p + 1)) {
		const ok = p + 2 < text.length && isHex(text.charCodeAt(p + 1)) && isHex(text.charCodeAt(p + 2));
		if (!ok) {
			chain = 0;
			continue;
		}
		let linked = chain > 0 && p - prevEnd <= 16;
		for (let k = prevEnd; linked && k < p; k++) if (isJsSpace(text.charCodeAt(k))) linked = false;
		chain = linked ? chain + 1 : 1;
		if (chain >= 4) return true;
		prevEnd = p + 3;
	}
	return false;
}

function decodePercent(s: string): string | null {
	try {
		return decodeURIComponent(s.replace(/\+/g, ' '));
	} catch {
		return null;
	}
}
function decodeEntities(s: string): string {
	return s.replace(/&#(x?)([0-9a-f]{1,6});?|&([a-z]{2,6});/gi, (all: string, x: string, num: string | undefined, name: string | undefined) => {
		if (num !== undefined) {
			const v = parseInt(num, x !== '' ? 16 : 10);
			return v > 0 && v <= 0x10ffff ? String.fromCodePoint(v) : '';
		}
		return NAMED[(name ?? '').toLowerCase()] ?? all;
	});
}
function decodeQp(s: string): string {
	const bytes: number[] = [];
	for (let i = 0; i < s.length; i++) {
		if (s[i] === '=' && i + 2 < s.length + 1 && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
			bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
			i += 2;
		} else bytes.push(s.charCodeAt(i) & 0xff);
	}
	return Buffer.from(bytes).toString('utf8');
}

/**
 * Necessary for a binary run worth decoding (at least 6 octets, each after at most one space):
 * one regex test, cheaper than `scanBinary` on ordinary text, where it fails. (The same kind of
 * test for base64 or hex runs costs more than their scanners: tried.)
 */
const MAY_BINARY = /(?:[01]{8} ?){5}[01]{8}/;

export function findEncoded(text: string): Decoded[] {
	const out: Decoded[] = [];
	scanBase64(text, out);
	scanHex(text, out);
	if (MAY_BINARY.test(text)) scanBinary(text, out);
	if (hasPercentChain(text)) scanRegex(text, PERCENT, 'url_encoding', decodePercent, out);
	if (text.includes('&')) scanRegex(text, ENTITY, 'html_entities', decodeEntities, out);
	if (text.includes('=')) scanRegex(text, QP, 'quoted_printable', decodeQp, out);
	return out;
}

export function rot13(s: string): string {
	let out = '';
	const chunk: number[] = [];
	for (let i = 0; i < s.length; i++) {
		let c = s.charCodeAt(i);
		if (c >= 0x61 && c <= 0x7a) c = ((c - 0x61 + 13) % 26) + 0x61;
		else if (c >= 0x41 && c <= 0x5a) c = ((c - 0x41 + 13) % 26) + 0x41;
		chunk.push(c);
		if (chunk.length >= 8192) {
			out += String.fromCharCode(...chunk);
			chunk.length = 0;
		}
	}
	return out + String.fromCharCode(...chunk);
}
