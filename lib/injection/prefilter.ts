/**
 * Literal pre-filter for rule regexes. Each rule pattern (a constant of this package) is analysed
 * once into required literal factors in conjunctive normal form: every match of the regex contains,
 * for each clause, at least one of the clause's literal strings. One Aho–Corasick pass (linear)
 * over a view tells which literals occur; a rule's regex runs only when all its clauses are
 * satisfied. This never changes results: a skipped regex could not have matched.
 */
import { ALL_RULES, ROT13_RULES, type Rule } from './rules';
import { isJsSpace, isWordChar, WORD_END, WORD_START } from './rules/rule';
import { carver } from './slab';

type Node =
	| { t: 'lit'; c: string }
	| { t: 'any' }
	| { t: 'zero'; look?: Node; behind?: boolean }
	| { t: 'wb' }
	| { t: 'space' }
	| { t: 'seq'; items: Array<{ node: Node; min: number; max: number }> }
	| { t: 'alt'; alts: Node[]; cls?: true };

class Unsupported extends Error {}

/** Minimal parser for the (non-unicode) regex syntax used by the rule sources. */
function parse(src: string): Node {
	let i = 0;
	const parseAlt = (): Node => {
		const alts: Node[] = [parseSeq()];
		while (i < src.length && src[i] === '|') {
			i++;
			alts.push(parseSeq());
		}
		return alts.length === 1 ? alts[0] : { t: 'alt', alts };
	};
	const parseSeq = (): Node => {
		const items: Array<{ node: Node; min: number; max: number }> = [];
		while (i < src.length && src[i] !== '|' && src[i] !== ')') {
			const node = parseAtom();
			let min = 1;
			let max = 1;
			const q = src[i];
			if (q === '*' || q === '+' || q === '?') {
				min = q === '+' ? 1 : 0;
				max = q === '?' ? 1 : Infinity;
				i++;
				if (src[i] === '?') i++;
			} else if (q === '{') {
				const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i, i + 24));
				if (m !== null) {
					min = Number(m[1]);
					max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
					i += m[0].length;
					if (src[i] === '?') i++;
				}
			}
			items.push({ node, min, max });
		}
		return { t: 'seq', items };
	};
	const parseAtom = (): Node => {
		const c = src[i];
		// Script-aware word boundaries (rules/rule.ts): like `\b` here, zero width, one character of
		// context each side; a literal next to them needs a non-word ASCII neighbour, as with `\b`.
		if (c === '(' && (src.startsWith(WORD_START, i) || src.startsWith(WORD_END, i))) {
			i += src.startsWith(WORD_START, i) ? WORD_START.length : WORD_END.length;
			return { t: 'wb' };
		}
		if (c === '(') {
			i++;
			let zero = false;
			let behind = false;
			if (src[i] === '?') {
				if (src[i + 1] === ':') i += 2;
				else if (src[i + 1] === '=' || src[i + 1] === '!') {
					zero = true;
					i += 2;
				} else if (src[i + 1] === '<' && (src[i + 2] === '=' || src[i + 2] === '!')) {
					zero = true;
					behind = true;
					i += 3;
				} else if (src[i + 1] === '<') {
					const close = src.indexOf('>', i);
					if (close < 0) throw new Unsupported('group name');
					i = close + 1;
				} else throw new Unsupported('group');
			}
			const inner = parseAlt();
			if (src[i] !== ')') throw new Unsupported('unbalanced');
			i++;
			return zero ? { t: 'zero', look: inner, behind } : inner;
		}
		if (c === '[') {
			i++;
			const negated = src[i] === '^';
			if (negated) i++;
			const open = i;
			while (i < src.length && src[i] !== ']') i += src[i] === '\\' ? 2 : 1;
			if (i >= src.length) throw new Unsupported('class');
			const body = src.slice(open, i);
			i++;
			// A small set of plain characters ("[:：]", "[rz]") is an alternation of literals; other
			// classes (ranges, escapes, negation) match "any" character here.
			if (!negated && body.length >= 1 && body.length <= MAX_CLASS_CHARS && !/[-\\\]^]/.test(body)) {
				return { t: 'alt', alts: [...new Set(body)].map((ch): Node => ({ t: 'lit', c: ch })), cls: true };
			}
			return { t: 'any' };
		}
		if (c === '\\') {
			const e = src[i + 1];
			if (e === undefined) throw new Unsupported('escape');
			i += 2;
			if (e === 'b') return { t: 'wb' };
			if (e === 'B') return { t: 'zero' };
			if (e === 's') return { t: 'space' };
			if ('dDwWSfvr0123456789'.includes(e)) return { t: 'any' };
			if (e === 'n') return { t: 'lit', c: '\n' };
			if (e === 't') return { t: 'lit', c: '\t' };
			if (e === 'x' || e === 'u') {
				const len = e === 'x' ? 2 : 4;
				const hex = src.slice(i, i + len);
				if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new Unsupported('hex escape');
				i += len;
				return { t: 'lit', c: String.fromCharCode(parseInt(hex, 16)) };
			}
			if (/[a-zA-Z]/.test(e)) throw new Unsupported('escape letter');
			return { t: 'lit', c: e };
		}
		if (c === '.') {
			i++;
			return { t: 'any' };
		}
		if (c === '^' || c === '$') {
			i++;
			return { t: 'zero' };
		}
		if (c === '*' || c === '+' || c === '?') throw new Unsupported('dangling quantifier');
		i++;
		return { t: 'lit', c };
	};
	const node = parseAlt();
	if (i !== src.length) throw new Unsupported('trailing');
	return node;
}

/**
 * A required literal, matched against the text with every run of JS-\s whitespace collapsed to
 * one space (collapsing maps any substring of the text to a substring of the collapsed text).
 * `bs`/`be`: the character before/after the occurrence is a non-word character or the text edge.
 */
interface Lit {
	s: string;
	bs: boolean;
	be: boolean;
}
type Cnf = Lit[][];
const MAX_ALT_CLAUSES = 4;
/** Variants of one literal run at most (optional characters, small classes and groups fork it). */
const MAX_VARIANTS = 64;
/** Character classes of at most this many plain characters are read as alternatives. */
const MAX_CLASS_CHARS = 4;
/** Groups whose strings (`langOf`) are at most this many join the literal runs around them. */
const MAX_LANG = 64;

function joinStr(a: string, b: string): string {
	return a.endsWith(' ') && b.startsWith(' ') ? a + b.slice(1) : a + b;
}

/** Concatenations of `xs` and `ys` (whitespace collapsed), or null when more than `cap`. */
function product(xs: readonly string[], ys: readonly string[], cap: number): string[] | null {
	if (xs.length * ys.length > cap) return null;
	const out = new Set<string>();
	for (const x of xs) for (const y of ys) out.add(joinStr(x, y));
	return [...out];
}

/**
 * Every string a node can match, as seen in the collapsed text (a whitespace run is one space),
 * when they are at most `cap`; otherwise (or for classes, unbounded repeats) null.
 */
function langOf(node: Node, cap: number): string[] | null {
	switch (node.t) {
		case 'lit':
			return [isJsSpace(node.c.charCodeAt(0)) ? ' ' : node.c];
		case 'space':
			return [' '];
		case 'wb':
		case 'zero':
			return [''];
		case 'any':
			return null;
		case 'alt': {
			const out = new Set<string>();
			for (const a of node.alts) {
				const l = langOf(a, cap);
				if (l === null) return null;
				for (const x of l) out.add(x);
				if (out.size > cap) return null;
			}
			return [...out];
		}
		case 'seq': {
			let acc: string[] | null = [''];
			for (const it of node.items) {
				let l: string[] | null;
				if (it.node.t === 'space') l = it.min >= 1 ? [' '] : ['', ' '];
				else if (it.node.t === 'wb' || it.node.t === 'zero') l = [''];
				else if (it.max !== 1) return null;
				else {
					l = langOf(it.node, cap);
					if (l === null) return null;
					if (it.min === 0 && !l.includes('')) l = ['', ...l];
				}
				acc = product(acc, l, cap);
				if (acc === null) return null;
			}
			return acc;
		}
	}
}

/** Context at a literal's edge: 0 unknown, 1 a \b assertion, 2 a whitespace character. */
type Ctx = 0 | 1 | 2;

function clauseQuality(cl: Lit[]): number {
	let worst = Infinity;
	for (const l of cl) worst = Math.min(worst, l.s.length + (l.bs ? 1 : 0) + (l.be ? 1 : 0));
	return worst * 1000 - cl.length;
}

function edgeCtx(it: { node: Node; min: number } | undefined, inherited: Ctx): Ctx {
	if (it === undefined) return inherited;
	if (it.node.t === 'wb') return 1;
	if (it.node.t === 'space' && it.min >= 1) return 2;
	return 0;
}

/**
 * `cnf` of a group node, memoised: the expanded alternatives of a pattern share their unexpanded
 * groups (results are never mutated).
 */
const memo = new WeakMap<Node, Array<Cnf | undefined>>();
function cnfMemo(node: Node, lctx: Ctx, rctx: Ctx): Cnf {
	let m = memo.get(node);
	if (m === undefined) {
		m = new Array<Cnf | undefined>(9);
		memo.set(node, m);
	}
	const k = lctx * 3 + rctx;
	let r = m[k];
	if (r === undefined) {
		r = cnf(node, lctx, rctx);
		m[k] = r;
	}
	return r;
}

/** Required literal clauses of a node: every match contains one literal of each clause. */
function cnf(node: Node, lctx: Ctx, rctx: Ctx): Cnf {
	if (node.t === 'lit') return [[{ s: isJsSpace(node.c.charCodeAt(0)) ? ' ' : node.c, bs: false, be: false }]];
	if (node.t !== 'seq' && node.t !== 'alt') return [];
	if (node.t === 'alt') {
		// (A1 ∧ A2 ∧ …) ∨ (B1 ∧ B2 ∧ …) implies (Aj ∨ Bj) for any choice of j per branch: clause j
		// takes every branch's j-th best clause (or its last one when the branch has fewer).
		const ranked: Cnf[] = [];
		let width = 0;
		for (const a of node.alts) {
			const c = cnf(a, lctx, rctx);
			if (c.length === 0) return [];
			const q = c.map((cl) => ({ cl, q: clauseQuality(cl) }));
			q.sort((x, y) => y.q - x.q);
			ranked.push(q.map((x) => x.cl));
			width = Math.max(width, c.length);
		}
		const out: Cnf = [];
		for (let j = 0; j < Math.min(width, MAX_ALT_CLAUSES); j++) {
			const union: Lit[] = [];
			for (const r of ranked) for (const l of r[Math.min(j, r.length - 1)]) union.push(l);
			out.push(union);
		}
		return out;
	}
	const out: Cnf = [];
	const items = node.items;
	// The literal run being built, as variants (an optional character or whitespace forks it).
	let runs: string[] = [];
	let runLeft: Ctx = 0;
	const append = (r: string, ch: string): string => (ch === ' ' && r.endsWith(' ') ? r : r + ch);
	const flush = (right: Ctx): void => {
		const clause: Lit[] = [];
		for (let v of runs) {
			let r = right;
			if (v.endsWith(' ')) {
				v = v.slice(0, -1);
				r = 2;
			}
			if (v === '') {
				clause.length = 0;
				break;
			}
			const bs = runLeft === 2 || (runLeft === 1 && isWordChar(v.charCodeAt(0)));
			const be = r === 2 || (r === 1 && isWordChar(v.charCodeAt(v.length - 1)));
			clause.push({ s: v, bs, be });
		}
		if (clause.length > 0) out.push(clause);
		runs = [];
	};
	/**
	 * Replaces the run by `next(run)`; when that has too many variants, the run so far becomes a
	 * clause and goes on from its last word (from its last whitespace, kept), then tries again.
	 */
	const grow = (next: (rs: string[]) => string[] | null): boolean => {
		const direct = next(runs);
		if (direct !== null) {
			runs = direct;
			return true;
		}
		const tails = new Set<string>();
		let shorter = false;
		for (const r of runs) {
			const k = r.lastIndexOf(' ', r.length - 2);
			if (k > 0) shorter = true;
			tails.add(k > 0 ? r.slice(k) : r);
		}
		if (!shorter) return false;
		const left = runLeft;
		const shrunk = next([...tails]);
		if (shrunk === null) return false;
		flush(0);
		runs = shrunk;
		runLeft = left;
		return true;
	};
	for (let k = 0; k < items.length; k++) {
		const it = items[k];
		const nd = it.node;
		if (nd.t === 'lit' && it.min >= 1) {
			const ch = isJsSpace(nd.c.charCodeAt(0)) ? ' ' : nd.c;
			if (runs.length === 0) {
				runLeft = edgeCtx(items[k - 1], lctx);
				runs = [ch];
			} else if (runs.length === 1) runs[0] = append(runs[0], ch);
			else runs = runs.map((r) => append(r, ch));
			if (it.max !== 1) flush(0);
			continue;
		}
		if (nd.t === 'space' && it.min >= 1) {
			// Any whitespace run is one space in the collapsed text.
			if (runs.length > 0) runs = runs.map((r) => append(r, ' '));
			continue;
		}
		const optional = it.min === 0 && it.max === 1 ? nd.t === 'lit' : it.min === 0 && nd.t === 'space';
		if (optional && runs.length > 0 && (nd.t === 'lit' || nd.t === 'space')) {
			// Present or absent: both continuations of every variant.
			const ch = nd.t === 'space' || isJsSpace(nd.c.charCodeAt(0)) ? ' ' : nd.c;
			if (grow((rs) => (rs.length * 2 <= MAX_VARIANTS ? [...new Set([...rs, ...rs.map((r) => append(r, ch))])] : null))) continue;
		}
		if ((nd.t === 'alt' || nd.t === 'seq') && it.max === 1) {
			// A group of a few strings (a small class, a word list): the literal run goes on through it.
			const lang = langOf(nd, MAX_LANG);
			if (lang !== null && !lang.includes('')) {
				const opts = it.min === 0 ? ['', ...lang] : lang;
				if (runs.length > 0 && grow((rs) => product(rs, opts, MAX_VARIANTS))) continue;
				if (it.min >= 1) {
					// Too many combinations: the run so far is one clause, a new run starts with the group.
					flush(0);
					runLeft = edgeCtx(items[k - 1], lctx);
					runs = lang;
					continue;
				}
				if (runs.length > 0 && runs.length + lang.length <= MAX_VARIANTS) {
					// Optional: the text here ends with the run so far (group absent) or with one of the
					// group's strings (present); the left context of the latter is unknown.
					const before = runs;
					flush(0);
					runs = [...new Set([...before, ...lang])];
					runLeft = 0;
					continue;
				}
			}
		}
		flush(edgeCtx(it, 0));
		if (it.min >= 1) {
			const inner = it.max === 1 && it.min === 1 ? cnfMemo(nd, edgeCtx(items[k - 1], lctx), edgeCtx(items[k + 1], rctx)) : cnfMemo(nd, 0, 0);
			for (const cl of inner) out.push(cl);
		}
	}
	flush(rctx);
	return out;
}

/**
 * Alternatives of a node with every top-level or once-only alternation distributed over the
 * sequences around it ("a (?:b|c) d" → "a b d", "a c d"), sequences flattened so literal runs join
 * across group edges. Any match of the node matches one alternative. Stops expanding when the
 * count would pass `cap` (an unexpanded node is still a correct alternative of itself).
 */
type Item = { node: Node; min: number; max: number };
function expand(node: Node, cap: number): Node[] {
	if (node.t === 'alt') {
		const out: Node[] = [];
		for (const a of node.alts) {
			for (const x of expand(a, cap)) out.push(x);
			if (out.length > cap) return [node];
		}
		return out;
	}
	return expandSeq(node, cap);
}

function expandSeq(node: Node, cap: number): Node[] {
	if (node.t !== 'seq') return [node];
	let rows: Item[][] = [[]];
	for (const it of node.items) {
		if (it.min === 1 && it.max === 1 && ((it.node.t === 'alt' && it.node.cls !== true) || it.node.t === 'seq')) {
			let opts = expand(it.node, cap);
			// Too many once expanded: its branches as they are (a match of the group matches one).
			if (opts.length === 1 && opts[0] === it.node && it.node.t === 'alt') opts = it.node.alts;
			if (rows.length * opts.length <= cap) {
				const next: Item[][] = [];
				for (const r of rows) {
					for (const o of opts) next.push(o.t === 'seq' ? [...r, ...o.items] : [...r, { node: o, min: 1, max: 1 }]);
				}
				rows = next;
				continue;
			}
		}
		for (const r of rows) r.push(it);
	}
	return rows.map((items) => ({ t: 'seq', items }));
}

/** Required literals as a disjunction of CNFs (one per alternative), or [] when the pattern has none. */
function dnf(node: Node): Cnf[] {
	const out: Cnf[] = [];
	// A top-level alternation: each branch expanded on its own (the cap applies per branch).
	const top = node.t === 'alt' ? node.alts.flatMap((a) => expand(a, MAX_EXPANDED)) : expand(node, MAX_EXPANDED);
	for (const alt of top) {
		const c = cnf(alt, 0, 0);
		if (c.length === 0) {
			// One alternative without literals: fall back to the combined analysis.
			const whole = cnf(node, 0, 0);
			return whole.length === 0 ? [] : [whole];
		}
		out.push(c);
	}
	return out;
}
const MAX_EXPANDED = 64;

/** Clauses as literal ids, or null when the rule must always run. */
const literalIds = new Map<string, number>();
/** Literals in marked form (see `marked`): what the automaton looks for. */
const litStr: string[] = [];
/**
 * Only single ASCII characters without a boundary mark (":", "=", "n") stay out of the automaton:
 * they occur in nearly every text, and each occurrence would cost the automaton a slow step. They
 * (and literals with a control character) are tested on first need with `includes` on the text
 * (see `shortPresent`). Other short literals ("\be\b", "\bto\b", "ai:") are in the automaton,
 * marks included: one pass answers them all, where an `indexOf` walk per literal and view cost
 * more than the whole automaton pass on e-mail.
 */
const MAX_SHORT_MARKED = 1;
/** Per literal id: the plain string to test with `includes` for a short literal, else null. */
const shortLit: Array<string | null> = [];
/**
 * Per literal id, how a short literal is tested: `SHORT_ANY` (contains a space or control: assume
 * present), else 4 | 1 (needs a non-word character or the text start before it) | 2 (the same after).
 */
const shortMode: number[] = [];
const SHORT_ANY = 0;

/**
 * Word-boundary markers: U+0001 stands between every pair of neighbouring characters of which
 * exactly one is a JS word character [A-Za-z0-9_], and before/after a word character at the text's
 * start/end. A literal carries the markers of its own inner transitions, plus a leading/trailing
 * marker when the pattern guarantees a non-word character (or the text edge) on that side of a
 * word character. The text's own control characters below U+0009 are mapped to U+0002.
 */
const MARK = 0x01;
function marked(l: Lit): string {
	let out = '';
	const first = l.s.charCodeAt(0);
	if (l.bs && isWordChar(first)) out += '\u0001';
	for (let k = 0; k < l.s.length; k++) {
		if (k > 0 && isWordChar(l.s.charCodeAt(k - 1)) !== isWordChar(l.s.charCodeAt(k))) out += '\u0001';
		out += l.s[k];
	}
	if (l.be && isWordChar(l.s.charCodeAt(l.s.length - 1))) out += '\u0001';
	return out;
}
/**
 * Per rule regex: `gate`, clauses that every match satisfies (checked first, cheap), and `alts`,
 * alternatives each given as clauses of literal ids: every match satisfies all clauses of one of them.
 */
export interface Filter {
	/** Index into the candidate bitmaps. */
	idx: number;
	/** Clauses packed (see `pack`). */
	gate: Int32Array[];
	alts: Int32Array[][];
	/** Literals of which at least one must be present (the best clause of each alternative). */
	key: number[];
}
let nFilters = 0;
const ruleClauses = new Map<RegExp, Filter>();
/** Clauses with ROT13-transformed literals: tested on a text whose ROT13 view the rule would scan. */
const rotClauses = new Map<RegExp, Filter>();

/** Letter-wise ROT13 (an involution that keeps word/space classes, like `encoded.rot13`). */
function rot13Lit(s: string): string {
	let out = '';
	for (let k = 0; k < s.length; k++) {
		const c = s.charCodeAt(k);
		if (c >= 0x61 && c <= 0x7a) out += String.fromCharCode(((c - 0x61 + 13) % 26) + 0x61);
		else if (c >= 0x41 && c <= 0x5a) out += String.fromCharCode(((c - 0x41 + 13) % 26) + 0x41);
		else out += s[k];
	}
	return out;
}

/** Longer required literals are cut to a prefix this long: as selective in practice, and a smaller automaton. */
const MAX_LIT = 12;

function litId(full: Lit): number {
	let l = full;
	if (l.s.length > MAX_LIT) {
		let cut = l.s.slice(0, MAX_LIT);
		while (cut.endsWith(' ')) cut = cut.slice(0, -1);
		l = { s: cut, bs: l.bs, be: false };
	}
	const key = marked(l);
	let id = literalIds.get(key);
	if (id === undefined) {
		id = litStr.length;
		literalIds.set(key, id);
		litStr.push(key);
		// Non-ASCII literals (CJK words are short) stay in the automaton: rare in most texts.
		const control = /[\x00-\x08]/.test(l.s);
		const short = /^[\x00-\x7f]*$/.test(l.s) && (control || key.length <= MAX_SHORT_MARKED);
		shortLit.push(short ? l.s : null);
		// 0: assume present (a space or control stands for a class); else bit 1: a leading, bit 2: a trailing marker.
		shortMode.push(!short || /[\s\x00-\x08]/.test(l.s) ? SHORT_ANY : 4 | (l.bs && isWordChar(l.s.charCodeAt(0)) ? 1 : 0) | (l.be && isWordChar(l.s.charCodeAt(l.s.length - 1)) ? 2 : 0));
	}
	return id;
}

/**
 * How a rule's literals are tested: `plain` on the view the rule scans; `rot` on a text whose
 * ROT13 the rule scans; `lower` for a case-sensitive rule that scans the original text, tested on
 * the lower-cased view of an ASCII-only original (`normalize` then only lower-cases it, character
 * for character, so a literal of the original is the lower-cased literal of the view, with the
 * same word boundaries).
 */
type Mode = 'plain' | 'rot' | 'lower' | 'loose';

/**
 * Mode `loose`: a case-sensitive rule's literals tested on the view of any original. The view
 * keeps every ASCII character of the original, lower-cased and in order, but may drop or fold the
 * characters around it (invisibles, accented letters, other spaces), so only what stays true is
 * kept: each literal becomes its longest piece of printable ASCII without a space (a space may
 * stand for any whitespace, some of which the view drops; other characters may fold), lower-cased,
 * with no word boundary at its ends; a clause with a literal that has no such piece is dropped
 * (it may hold whatever the view says).
 */
function loosen(clauses: Cnf): Cnf {
	const out: Cnf = [];
	for (const cl of clauses) {
		const lits: Lit[] = [];
		let open = false;
		for (const l of cl) {
			let best = '';
			for (const piece of l.s.split(/[^\x21-\x7e]+/)) if (piece.length > best.length) best = piece;
			if (best === '') {
				open = true;
				break;
			}
			lits.push({ s: best.toLowerCase(), bs: false, be: false });
		}
		if (!open) out.push(lits);
	}
	return out;
}

/**
 * Function words of the scanned languages (and pieces of two letters or fewer) occur in nearly
 * every text: a clause that such a literal satisfies filters nothing, yet each occurrence costs
 * the automaton a recording step (they were one in nine characters of e-mail). Such clauses are
 * left out of a conjunction that keeps another clause (`dropCommon`); leaving out a clause only
 * lets a regex run more often, never less, so results cannot change.
 */
const COMMON_WORDS = new Set(
	(
		'the and you your yours that this these those for with from have has had are was were not but all any can will would ' +
		'our they them their there here what which who when how into onto about just also some more very out been being ' +
		'she her his him its one may over such than then too use via yes now new own get got per ' +
		'les des une que qui pour dans par sur est pas vous nous avec ' +
		'los las una del por para con como este esta ' +
		'der die das und den dem ein eine ist sie mit von zu auf fur für nicht ' +
		'het een van voor met zijn niet ook ' +
		'uma com nao não ' +
		'che della sono non'
	).split(' '),
);
function commonLit(l: Lit): boolean {
	const word = l.s.trim().toLowerCase();
	// One function word, or one or two letters with or without an apostrophe ("is", "ed", "'s", "qu'").
	return COMMON_WORDS.has(word) || (/^[a-z\u00c0-\u024f']+$/.test(word) && word.replace(/'/g, '').length <= 2);
}
/** The clauses of a conjunction without those a common literal satisfies, unless none would be left. */
function dropCommon(clauses: Cnf): Cnf {
	const kept = clauses.filter((cl) => !cl.some(commonLit));
	return kept.length > 0 ? kept : clauses;
}

function register(re: RegExp, into: Map<RegExp, Filter>, mode: Mode): void {
	const rot = mode === 'rot';
	if (re.flags !== 'g' || into.has(re)) return;
	let alts: Cnf[];
	let gate: Cnf;
	try {
		const node = parse(re.source);
		alts = dnf(node);
		gate = cnf(node, 0, 0);
	} catch (e) {
		if (e instanceof Unsupported) return;
		throw e;
	}
	if (mode === 'loose') {
		gate = loosen(gate);
		alts = alts.map(loosen);
		// An alternative left without clauses always holds: then only the gate can filter.
		if (alts.some((a) => a.length === 0)) alts = [gate];
		if (gate.length === 0 && alts.every((a) => a.length === 0)) return;
	}
	if (alts.length === 0) return;
	gate = dropCommon(gate);
	alts = alts.map(dropCommon);
	// Cheap tests first: within a clause, literals of the automaton before short ones (tested with
	// `includes`); within a conjunction, clauses without short literals before the others, and
	// among those the most selective (longest literals) first, so that an alternative that does not
	// hold usually fails on its first clause.
	const isShort = (id: number): number => (shortLit[id] !== null ? 1 : 0);
	const toIds = (clauses: Cnf): Int32Array[] =>
		clauses
			.map((cl) => {
				const arr: number[] = [];
				for (const l of cl) {
					const id = litId(rot ? { s: rot13Lit(l.s), bs: l.bs, be: l.be } : mode === 'lower' ? { s: l.s.toLowerCase(), bs: l.bs, be: l.be } : l);
					if (!arr.includes(id)) arr.push(id);
				}
				arr.sort((x, y) => isShort(x) - isShort(y));
				const ids = Int32Array.from(arr);
				return { ids, short: ids.some((id) => shortLit[id] !== null) ? 1 : 0, q: clauseQuality(cl) };
			})
			.sort((x, y) => x.short - y.short || y.q - x.q)
			.map((c) => c.ids);
	const best = (clauses: Cnf): Lit[] => clauses.reduce((a, b) => (clauseQuality(b) > clauseQuality(a) ? b : a));
	const seen = new Set<string>();
	const out: Int32Array[][] = [];
	const keyLits: Lit[] = [];
	for (const clauses of alts) {
		const ids = toIds(clauses);
		const k = ids.map((c) => c.join(',')).join(';');
		if (seen.has(k)) continue;
		seen.add(k);
		out.push(ids);
		keyLits.push(...best(clauses));
	}
	const useAlts = out.length > 1 || gate.length === 0;
	const key = toIds([useAlts ? keyLits : best(gate)])[0];
	into.set(re, { idx: nFilters++, gate: toIds(gate).map(pack), alts: useAlts ? out.map((a) => a.map(pack)) : [], key: [...key] });
}

/**
 * A clause packed for `anyPresent`: [n, w1, m1, …, wn, mn, short ids…]: its literals of the
 * automaton as words of the presence set with a bit mask each (the literals of a clause were
 * mostly registered together, so a clause of 200 literals spans a few words, tested at once),
 * then its short literals (tested on need, see `shortPresent`).
 */
function pack(ids: Int32Array): Int32Array {
	const words = new Map<number, number>();
	const short: number[] = [];
	for (const id of ids) {
		if (shortLit[id] !== null) short.push(id);
		else words.set(id >>> 5, (words.get(id >>> 5) ?? 0) | (1 << (id & 31)));
	}
	const out: number[] = [words.size];
	for (const [w, m] of [...words].sort((a, b) => a[0] - b[0])) out.push(w, m);
	return Int32Array.from([...out, ...short]);
}

/** Filters of the case-sensitive rules that scan the original text (modes `lower` and `loose`, see `Mode`). */
const lowerClauses = new Map<RegExp, Filter>();
const looseClauses = new Map<RegExp, Filter>();
for (const r of ALL_RULES) if (r.re !== undefined) register(r.re, r.original === true ? lowerClauses : ruleClauses, r.original === true ? 'lower' : 'plain');
for (const r of ALL_RULES) if (r.re !== undefined && r.original === true) register(r.re, looseClauses, 'loose');
for (const r of ROT13_RULES) if (r.re !== undefined && r.original !== true) register(r.re, rotClauses, 'rot');

/** Literal id → filters (plain and ROT13 kept apart) that list it in their key, flattened (CSR). */
interface KeyIndex {
	start: Int32Array;
	filters: Int32Array;
	/** Filters that are candidates whatever the text. */
	always: Int32Array;
}
function keyIndex(filters: Iterable<Filter>): KeyIndex {
	const lists: number[][] = Array.from({ length: litStr.length }, () => []);
	const always: number[] = [];
	for (const f of filters) {
		// A key with a short literal (not found by the automaton) cannot exclude the filter.
		if (f.key.some((id) => shortLit[id] !== null)) always.push(f.idx);
		else for (const id of f.key) if (!lists[id].includes(f.idx)) lists[id].push(f.idx);
	}
	const start = new Int32Array(litStr.length + 1);
	for (let id = 0; id < litStr.length; id++) start[id + 1] = start[id] + lists[id].length;
	const flat = new Int32Array(start[litStr.length]);
	for (let id = 0; id < litStr.length; id++) flat.set(lists[id], start[id]);
	return { start, filters: flat, always: Int32Array.from(always) };
}
const shortIds: number[] = [];
for (let id = 0; id < shortLit.length; id++) if (shortLit[id] !== null) shortIds.push(id);
const plainKeys = keyIndex([...ruleClauses.values(), ...lowerClauses.values(), ...looseClauses.values()]);
const rotKeys = keyIndex(rotClauses.values());

// Aho–Corasick automaton over UTF-16 code units. ASCII transitions are a dense DFA table;
// other code units use per-state maps with failure links (rare in ordinary text).
const trie: Array<Map<number, number>> = [new Map()];
const trieOut: number[][] = [[]];
for (let id = 0; id < litStr.length; id++) {
	if (shortLit[id] !== null) continue;
	const lit = litStr[id];
	let s = 0;
	for (let k = 0; k < lit.length; k++) {
		const c = lit.charCodeAt(k);
		let nx = trie[s].get(c);
		if (nx === undefined) {
			nx = trie.length;
			trie.push(new Map());
			trieOut.push([]);
			trie[s].set(c, nx);
		}
		s = nx;
	}
	trieOut[s].push(id);
}
const nStates = trie.length;
// Renumber states in breadth-first order (shallow, hot states first: better cache locality).
const bfs: number[] = [0];
for (let q = 0; q < bfs.length; q++) for (const nx of trie[bfs[q]].values()) bfs.push(nx);
const rank = new Int32Array(nStates);
bfs.forEach((old, k) => {
	rank[old] = k;
});
// The trie's maps and output lists are reused (renumbered in place: setting an existing key while
// iterating a Map visits no new entry), not copied: 61,000 maps are a good part of loading.
for (const m of trie) for (const [c, nx] of m) m.set(c, rank[nx]);
const goto: Array<Map<number, number>> = bfs.map((old) => trie[old]);
const outputs: number[][] = bfs.map((old) => trieOut[old]);
const fail = new Int32Array(nStates);
// Dense transitions for ASCII code units that occur in some literal; every other code unit below
// 128 (class 0) leads back to the root.
const asciiClass = new Uint8Array(128);
let nClasses = 1;
for (const lit of litStr) {
	for (let k = 0; k < lit.length; k++) {
		const c = lit.charCodeAt(k);
		if (c < 128 && asciiClass[c] === 0) asciiClass[c] = nClasses++;
	}
}
const classChar = new Int32Array(nClasses).fill(-1);
for (let c = 0; c < 128; c++) if (asciiClass[c] !== 0) classChar[asciiClass[c]] = c;
// States are numbered in BFS order, so failure targets (shallower) are complete before use.
for (let s = 0; s < nStates; s++) {
	for (const [c, nx] of goto[s]) {
		if (s !== 0) {
			let f = fail[s];
			while (f !== 0 && !goto[f].has(c)) f = fail[f];
			const g = goto[f].get(c);
			fail[nx] = g !== undefined && g !== nx ? g : 0;
		} else fail[nx] = 0;
	}
}
/**
 * Dense transitions for the ASCII classes, in BFS ids; also completes each state's outputs with
 * those of its failure target. Temporary: the final tables are built from it and it is dropped.
 */
function denseAscii(): Int32Array {
	const ascii = new Int32Array(nStates * nClasses);
	for (let s = 0; s < nStates; s++) {
		if (s !== 0) for (const id of outputs[fail[s]]) outputs[s].push(id);
		for (let k = 1; k < nClasses; k++) {
			const g = goto[s].get(classChar[k]);
			ascii[s * nClasses + k] = g !== undefined ? g : s === 0 ? 0 : ascii[fail[s] * nClasses + k];
		}
	}
	return ascii;
}
let ascii: Int32Array | null = denseAscii();
/**
 * Final numbering: states without outputs first, then states with outputs (each group in BFS
 * order, so shallow, hot states stay together). A state id below `OUT_FROM` then says "nothing to
 * record" on its own, and the transition table holds plain state ids: 16 bits each while the
 * automaton has fewer than 65,535 states (half the memory of 32-bit entries, fewer cache misses
 * on the one lookup per character).
 *
 * The root is there twice: `0` after a non-word character (or at the start) and `ROOT_WORD`
 * after a word character; every other state was entered by its last character. So a state says
 * whether the previous code unit was a word character, and with it whether a boundary marker
 * comes before the next one: one table row per state holds both (see `trans`).
 */
const order: number[] = [];
for (let s = 0; s < nStates; s++) if (outputs[s].length === 0) order.push(s);
const ROOT_WORD = order.length;
order.push(0);
const OUT_FROM = order.length;
for (let s = 0; s < nStates; s++) if (outputs[s].length !== 0) order.push(s);
/** States in the final numbering (the trie's, plus `ROOT_WORD`). */
const nFinal = order.length;
const newId = new Int32Array(nStates);
order.forEach((old, k) => {
	if (k !== ROOT_WORD) newId[old] = k;
});
/** Non-ASCII transitions (null: none) and failure links, in final ids (for code units of 128 and above). */
const wideGoto: Array<Map<number, number> | null> = order.map((old) => {
	let wide: Map<number, number> | null = null;
	for (const [c, nx] of goto[old]) if (c >= 128) (wide ??= new Map()).set(c, newId[nx]);
	return wide;
});
const failFinal = Int32Array.from(order, (old) => newId[fail[old]]);
// Outputs flattened: ids of state s are outIds[outStart[s] .. outStart[s + 1]).
const outStart = new Int32Array(nFinal + 1);
for (let s = 0; s < nFinal; s++) outStart[s + 1] = outStart[s] + outputs[order[s]].length;
const outIds = new Int32Array(outStart[nFinal]);
for (let s = 0; s < nFinal; s++) outIds.set(outputs[order[s]], outStart[s]);
/** Per-state stamp: every output of the state is already known present in the current text. */
const doneAt = new Int32Array(nFinal);
let generation = 0;
/** A `trans` entry that says: take the two steps one by one (the marker's own state has outputs). */
const SLOW = nFinal < 0xffff ? 0xffff : 0xffffffff;
/**
 * The text's classes (`textClass`) are the automaton's ASCII classes, but for the boundary marker,
 * which never occurs in text: its column serves the word characters of no literal (class 0 keeps
 * the other characters of no literal), so that every class is all word or all non-word characters.
 */
const markClass = asciiClass[MARK];
const OTHER_WORD = markClass;
/** 1 for a class of word characters. */
const classWord = new Uint8Array(nClasses);
for (let k = 1; k < nClasses; k++) classWord[k] = k === OTHER_WORD ? 1 : isWordChar(classChar[k]) ? 1 : 0;
/**
 * Per final state: 1 when it was entered by a word character (the previous code unit was one),
 * 2 when by the boundary marker (then a character follows at once, without another marker).
 */
const stateKind = new Uint8Array(nFinal);
/** Per final state: its depth in the trie (the length of the stream it stands for). */
const stateDepth = new Uint8Array(nFinal);
/** Per final state: the state after a boundary marker from it. */
const markTo = nFinal < 0xffff ? new Uint16Array(nFinal) : new Uint32Array(nFinal);
/**
 * The transitions of the ASCII classes, one row per state: `trans[s * nClasses + k]` is the state
 * after a character of class k from state s, with the boundary marker before it where the word
 * class changes (one lookup for both; `SLOW` when the state after the marker has outputs). A
 * whitespace run counts as one space: from a state reached by a space, another space stays
 * there, so the scan needs no test for it.
 */
const trans = nFinal < 0xffff ? new Uint16Array(nFinal * nClasses) : new Uint32Array(nFinal * nClasses);
{
	const dense = ascii;
	const spaceClass = asciiClass[0x20];
	// Trie states entered by a space, by a word character, by the marker (every transition into a
	// state reads its last character).
	const entered = new Int32Array(nStates).fill(-1);
	for (let s = 0; s < nStates; s++) for (const [c, nx] of goto[s]) entered[nx] = c;
	const depthOld = new Uint8Array(nStates);
	// Ids are in breadth-first order: a parent comes before its children.
	for (let s = 0; s < nStates; s++) for (const nx of goto[s].values()) depthOld[nx] = Math.min(255, depthOld[s] + 1);
	for (let s = 0; s < nFinal; s++) {
		const old = order[s];
		const c = entered[old];
		stateDepth[s] = s === ROOT_WORD ? 0 : depthOld[old];
		stateKind[s] = s === ROOT_WORD ? 1 : old === 0 ? 0 : c === MARK ? 2 : c < 128 && isWordChar(c) ? 1 : 0;
	}
	// A target in old ids, reached by a character of class k: the root is the one of the class's word-ness.
	const target = (old: number, k: number): number => (old === 0 ? (classWord[k] === 1 ? ROOT_WORD : 0) : newId[old]);
	for (let s = 0; s < nFinal; s++) {
		const old = order[s];
		const kind = stateKind[s];
		const mid = dense[old * nClasses + markClass];
		const midOut = outputs[mid].length !== 0;
		// (Never the root: literals that start a word start with the marker.)
		markTo[s] = newId[mid];
		for (let k = 0; k < nClasses; k++) {
			const dk = k === OTHER_WORD ? 0 : k;
			let v: number;
			if (kind !== 2 && classWord[k] !== kind) v = midOut ? SLOW : target(dense[mid * nClasses + dk], k);
			else if (k === spaceClass && old !== 0 && entered[old] === 0x20) v = s;
			else v = target(dense[old * nClasses + dk], k);
			trans[s * nClasses + k] = v;
		}
	}
	ascii = null;
}

/** Per ASCII code unit of the text: its class in `trans` (whitespace as a space, controls as 0x02). */
const textClass = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
	const mapped = isJsSpace(c) ? 0x20 : c < 0x09 ? 0x02 : c;
	textClass[c] = asciiClass[mapped] === 0 && isWordChar(c) ? OTHER_WORD : asciiClass[mapped];
}

/** The state after code unit c (a space for any whitespace) from s, with the marker before it where due. */
function step(s: number, c: number): number {
	if (c < 128) return trans[s * nClasses + textClass[c]];
	let f = s;
	for (;;) {
		const g = wideGoto[f]?.get(c);
		if (g !== undefined) return g;
		if (f === 0 || f === ROOT_WORD) return 0;
		f = failFinal[f];
	}
}


/** Which registered literals occur in the text (one linear pass over the collapsed, marked text). */
/** A few recent answers (a view is asked about again for its ROT13 scan). */
const CACHE = 4;
const cacheText: Array<string | null> = new Array<string | null>(CACHE).fill(null);
const cachePresent: Literals[] = [];
let cacheNext = 0;

/**
 * The literals found in a text: `has` is a bit set (see `newPresence`) of the present literals,
 * `ids` lists them. The candidate bitmaps (filters whose key literal is present) are computed on
 * first use.
 */
export interface Literals {
	has: Int32Array;
	ids: number[];
	cand: Uint8Array | null;
	rotCand: Uint8Array | null;
	/** The candidate filters (set in `cand` / `rotCand`) as a list, made with them. */
	candList?: number[];
	rotCandList?: number[];
	/** The text scanned, for short literals (tested on first need, answers kept in `has`: 1 yes, 2 no). */
	text: string;
	/** Per chunk of a long text (see `chunkLiterals`), computed on first need. */
	chunks: Literals[] | null;
	/**
	 * Set by `literalsPresentNear`: the text differs from `base.text` only at `edits` (same
	 * length), so a chunk without an edit in its range has the base's chunk literals.
	 */
	near?: { base: Literals; edits: readonly number[] };
	/** The generation of the whole-text scan that found them (see `litGen`): set for texts scanned in one piece. */
	gen?: number;
}

/**
 * A zeroed presence bit set: bit `id` of the first `WORDS` words says literal `id` is present;
 * the same bit of the next `WORDS` words says a short literal was looked for and is absent (see
 * `shortPresent`). Taken from the scan arena (see `scanMark`) while it has room, else carved from
 * shared slabs (`carver`).
 */
const WORDS = (litStr.length + 31) >>> 5;
const carvePresence = carver((n) => new Int32Array(n), 2 * WORDS * 32);
/** Presence sets for up to this many literal scans at a time come from the arena. */
const ARENA_SETS = 64;
const arena = new Int32Array(2 * WORDS * ARENA_SETS);
let arenaUsed = 0;
function newPresence(): Int32Array {
	const n = 2 * WORDS;
	if (arenaUsed + n > arena.length) return carvePresence(n);
	const out = arena.subarray(arenaUsed, arenaUsed + n);
	arenaUsed += n;
	return out;
}

/**
 * Where the arena of presence sets stands; `releaseTo(mark)` gives back every set taken since
 * (zeroed for reuse) and forgets the cached answers that used them. A scan takes a mark first and
 * releases it at its end: its sets were new memory for every text before (a fresh, zeroed 121 KB
 * slab every 32 sets), and that garbage cost short texts more than scanning them did. Sets taken
 * before the mark (a caller's own `literalsPresent`) stay valid.
 */
export function scanMark(): number {
	return arenaUsed;
}
export function releaseTo(mark: number): void {
	if (mark >= arenaUsed) return;
	arena.fill(0, mark, arenaUsed);
	// (A cached answer's chunks are made with it, never later: see `scanLiterals`.)
	for (let k = 0; k < CACHE; k++) {
		const has = cachePresent[k]?.has;
		if (has !== undefined && has.buffer === arena.buffer && has.byteOffset >= mark * 4) cacheText[k] = null;
	}
	arenaUsed = mark;
}

/** Literals newly marked present by `feed` during the current scan. */
let found: number[] = [];

export function literalsPresent(text: string): Literals {
	for (let k = 0; k < CACHE; k++) if (cacheText[k] === text) return cachePresent[k];
	const present = scanLiterals(text);
	cacheText[cacheNext] = text;
	cachePresent[cacheNext] = present;
	cacheNext = (cacheNext + 1) % CACHE;
	return present;
}

/** Feed one code unit of the marked stream (not the marker: see `mark`); returns the next state. */
function feed(st: number, c: number, present: Int32Array, gen: number): number {
	st = step(st, c);
	if (st >= OUT_FROM) record(st, present, gen);
	return st;
}

/** Feed the boundary marker after a word character; returns the next state. */
function mark(st: number, present: Int32Array, gen: number): number {
	st = markTo[st];
	if (st >= OUT_FROM) record(st, present, gen);
	return st;
}

/**
 * Where each literal occurs in the text last scanned for it: the offsets (`feedAt`) at which its
 * first and its last occurrence were recorded, valid while `litGen[id]` is that scan's generation
 * (see `keyWindow`). An occurrence recorded at `feedAt` has its last character there or just
 * before (a literal that ends on a boundary marker is recorded at the character after the word).
 */
const litFirst = new Int32Array(litStr.length);
const litLast = new Int32Array(litStr.length);
const litGen = new Int32Array(litStr.length);

/** Records the outputs of a state just reached (in `found` as they are first marked). */
function record(st: number, present: Int32Array, gen: number): void {
	if (chunkSink !== null) recordInChunks(st, chunkSink);
	const at = feedAt;
	// The state's outputs are marked present the first time it is reached in this scan.
	const first = doneAt[st] !== gen;
	doneAt[st] = gen;
	for (let k = outStart[st]; k < outStart[st + 1]; k++) {
		const id = outIds[k];
		// (The two halves of a range are read together: occurrences come in no particular order.)
		if (litGen[id] !== gen) {
			litGen[id] = gen;
			litFirst[id] = at;
			litLast[id] = at;
		} else if (at < litFirst[id]) litFirst[id] = at;
		else if (at > litLast[id]) litLast[id] = at;
		const bit = 1 << (id & 31);
		if (first && (present[id >>> 5] & bit) === 0) {
			present[id >>> 5] |= bit;
			found.push(id);
		}
	}
}

/**
 * While a long text is scanned in one pass (`scanLiterals`): its chunks, and `feedAt`, the offset
 * of the code unit being fed (the text's length for the final boundary marker).
 */
let chunkSink: Literals[] | null = null;
let feedAt = 0;

/**
 * Records the outputs of `st`, reached at `feedAt`, in the chunks whose ranges may hold the
 * occurrence: its last character is at `feedAt` or, for a literal that ends on a boundary
 * marker, just before. Chunk k's range is [k·CHUNK, (k+1)·CHUNK + CHUNK_REACH), so that is chunk
 * ⌊feedAt / CHUNK⌋ and, within CHUNK_REACH of its start, the chunk before. (Occurrences that
 * start before a chunk are recorded too: more literals can only let more rules run.)
 */
function recordInChunks(st: number, chunks: Literals[]): void {
	const k = Math.min(chunks.length - 1, Math.floor(feedAt / CHUNK));
	// A state's outputs are added to a chunk once (stamps per state: this chunk, the one before).
	if (chunkDone[st] !== chunkStamp + k) {
		chunkDone[st] = chunkStamp + k;
		addOutputs(st, chunks[k]);
	}
	if (k > 0 && feedAt - k * CHUNK <= CHUNK_REACH && chunkDoneBefore[st] !== chunkStamp + k - 1) {
		chunkDoneBefore[st] = chunkStamp + k - 1;
		addOutputs(st, chunks[k - 1]);
	}
}

function addOutputs(st: number, c: Literals): void {
	for (let x = outStart[st]; x < outStart[st + 1]; x++) {
		const id = outIds[x];
		const bit = 1 << (id & 31);
		if ((c.has[id >>> 5] & bit) === 0) {
			c.has[id >>> 5] |= bit;
			c.ids.push(id);
		}
	}
}

/**
 * Stamps of `recordInChunks`: chunk k of the current text is `chunkStamp + k`; every stamp given
 * out so far is below `chunkStampEnd`, so a stamp left by an earlier text never passes for one of
 * the current text.
 */
const chunkDone = new Int32Array(nFinal);
const chunkDoneBefore = new Int32Array(nFinal);
let chunkStamp = 0;
let chunkStampEnd = 1;
/** Stamps for a new text of `chunks` chunks. */
function nextChunkStamp(chunks: number): void {
	if (chunkStampEnd > 0x3fffffff - chunks) {
		chunkStampEnd = 1;
		chunkDone.fill(0);
		chunkDoneBefore.fill(0);
	}
	chunkStamp = chunkStampEnd;
	chunkStampEnd += chunks;
}

function nextGeneration(): number {
	if (++generation > 0x3fffffff) {
		generation = 1;
		doneAt.fill(0);
		litGen.fill(0);
	}
	return generation;
}

function scanLiterals(text: string): Literals {
	if (text.length >= CHUNK_MIN_TEXT) {
		// A long text: one pass records each occurrence in the chunks whose ranges hold it (see
		// `CHUNK`), and the text's literals are their union.
		const n = text.length;
		const chunks: Literals[] = [];
		for (let a = 0; a < n; a += CHUNK) chunks.push({ has: newPresence(), ids: [], cand: null, rotCand: null, text: text.slice(a, Math.min(n, a + CHUNK + CHUNK_REACH)), chunks: null });
		const present = newPresence();
		found = [];
		chunkSink = chunks;
		nextChunkStamp(chunks.length);
		try {
			scanRange(text, 0, n, present, nextGeneration());
		} finally {
			chunkSink = null;
		}
		return { has: present, ids: found, cand: null, rotCand: null, text, chunks };
	}
	const present = newPresence();
	found = [];
	const gen = nextGeneration();
	scanRange(text, 0, text.length, present, gen);
	return { has: present, ids: found, cand: null, rotCand: null, text, chunks: null, gen };
}

/**
 * Long texts are also looked at chunk by chunk: a regex that may match the whole text (its
 * literals occur somewhere in it) runs only where they occur close enough together. Chunk k
 * holds the match starts [k·CHUNK, (k+1)·CHUNK); its literals are those of the text range
 * [k·CHUNK, (k+1)·CHUNK + CHUNK_REACH), scanned as if it were a whole text (at the range's edges
 * that can only add literals). A match of at most `CHUNK_REACH` characters (`matchReach`) that
 * starts in the chunk lies inside that range, so the chunk's literals satisfy the rule's filter.
 */
export const CHUNK = 2048;
export const CHUNK_REACH = 512;
/** Texts at least this long are split into chunks. */
export const CHUNK_MIN_TEXT = 3 * CHUNK;

/** The chunks' literals of a long text (see `CHUNK`), kept on `lits` (plain, not ROT13). */
export function chunkLiterals(lits: Literals): Literals[] {
	if (lits.chunks !== null) return lits.chunks;
	const text = lits.text;
	const n = text.length;
	const chunks: Literals[] = [];
	const near = lits.near;
	const baseChunks = near !== undefined ? chunkLiterals(near.base) : null;
	let e = 0;
	for (let a = 0; a < n; a += CHUNK) {
		const b = Math.min(n, a + CHUNK + CHUNK_REACH);
		if (near !== undefined && baseChunks !== null) {
			// Same characters in [a, b) as the base text unless an edit falls there.
			while (e < near.edits.length && near.edits[e] < a) e++;
			if (e >= near.edits.length || near.edits[e] >= b) {
				chunks.push(baseChunks[a / CHUNK]);
				continue;
			}
		}
		const present = newPresence();
		found = [];
		scanRange(text, a, b, present, nextGeneration());
		chunks.push({ has: present, ids: found, cand: null, rotCand: null, text: text.slice(a, b), chunks: null });
	}
	lits.chunks = chunks;
	return chunks;
}

/** Zeroed candidate bitmaps carved from shared slabs (`carver`). */
const carveCandidates = carver((n) => new Uint8Array(n), nFilters * 256);

function candidates(lits: Literals, rot: boolean): Uint8Array {
	const cand = carveCandidates(nFilters);
	const list: number[] = [];
	const index = rot ? rotKeys : plainKeys;
	for (const f of index.always) {
		cand[f] = 1;
		list.push(f);
	}
	const start = index.start;
	const flat = index.filters;
	const ids = lits.ids;
	for (let i = 0; i < ids.length; i++) {
		const id = ids[i];
		for (let k = start[id]; k < start[id + 1]; k++) {
			const f = flat[k];
			if (cand[f] === 0) {
				cand[f] = 1;
				list.push(f);
			}
		}
	}
	if (rot) {
		lits.rotCand = cand;
		lits.rotCandList = list;
	} else {
		lits.cand = cand;
		lits.candList = list;
	}
	return cand;
}

/** Indices (`Filter.idx`) of the filters whose key literal occurs: the only ones that can hold. */
export function candidateFilters(lits: Literals, rot: boolean): readonly number[] {
	if ((rot ? lits.rotCand : lits.cand) === null) candidates(lits, rot);
	return (rot ? lits.rotCandList : lits.candList) ?? [];
}

/** Ranges shorter than this are scanned in one run; longer ones in two that run side by side. */
const SPLIT_MIN = 128;

/**
 * One Aho–Corasick pass over text[from, to) as if it were a whole text; marks into `present`.
 * A longer range is read as two halves whose lookups are interleaved in one loop: each lookup
 * waits for the one before it in its own half only, so the processor overlaps the two (the table
 * is too big for the fastest caches, and one run of dependent lookups leaves it mostly waiting).
 * The second half starts at the root of the word-ness of the character before it, which is
 * exactly where the marked stream of the whole range would be there; the first half then goes on
 * past the middle until every partial match it holds started in the second half (its state is
 * no deeper than the stream read since the middle), so no occurrence that spans the middle is lost.
 */
function scanRange(text: string, from: number, n: number, present: Int32Array, gen: number): void {
	// Module-level bindings copied to locals: the loop then reads registers, not the module's
	// context (`nClasses` is a `let`, which V8 would check for initialisation on every read).
	const table = trans;
	const cls = textClass;
	const width = nClasses;
	const outFrom = OUT_FROM;
	if (n - from >= SPLIT_MIN) {
		const half = (n - from) >>> 1;
		const mid = from + half;
		let st = 0;
		let st2 = rootBefore(text, mid);
		for (let k = 0; k < half; k++) {
			const c = text.charCodeAt(from + k);
			const c2 = text.charCodeAt(mid + k);
			if ((c | c2) < 128) {
				const k1 = cls[c];
				const k2 = cls[c2];
				const v = table[st * width + k1];
				const v2 = table[st2 * width + k2];
				st = v < outFrom ? v : reached(st, v, k1, from + k, present, gen);
				st2 = v2 < outFrom ? v2 : reached(st2, v2, k2, mid + k, present, gen);
			} else {
				st = advance(st, c, from + k, present, gen);
				st2 = advance(st2, c2, mid + k, present, gen);
			}
		}
		// The second half's last code unit (when the range is odd) and its end.
		for (let j = mid + half; j < n; j++) st2 = advance(st2, text.charCodeAt(j), j, present, gen);
		finish(st2, n, present, gen);
		overrun(text, st, mid, n, present, gen);
		return;
	}
	let st = 0;
	for (let i = from; i < n; i++) {
		const c = text.charCodeAt(i);
		if (c < 128) {
			// Fast path: one table lookup per code unit unless a state with outputs is reached.
			const k = cls[c];
			const v = table[st * width + k];
			st = v < outFrom ? v : reached(st, v, k, i, present, gen);
		} else st = advance(st, c, i, present, gen);
	}
	finish(st, n, present, gen);
}

/** A range read up to its end `n` in state `st`: the final boundary marker after a word character. */
function finish(st: number, n: number, present: Int32Array, gen: number): void {
	feedAt = n;
	if (stateKind[st] === 1) mark(st, present, gen);
}

/** The state a part of a range that starts at `at` starts in: the root of the word-ness of the code unit before. */
function rootBefore(text: string, at: number): number {
	const c = text.charCodeAt(at - 1);
	return c < 128 && isWordChar(c) ? ROOT_WORD : 0;
}

/**
 * A part of a range that ended at `at` in state `st` goes on until its partial matches all start
 * in the next part: the non-whitespace code units read since `at` (a lower bound on the stream
 * read) are at least its depth. At the range's end `n` it takes the final marker too.
 */
function overrun(text: string, st: number, at: number, n: number, present: Int32Array, gen: number): void {
	let i = at;
	let read = 0;
	while (i < n && stateDepth[st] > read) {
		const c = text.charCodeAt(i);
		st = advance(st, c, i, present, gen);
		if (!isJsSpace(c)) read++;
		i++;
	}
	if (i === n) finish(st, n, present, gen);
}

/**
 * From state `st`, the table gave `v` (a state with outputs, or `SLOW`) for an ASCII code unit of
 * class `k` at offset `at`: records what is reached and returns the next state.
 */
function reached(st: number, v: number, k: number, at: number, present: Int32Array, gen: number): number {
	feedAt = at;
	if (v !== SLOW) {
		record(v, present, gen);
		return v;
	}
	// The marker's state has outputs: record them, then the character from there.
	const m = markTo[st];
	record(m, present, gen);
	const next = trans[m * nClasses + k];
	if (next >= OUT_FROM) record(next, present, gen);
	return next;
}

/** The state after code unit c at offset `at` from `st`, any code unit; records what is reached. */
function advance(st: number, c: number, at: number, present: Int32Array, gen: number): number {
	if (c < 128) {
		const k = textClass[c];
		const v = trans[st * nClasses + k];
		return v < OUT_FROM ? v : reached(st, v, k, at, present, gen);
	}
	// Other code units are never word characters.
	feedAt = at;
	if (stateKind[st] === 1) st = mark(st, present, gen);
	return feed(st, c >= 0xa0 && isJsSpace(c) ? 0x20 : c, present, gen);
}

/**
 * False only when the rule's regex provably cannot match a text with these literals. With `rot`,
 * `present` describes a text T and the question is whether the regex could match ROT13(T). For a
 * rule with `original`, `lits` must be those of the lower-cased view of an ASCII-only original.
 */
export function mayMatch(rule: Rule, lits: Literals, rot = false): boolean {
	if (rule.re === undefined) return true;
	return filterMayMatch((rot ? rotClauses : rule.original === true ? lowerClauses : ruleClauses).get(rule.re), lits, rot);
}

/**
 * The filter of a rule that reads the original text, for literals of the original's view: when
 * the original is ASCII-only (mode `lower`) or any text (mode `loose`); undefined: none.
 */
export function originalFilter(rule: Rule, asciiOnly: boolean): Filter | undefined {
	return rule.re === undefined ? undefined : (asciiOnly ? lowerClauses : looseClauses).get(rule.re);
}

/**
 * The filters of a rule list, by position (undefined: no filter, the rule always runs). Cached per
 * list. The filter of a rule with `original` holds only for an ASCII-only original (see `Mode`).
 */
const plans = new WeakMap<readonly Rule[], Array<Filter | undefined>>();
const rotPlans = new WeakMap<readonly Rule[], Array<Filter | undefined>>();
export function filtersOf(rules: readonly Rule[], rot: boolean): ReadonlyArray<Filter | undefined> {
	const cache = rot ? rotPlans : plans;
	let plan = cache.get(rules);
	if (plan === undefined) {
		plan = rules.map((r) => (r.re !== undefined ? (rot ? rotClauses : r.original === true ? lowerClauses : ruleClauses).get(r.re) : undefined));
		cache.set(rules, plan);
	}
	return plan;
}

/** Per list of filters (`filtersOf`): filter index → filter, or null when a rule has no filter (it always may match). */
const byIndex = new WeakMap<ReadonlyArray<Filter | undefined>, Map<number, Filter> | null>();

/**
 * Whether the filter of any of the rules may hold (`filterMayMatch`). Only filters whose key
 * literal is present can (`candidateFilters`), so only those are looked at, not the whole list.
 */
export function anyMayMatch(rules: readonly Rule[], lits: Literals, rot: boolean): boolean {
	const filters = filtersOf(rules, rot);
	let index = byIndex.get(filters);
	if (index === undefined) {
		index = filters.includes(undefined) ? null : new Map(filters.map((f) => [(f as Filter).idx, f as Filter]));
		byIndex.set(filters, index);
	}
	if (index === null) return true;
	for (const idx of candidateFilters(lits, rot)) {
		const f = index.get(idx);
		if (f !== undefined && filterMayMatch(f, lits, rot)) return true;
	}
	return false;
}

/** `mayMatch` for a rule's filter from `filtersOf` (undefined: true). */
export function filterMayMatch(f: Filter | undefined, lits: Literals, rot: boolean): boolean {
	if (f === undefined) return true;
	const cand = (rot ? lits.rotCand : lits.cand) ?? candidates(lits, rot);
	if (cand[f.idx] === 0) return false;
	if (!allHold(f.gate, lits)) return false;
	if (f.alts.length === 0) return true;
	for (const clauses of f.alts) if (allHold(clauses, lits)) return true;
	return false;
}

/**
 * The offsets where a match of a rule with this filter can start, [lo, hi] (inclusive), from where
 * its key literals occur, or null when that is not known (then anywhere). Every match holds an
 * occurrence of a key literal, no more than `reach` code units long; an occurrence recorded at
 * offset p has its last character at p or p − 1 and its first at or before that, so the match
 * starts in [p − reach, p]. Over all occurrences: [first − reach, last]. A short literal (not in
 * the automaton) is looked up in the text: its first and last occurrence bound it the same way.
 */
export function keyWindow(f: Filter, lits: Literals, reach: number): [number, number] | null {
	const gen = lits.gen;
	if (gen === undefined || reach === Infinity) return null;
	let lo = Infinity;
	let hi = -1;
	for (const id of f.key) {
		const short = shortLit[id];
		if (short !== null) {
			// Not in the automaton: its first and last occurrence in the text itself (an occurrence
			// without the boundaries the literal asks for only widens the window).
			if (shortMode[id] === SHORT_ANY) return null;
			if ((lits.has[id >>> 5] & (1 << (id & 31))) === 0 && !shortPresent(lits, id)) continue;
			lo = Math.min(lo, lits.text.indexOf(short) - reach);
			hi = Math.max(hi, lits.text.lastIndexOf(short) + short.length);
			continue;
		}
		if ((lits.has[id >>> 5] & (1 << (id & 31))) === 0) continue;
		if (litGen[id] !== gen) return null;
		lo = Math.min(lo, litFirst[id] - reach);
		hi = Math.max(hi, litLast[id]);
	}
	return hi < 0 ? null : [Math.max(0, lo), hi];
}

function allHold(clauses: Int32Array[], lits: Literals): boolean {
	for (const cl of clauses) if (!anyPresent(cl, lits)) return false;
	return true;
}

/** Whether a literal of a packed clause (see `pack`) may be present. */
function anyPresent(cl: Int32Array, lits: Literals): boolean {
	const present = lits.has;
	const end = 1 + 2 * cl[0];
	for (let k = 1; k < end; k += 2) if ((present[cl[k]] & cl[k + 1]) !== 0) return true;
	for (let k = end; k < cl.length; k++) {
		const id = cl[k];
		if ((present[id >>> 5] & (1 << (id & 31))) !== 0 || shortPresent(lits, id)) return true;
	}
	return false;
}

/** Whether a short literal may occur in the text (a space or control stands for a class: assume yes). */
function shortPresent(lits: Literals, id: number): boolean {
	const bit = 1 << (id & 31);
	if ((lits.has[WORDS + (id >>> 5)] & bit) !== 0) return false;
	const s = shortLit[id] as string;
	const mode = shortMode[id];
	let yes = true;
	if (mode !== SHORT_ANY) {
		const text = lits.text;
		if ((mode & 3) === 0) yes = text.includes(s);
		else {
			// With its boundary markers: an occurrence between non-word characters (or the text's
			// edges) where the literal asks for them, as the automaton would see it ("di" in "did" is not "\bdi\b").
			yes = false;
			const n = text.length;
			const len = s.length;
			for (let i = text.indexOf(s); i >= 0; i = text.indexOf(s, i + 1)) {
				if ((mode & 1) !== 0 && i > 0 && isWordChar(text.charCodeAt(i - 1))) continue;
				if ((mode & 2) !== 0 && i + len < n && isWordChar(text.charCodeAt(i + len))) continue;
				yes = true;
				break;
			}
		}
	}
	lits.has[(yes ? 0 : WORDS) + (id >>> 5)] |= bit;
	return yes;
}

/**
 * How far past a match's start the pattern can look: its longest match plus the width of its
 * lookaheads (counted as if consumed). Infinity for unbounded quantifiers, lookbehinds, or
 * syntax the parser does not support. `\b` also reads one character on each side.
 */
function reachOf(node: Node): number {
	switch (node.t) {
		case 'lit':
		case 'any':
		case 'space':
			return 1;
		case 'wb':
			return 0;
		case 'zero':
			if (node.look === undefined) return 0;
			return node.behind === true ? Infinity : reachOf(node.look);
		case 'alt': {
			let m = 0;
			for (const a of node.alts) m = Math.max(m, reachOf(a));
			return m;
		}
		case 'seq': {
			let sum = 0;
			for (const it of node.items) {
				const r = reachOf(it.node);
				if (r === 0) continue;
				if (it.max === Infinity) return Infinity;
				sum += r * it.max;
			}
			return sum;
		}
	}
}

const reachCache = new Map<RegExp, number>();
/** See `reachOf`; for a rule regex (cached). Flags other than `g` count as unsupported (Infinity). */
export function matchReach(re: RegExp): number {
	let r = reachCache.get(re);
	if (r === undefined) {
		r = Infinity;
		if (re.flags === 'g') {
			try {
				r = reachOf(parse(re.source));
			} catch (e) {
				if (!(e instanceof Unsupported)) throw e;
			}
		}
		reachCache.set(re, r);
	}
	return r;
}

/**
 * Literals present in `text`, given `base` = the literals present in a text that differs from
 * `text` only at the (ascending) offsets `edits`, same length. A literal occurrence that touches no
 * edit is in both texts; one that does lies within a window around the edit that spans at least
 * `NEAR_CHARS` characters of the collapsed, marked stream on each side, which is scanned here.
 * May answer present for a literal that is not (never the other way round).
 */
const NEAR_CHARS = 2 * MAX_LIT + 8;
export function literalsPresentNear(text: string, edits: readonly number[], base: Literals): Literals {
	const present = newPresence();
	present.set(base.has);
	found = base.ids.slice();
	const n = text.length;
	const gen = nextGeneration();
	let a = -1;
	let b = -1;
	for (const c of edits) {
		const lo = streamBack(text, c, NEAR_CHARS);
		if (a >= 0 && lo <= b) {
			// Overlaps the current window: extend it.
			b = Math.max(b, streamForward(text, c + 1, NEAR_CHARS));
			continue;
		}
		if (a >= 0) scanRange(text, a, Math.min(n, b), present, gen);
		a = lo;
		b = streamForward(text, c + 1, NEAR_CHARS);
	}
	if (a >= 0) scanRange(text, a, Math.min(n, b), present, gen);
	// Answers about short literals were for the other text.
	for (const id of shortIds) present[id >>> 5] &= ~(1 << (id & 31));
	present.fill(0, WORDS);
	return { has: present, ids: found, cand: null, rotCand: null, text, chunks: null, near: { base, edits } };
}

/** Offset `count` stream characters before `from` (a whitespace run counts once). */
function streamBack(text: string, from: number, count: number): number {
	let i = from;
	let left = count;
	while (i > 0 && left > 0) {
		i--;
		if (!(isJsSpace(text.charCodeAt(i)) && i > 0 && isJsSpace(text.charCodeAt(i - 1)))) left--;
	}
	return i;
}
/** Offset `count` stream characters after `from` (a whitespace run counts once). */
function streamForward(text: string, from: number, count: number): number {
	let i = from;
	let left = count;
	const n = text.length;
	while (i < n && left > 0) {
		if (!(isJsSpace(text.charCodeAt(i)) && i + 1 < n && isJsSpace(text.charCodeAt(i + 1)))) left--;
		i++;
	}
	return i;
}

/** For tests and diagnostics: the literal clauses of a pattern source (`\\b` marks a boundary). */
export function requiredLiterals(source: string): string[][] | null {
	try {
		return cnf(parse(source), 0, 0).map((cl) => cl.map((l) => `${l.bs ? '\\b' : ''}${l.s}${l.be ? '\\b' : ''}`));
	} catch (e) {
		if (e instanceof Unsupported) return null;
		throw e;
	}
}

/** For tests: per literal id, the marked string the automaton looks for (null: a short literal, tested with `includes`). */
export function automatonLiterals(): ReadonlyArray<string | null> {
	return litStr.map((s, id) => (shortLit[id] === null ? s : null));
}
