/**
 * Priming the model with fabricated context instead of instructions:
 * - a made-up question/answer transcript ("Q: … A: … Q: …") that ends on an unanswered question,
 *   so the model continues the pattern it was fed (few-shot / many-shot priming), with the
 *   question/answer labels of the ten languages;
 * - a run of one token or one short phrase repeated many times on one line (repeated-token attacks
 *   that push the real instructions out of focus before the request).
 * Both are linear scanners over the original text.
 */
import { isJsSpace, type Rule } from './rule';

const C = 'fake_boundary';

/** Question / answer labels: Q/A and the full words in EN/ES/FR/DE/PT/IT/NL, plus ZH/JA/RU. */
const QUESTION_LABELS = new Set(['Q', 'Question', 'Pregunta', 'Frage', 'Pergunta', 'Domanda', 'Vraag', 'Вопрос', '问', '問', '質問']);
const ANSWER_LABELS = new Set(['A', 'Answer', 'Respuesta', 'Réponse', 'Reponse', 'Antwort', 'Resposta', 'Risposta', 'Antwoord', 'Ответ', '答', '回答']);
const MAX_LABELS = 400;
/** The open question after the last label: at most this long, and the text ends there. */
const MAX_TAIL = 400;

/** The label word right before a colon at `k` (up to two spaces between), or null. */
function labelBefore(text: string, k: number): { word: string; start: number } | null {
	let e = k;
	while (e > 0 && k - e < 2 && text.charCodeAt(e - 1) === 0x20) e--;
	let s = e;
	while (s > 0 && e - s < 9 && /[\p{L}]/u.test(text[s - 1])) s--;
	if (s === e) return null;
	// The label is a word of its own: start of text, or after a space or sentence punctuation.
	if (s > 0 && !/[\s.!?"'(。？]/.test(text[s - 1])) return null;
	return { word: text.slice(s, e), start: s };
}

/**
 * A transcript of at least two questions and one answer, alternating, whose last turn is an
 * unanswered question at the end of the text. Only colons are visited (cheap on ordinary text).
 */
function findOpenTranscript(text: string): Array<[number, number]> {
	// The text must end on a question mark (checked first: most texts do not, and then no label matters).
	let e = text.length;
	while (e > 0 && isJsSpace(text.charCodeAt(e - 1))) e--;
	const end = text.charCodeAt(e - 1);
	if (end !== 0x3f && end !== 0xff1f) return [];
	let questions = 0;
	let answers = 0;
	let alternations = 0;
	let prevQuestion: boolean | null = null;
	let lastStart = -1;
	let firstStart = -1;
	let labels = 0;
	const n = text.length;
	for (let k = 0; k < n && labels < MAX_LABELS; k++) {
		const c = text.charCodeAt(k);
		if (c !== 0x3a && c !== 0xff1a) continue;
		const l = labelBefore(text, k);
		if (l === null) continue;
		const isQ = QUESTION_LABELS.has(l.word);
		if (!isQ && !ANSWER_LABELS.has(l.word)) continue;
		labels++;
		if (isQ) questions++;
		else answers++;
		if (prevQuestion !== null && prevQuestion !== isQ) alternations++;
		prevQuestion = isQ;
		lastStart = l.start;
		if (firstStart < 0) firstStart = l.start;
	}
	if (questions < 2 || answers < 1 || alternations < 2 || prevQuestion !== true) return [];
	if (e - lastStart > MAX_TAIL) return [];
	return [[firstStart, e]];
}

/** Tokens longer than this never count in a run. */
const MAX_TOKEN = 40;
/** Periods checked (a power of two: the ring of recent tokens). */
const RING = 16;
/** Hash buckets of the ring's pre-check (a power of two). */
const BUCKETS = 256;
/** Repetitions needed: one token repeated this many times in a row … */
const MIN_REPEAT_TOKEN = 10;
/** … or a phrase of 2–16 tokens repeated this many times in a row. */
const MIN_REPEAT_PHRASE = 5;

/** The offset of the next `ch` at or after `from`, or the text's length. */
function nextOf(text: string, ch: string, from: number): number {
	const k = text.indexOf(ch, from);
	return k < 0 ? text.length : k;
}

/**
 * Where the next space, LF, tab and CR are at or after the current token (the text's length:
 * none), for `tokenEnd`; `startTokens` sets them for a new text.
 */
const nextWs = new Int32Array(4);
function startTokens(text: string): void {
	const n = text.length;
	nextWs[0] = -1;
	nextWs[1] = -1;
	nextWs[2] = text.includes('\t') ? -1 : n;
	nextWs[3] = text.includes('\r') ? -1 : n;
}

/**
 * The end of the token that starts at `i` (not whitespace): the nearest next space, LF, tab or
 * CR, each found with `indexOf` (one native search per token, per line for LF) rather than by
 * reading every character, and compared in place (`Math.min` of four was a tenth of the scan).
 */
function tokenEnd(text: string, i: number): number {
	if (nextWs[0] < i) nextWs[0] = nextOf(text, ' ', i);
	if (nextWs[1] < i) nextWs[1] = nextOf(text, '\n', i);
	if (nextWs[2] < i) nextWs[2] = nextOf(text, '\t', i);
	if (nextWs[3] < i) nextWs[3] = nextOf(text, '\r', i);
	let e = nextWs[0] < nextWs[1] ? nextWs[0] : nextWs[1];
	if (nextWs[2] < e) e = nextWs[2];
	if (nextWs[3] < e) e = nextWs[3];
	return e;
}

/** A letter or digit (any character beyond ASCII counts as one). */
function isAlnum(c: number): boolean {
	return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c >= 0x80;
}

/** Whether text[a, a+len) equals text[b, b+len) (no allocation). */
function sameSpan(text: string, a: number, b: number, len: number): boolean {
	for (let k = 0; k < len; k++) if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
	return true;
}

/**
 * Runs of space-separated tokens on one line where token i equals token i−p for a period p ≤ 16:
 * one pass, a ring of the last tokens' hashes (equal hashes are confirmed character by character).
 */
// Scratch arrays, reused by every call (allocating typed arrays per call cost more than the scan
// of a short e-mail). The ring's slots are written before they are read; `run` and `bucket` are
// cleared at the start of each call.
const hashes = new Int32Array(RING);
const starts = new Int32Array(RING);
const lens = new Int32Array(RING);
const run = new Int32Array(RING + 1);
const runStart = new Int32Array(RING + 1);
// Per hash bucket, the ring slots (bit per slot) of the tokens that can match and fall in it: a
// token is compared only with those (usually none or one), not with all 16.
const bucket = new Uint16Array(BUCKETS);

/** Sets run[p] = 0 for every period p whose bit is set in `mask` (the periods with a run going). */
function clearRuns(mask: number): void {
	for (let p = 1; mask !== 0; p++, mask >>>= 1) if ((mask & 1) !== 0) run[p] = 0;
}

/** Ring of the last tokens' starts and lengths for `mayRepeat` (a power of two, > RING + 4). */
const PEEK = 32;
const peekStart = new Int32Array(PEEK);
const peekLen = new Int32Array(PEEK);
const peekLine = new Int32Array(PEEK);

/** Whether tokens x and y (indices, both in `mayRepeat`'s ring) are the same string. */
function sameToken(text: string, x: number, y: number): boolean {
	const len = peekLen[x & (PEEK - 1)];
	if (len !== peekLen[y & (PEEK - 1)] || len > MAX_TOKEN) return false;
	const a = peekStart[x & (PEEK - 1)];
	if (!sameSpan(text, a, peekStart[y & (PEEK - 1)], len)) return false;
	// Tokens without a letter or digit never count (as in `findRepeatedRuns`).
	for (let k = a; k < a + len; k++) if (isAlnum(text.charCodeAt(k))) return true;
	return false;
}

/** Whether tokens c … c+3 each equal the token p before them, all on one line (a run stays on one). */
function fourEqual(text: string, c: number, p: number): boolean {
	if (peekLine[(c - p) & (PEEK - 1)] !== peekLine[(c + 3) & (PEEK - 1)]) return false;
	for (let j = 0; j < 4; j++) if (!sameToken(text, c + j, c + j - p)) return false;
	return true;
}

/**
 * Necessary for a run of `findRepeatedRuns`, and cheap: token boundaries only (the same tokens),
 * tested at every fourth token instead of hashing each one. A run of period p holds token i equal
 * to token i − p for at least 9 consecutive i (p = 1) or 4p (p ≥ 2). Nine or eight consecutive
 * indices hold a multiple of 4 with the three after it in the run too; 4p ≥ 12 consecutive ones, a
 * multiple of 8 with the three after it. So some checkpoint c (every 4th token for periods 1 and 2,
 * every 8th for the others) has tokens c … c+3 each equal to the one p before: ordinary text,
 * where a token seldom equals the one before it four times over, fails every checkpoint.
 */
function mayRepeat(text: string): boolean {
	const n = text.length;
	startTokens(text);
	let k = 0;
	let line = 0;
	let i = 0;
	while (i < n) {
		let c = text.charCodeAt(i);
		while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
			if (c === 0x0a) line++;
			if (++i >= n) return false;
			c = text.charCodeAt(i);
		}
		const s = i;
		i = tokenEnd(text, i);
		peekStart[k & (PEEK - 1)] = s;
		peekLen[k & (PEEK - 1)] = i - s;
		peekLine[k & (PEEK - 1)] = line;
		// Token k completes checkpoint c = k − 3.
		const cp = k - 3;
		if (cp >= 4 && (cp & 3) === 0) {
			if (fourEqual(text, cp, 1) || fourEqual(text, cp, 2)) return true;
			if ((cp & 7) === 0) for (let p = 3; p <= RING && p <= cp; p++) if (fourEqual(text, cp, p)) return true;
		}
		k++;
	}
	return false;
}

function findRepeatedRuns(text: string): Array<[number, number]> {
	if (!mayRepeat(text)) return [];
	const n = text.length;
	run.fill(0);
	bucket.fill(0);
	/** Bit p−1 set: run[p] may be non-zero (cleared runs are found from it, without a pass over all periods). */
	let going = 0;
	startTokens(text);
	let tokens = 0;
	let i = 0;
	while (i < n) {
		// Whitespace (space, tab, CR, LF) between tokens.
		let newline = false;
		let c = text.charCodeAt(i);
		while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
			if (c === 0x0a) newline = true;
			if (++i >= n) return [];
			c = text.charCodeAt(i);
		}
		// A run stays on one line: repeated log or table lines are ordinary in e-mail.
		if (newline && going !== 0) {
			clearRuns(going);
			going = 0;
		}
		const s = i;
		i = tokenEnd(text, i);
		// Tokens without a letter or digit (separators, rulers) and very long ones match nothing.
		const first = text.charCodeAt(s);
		const last = text.charCodeAt(i - 1);
		let alnum = isAlnum(first) || isAlnum(last);
		for (let k = s + 1; !alnum && k < i - 1; k++) alnum = isAlnum(text.charCodeAt(k));
		const len = alnum && i - s <= MAX_TOKEN ? i - s : -1;
		// A cheap hash (length, first and last character): equal tokens have equal hashes, and
		// tokens with equal hashes are compared character by character.
		let h = Math.imul((first << 16) ^ (last << 6) ^ (i - s), 0x9e3779b1);
		h ^= h >>> 15;
		// The periods p (bit p−1) whose token p back equals this one.
		let equal = 0;
		if (len >= 0) {
			for (let slots = bucket[h & (BUCKETS - 1)]; slots !== 0; slots &= slots - 1) {
				const prev = 31 - Math.clz32(slots & -slots);
				if (hashes[prev] === h && lens[prev] === len && sameSpan(text, starts[prev], s, len)) equal |= 1 << (((tokens - prev - 1) & (RING - 1)));
			}
		}
		// Runs of the other periods end; those of these periods go on, in increasing period (a
		// period-1 run going on counts for the longer periods' test below).
		if ((going & ~equal) !== 0) clearRuns(going & ~equal);
		going = equal;
		for (let mask = equal, p = 1; mask !== 0; p++, mask >>>= 1) {
			if ((mask & 1) === 0) continue;
			const prev = (tokens - p) & (RING - 1);
			if (run[p] === 0) runStart[p] = starts[prev];
			run[p]++;
			const reps = Math.floor(run[p] / p) + 1;
			if (p === 1 ? reps >= MIN_REPEAT_TOKEN && len >= 2 : reps >= MIN_REPEAT_PHRASE && run[1] === 0) return [[runStart[p], i]];
		}
		const slot = tokens & (RING - 1);
		if (tokens >= RING && lens[slot] >= 0) bucket[hashes[slot] & (BUCKETS - 1)] &= ~(1 << slot);
		if (len >= 0) bucket[h & (BUCKETS - 1)] |= 1 << slot;
		hashes[slot] = h;
		starts[slot] = s;
		lens[slot] = len;
		tokens++;
	}
	return [];
}

export const dialoguePrimingRules: Rule[] = [
	{ id: 'open_fake_transcript', category: C, weight: 0.5, original: true, find: findOpenTranscript },
	{ id: 'repeated_token_run', category: C, weight: 0.5, original: true, find: findRepeatedRuns },
];
