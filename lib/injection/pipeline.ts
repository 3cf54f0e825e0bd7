/**
 * The scanning pipeline: normalise (and decode invisible smuggling) → hidden HTML → encoded
 * payloads (two levels) → rule families → result. Spans in findings refer to the ORIGINAL text;
 * matches on folded/de-obfuscated views are mapped back through the views' offset maps (exact for
 * per-character folds, approximate to the character when a fold expands one character into
 * several). Matches inside decoded or de-tagged payloads point at the whole encoded run.
 */
import { deobfuscate } from './deobfuscate';
import { findEncoded, rot13 } from './encoded';
import { extractHidden } from './hiddenHtml';
import { type NearEdits, runRules } from './match';
import { normalize } from './normalize';
import { anyMayMatch, literalsPresent, literalsPresentNear, releaseTo, scanMark } from './prefilter';
import { ALL_RULES, ROT13_RULES } from './rules';
import { buildResult, snippetOf } from './result';
import { boost } from './score';
import type { Finding, ScanOptions, ScanResult, View } from './types';

const MAX_INPUT = 4_000_000;
const MAX_DEPTH = 2;
const ROT13_MAX = 200_000;
/** Up to this many changed characters, the de-obfuscated view is re-scanned only around them. */
const MAX_NEAR_EDITS = 256;

function mapBack(map: Int32Array | null, k: number, fallback: number): number {
	if (map === null) return k;
	if (map.length === 0) return fallback;
	return map[Math.max(0, Math.min(k, map.length - 1))];
}

interface Context {
	findings: Finding[];
	original: string;
}

/** Where a nested scan's matches land in the original text. */
interface Frame {
	/** Fixed span in the original (for decoded payloads), or null to map match offsets directly. */
	span: [number, number] | null;
	/** Offset of the scanned substring in the original (when span is null). */
	base: number;
	hidden: boolean;
	decoded: boolean;
}

/** Adds the findings of `rules` on the last view; returns the ids of the rules that had a hit. */
function addHits(ctx: Context, sub: string, views: View[], frame: Frame, rulesOriginal: string | null, rules = ALL_RULES, rotSource: string | null = null, near: NearEdits | null = null): Set<string> {
	// views[0] maps into sub; views[k>0] map into views[k-1].
	const last = views[views.length - 1];
	// A one-view scan of an ASCII-only text: the view is the text lower-cased (`normalize`).
	const asciiOriginal = rulesOriginal !== null && views.length === 1 && views[0].map === null;
	const hits = runRules(rules, last.text, rulesOriginal, rotSource, near, asciiOriginal);
	const fired = new Set<string>();
	for (const h of hits) {
		fired.add(h.rule);
		let s = h.start;
		let e = h.end;
		const fromOriginal = ALL_RULES.find((r) => r.id === h.rule)?.original === true;
		if (!fromOriginal) {
			for (let v = views.length - 1; v >= 0; v--) {
				const m = views[v].map;
				s = mapBack(m, s, 0);
				e = e > 0 ? mapBack(m, e - 1, s) + 1 : s;
			}
		}
		const start = frame.span !== null ? frame.span[0] : frame.base + s;
		const end = frame.span !== null ? frame.span[1] : frame.base + e;
		const f: Finding = {
			category: h.category,
			rule: h.rule,
			score: boost(h.weight, frame.hidden, frame.decoded),
			start,
			end,
			snippet: snippetOf(ctx.original, start, end),
		};
		if (frame.decoded) f.decoded = snippetOf(sub, s, e);
		if (frame.hidden) f.hidden = true;
		ctx.findings.push(f);
	}
	return fired;
}

/** Whether any ROT13 rule could match ROT13(view) (literal pre-filter; otherwise the scan adds nothing). */
function rot13MayMatch(view: string): boolean {
	const present = literalsPresent(view);
	return anyMayMatch(ROT13_RULES, present, true);
}

function scanLayer(ctx: Context, sub: string, frame: Frame, depth: number): void {
	const norm = normalize(sub);
	for (const sig of norm.signals) {
		const start = frame.span !== null ? frame.span[0] : frame.base + sig.start;
		const end = frame.span !== null ? frame.span[1] : frame.base + sig.end;
		const f: Finding = { category: sig.category, rule: sig.rule, score: sig.weight, start, end, snippet: snippetOf(ctx.original, start, end), hidden: true };
		ctx.findings.push(f);
	}
	const fired = addHits(ctx, sub, [norm.view], frame, sub);
	const folded = deobfuscate(norm.view);
	if (folded !== null) {
		// Per-character folds only: rules without a hit on the normalised view are re-run just
		// around the changed characters (same hits as a full re-scan, see `runRules`).
		// With many changes (a text full of leetspeak or homoglyphs) the windows would cover most
		// of the text anyway: a plain second scan is cheaper there.
		const near: NearEdits | null = folded.edits !== undefined && folded.edits.length <= MAX_NEAR_EDITS ? { edits: folded.edits, fired, present: literalsPresentNear(folded.text, folded.edits, literalsPresent(norm.view.text)) } : null;
		addHits(ctx, sub, [norm.view, folded], frame, null, ALL_RULES, null, near);
		if (folded.spaced !== undefined) {
			const s = mapBack(norm.view.map, folded.spaced[0], 0);
			const e = mapBack(norm.view.map, folded.spaced[1] - 1, s) + 1;
			const start = frame.span !== null ? frame.span[0] : frame.base + s;
			const end = frame.span !== null ? frame.span[1] : frame.base + e;
			ctx.findings.push({ category: 'smuggling', rule: 'spaced_letters', score: boost(0.5, frame.hidden, frame.decoded), start, end, snippet: snippetOf(ctx.original, start, end) });
		}
	}
	// Invisible smuggled text: decode and scan as hidden.
	for (const sm of norm.smuggled) {
		if (sm.decoded.trim().length === 0) continue;
		const span: [number, number] = frame.span ?? [frame.base + sm.start, frame.base + sm.end];
		scanLayer(ctx, sm.decoded, { span, base: 0, hidden: true, decoded: true }, depth + 1);
	}
	if (depth >= MAX_DEPTH) return;
	// Hidden HTML (first layer only: decoded payloads are scanned as text).
	if (depth === 0) {
		for (const seg of extractHidden(sub)) {
			scanLayer(ctx, seg.text, { span: seg.rule === 'html_comment' ? null : [frame.base + seg.start, frame.base + seg.end], base: frame.base + seg.start, hidden: true, decoded: frame.decoded }, depth + 1);
		}
	}
	for (const d of findEncoded(sub)) {
		const span: [number, number] = frame.span ?? [frame.base + d.start, frame.base + d.end];
		scanLayer(ctx, d.text, { span, base: 0, hidden: frame.hidden, decoded: true }, depth + 1);
	}
	if (depth === 0 && sub.length <= ROT13_MAX && rot13MayMatch(norm.view.text)) {
		const r = rot13(norm.view.text);
		const before = ctx.findings.length;
		addHits(ctx, r, [{ text: r, map: null }], { span: null, base: 0, hidden: false, decoded: true }, null, ROT13_RULES, norm.view.text);
		// ROT13 views share offsets with the normalised view; map them to the original.
		for (let k = before; k < ctx.findings.length; k++) {
			const f = ctx.findings[k];
			f.start = frame.base + mapBack(norm.view.map, f.start, 0);
			f.end = Math.max(f.start + 1, frame.base + mapBack(norm.view.map, Math.max(0, f.end - 1), 0) + 1);
			f.snippet = snippetOf(ctx.original, f.start, f.end);
		}
	}
}

export function scanText(text: string, options: ScanOptions = {}): ScanResult {
	const sensitivity = options.sensitivity ?? 'medium';
	const input = text.length > MAX_INPUT ? text.slice(0, MAX_INPUT) : text;
	const ctx: Context = { findings: [], original: input };
	// The literal sets of this scan live until its end (see `scanMark`).
	const mark = scanMark();
	try {
		scanLayer(ctx, input, { span: null, base: 0, hidden: false, decoded: false }, 0);
	} finally {
		releaseTo(mark);
	}
	return buildResult(ctx.findings, sensitivity, options.includeNormalized === true ? normalize(input).view.text : undefined);
}
