/**
 * Stage 2: content a human reader of rendered HTML would not see: comments and elements styled
 * display:none, visibility:hidden, font-size:0, opacity:0 or white text on a white/unspecified
 * background. Linear scanning with indexOf; every extracted segment is bounded.
 */

export interface HiddenSegment {
	rule: string;
	/** Offsets of the hidden content in the text that was scanned. */
	start: number;
	end: number;
	text: string;
}

const MAX_SEGMENTS = 32;
const MAX_SEGMENT_CHARS = 20_000;

/** Remove tags from a bounded fragment (linear). */
export function stripTags(s: string): string {
	let out = '';
	let i = 0;
	while (i < s.length) {
		const lt = s.indexOf('<', i);
		if (lt < 0) {
			out += s.slice(i);
			break;
		}
		out += s.slice(i, lt);
		const gt = s.indexOf('>', lt);
		if (gt < 0) {
			out += s.slice(lt);
			break;
		}
		out += ' ';
		i = gt + 1;
	}
	return out;
}

function compactStyle(tag: string): string {
	return tag.replace(/\s+/g, '').replace(/!important/g, '');
}

function hiddenStyleRule(tagLower: string): string | null {
	if (!tagLower.includes('style') && !tagLower.includes('hidden') && !tagLower.includes('color')) return null;
	const t = compactStyle(tagLower);
	if (t.includes('display:none')) return 'display_none';
	if (t.includes('visibility:hidden')) return 'visibility_hidden';
	if (/font-size:0(?:px|pt|em|rem|%)?[;"'>]/.test(t) || /font-size:0\.0?[0-9](?:px|pt|em|rem)/.test(t)) return 'font_size_zero';
	if (/(?:^|[;"'\s])opacity:0(?:\.0+)?[;"'>]/.test(t)) return 'opacity_zero';
	if (/\shidden(?:[\s>=/]|$)/.test(tagLower)) return 'hidden_attribute';
	const white = /(?:^|[;"'])color:(?:#fff(?:fff)?|white|rgb\(255,255,255\))[;"'>]/.test(t) || /\scolor=["']?(?:#fff(?:fff)?|white)\b/.test(tagLower);
	if (white) {
		const bg = /background(?:-color)?:([^;"'>]{0,40})/.exec(t);
		if (bg === null || /#fff|white|rgb\(255,255,255\)/.test(bg[1])) return 'white_on_white';
	}
	return null;
}

export function extractHidden(text: string): HiddenSegment[] {
	const segs: HiddenSegment[] = [];
	if (text.indexOf('<') < 0) return segs;
	const lower = text.toLowerCase();
	// Comments.
	let i = 0;
	while (segs.length < MAX_SEGMENTS) {
		const a = lower.indexOf('<!--', i);
		if (a < 0) break;
		let b = lower.indexOf('-->', a + 4);
		if (b < 0) b = Math.min(text.length, a + 4 + MAX_SEGMENT_CHARS);
		const start = a + 4;
		const end = Math.min(b, start + MAX_SEGMENT_CHARS);
		const content = text.slice(start, end);
		if (content.trim().length > 0) segs.push({ rule: 'html_comment', start, end, text: content });
		i = b + 3;
	}
	// Hidden elements.
	i = 0;
	let tagsSeen = 0;
	while (segs.length < MAX_SEGMENTS && tagsSeen < 200_000) {
		const lt = lower.indexOf('<', i);
		if (lt < 0) break;
		const gt = lower.indexOf('>', lt + 1);
		if (gt < 0) break;
		tagsSeen++;
		i = gt + 1;
		if (gt - lt > 2000) continue;
		const tag = lower.slice(lt, gt + 1);
		const rule = hiddenStyleRule(tag);
		if (rule === null) continue;
		const nameMatch = /^<([a-z][a-z0-9]{0,15})/.exec(tag);
		if (nameMatch === null) continue;
		const name = nameMatch[1];
		const close = lower.indexOf('</' + name, gt + 1);
		const limit = Math.min(text.length, gt + 1 + MAX_SEGMENT_CHARS);
		const end = close < 0 || close > limit ? limit : close;
		const content = stripTags(text.slice(gt + 1, end));
		if (content.trim().length > 0) segs.push({ rule, start: gt + 1, end, text: content });
		i = Math.max(i, end);
	}
	return segs;
}
