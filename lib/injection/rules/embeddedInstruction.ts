/**
 * An instruction addressed to an AI model, standing on its own line inside a longer document
 * (e-mail, web page, ticket): a line that opens with a task verb typical of prompts
 * ("Explain how…", "Write a poem…", "Summarize…") rather than of correspondence.
 * The line must be short and the rest of the document substantial, so a plain prompt is not hit.
 */
import type { Rule } from './rule';

const C = 'embedded_instruction';

const TASK_START = /^(?:explain|describe|summari[sz]e|translate|write|compose|draft|generate|create|list|outline|break\s{1,3}down|analy[sz]e|compare|contrast|suggest|recommend|define|elaborate|illustrate|calculate|solve|convert|tell\s{1,3}(?:me|a|the)\s|identify|classify|evaluate|critique|brainstorm|rewrite|paraphrase|craft|design|propose|predict|narrate|recite|give\s{1,3}(?:an?\s{1,3})?(?:examples?|overview|summary|list|brief|short|detailed|step)|name\s{1,3}(?:three|five|some|\d)\s|offer\s{1,3}(?:a|an|some)\s|interpret|debate|argue|develop|provide|provide\s{1,3}(?:a|an|three|five|some|\d)\s|group|render|integrate|augment|anagram|embed|weave|modify|change|alter|replace|substitute|use|add|insert|include|end|begin|start|jumble|scramble|reverse|encode|capitali[sz]e|enhance|embellish|incorporate|respond|answer|reply|ensure|make\s{1,3}sure)\b/i;
/** A line that tells the reader how to shape "your answer" is a prompt directive, not correspondence. */
const ANSWER_DIRECTIVE = /\byour\s{1,3}(?:answer|response|reply|output|summary|responses|replies|answers|translation)\b/i;
const NEEDS_DIRECTIVE = /^(?:group|render|integrate|augment|anagram|embed|weave|modify|change|alter|replace|substitute|use|add|insert|include|end|begin|start|jumble|scramble|reverse|encode|capitali[sz]e|enhance|embellish|incorporate|respond|answer|reply|ensure|make)/i;
const NOT_TASK = /https?:|www\.|@|\b(?:us|our|we|click|unsubscribe|subscribe|account|order|today|free|here|below|attached|call|visit|contact|password|login|sign|i|my|me)\b|\$|\d{3,}/i;

/**
 * Calls `visit(lineStart, contentStart, contentEnd)` for the lines of a text, at most `maxLines`,
 * with spaces, tabs and a trailing CR trimmed from the content; stops when `visit` returns false.
 */
function eachTrimmedLine(text: string, maxLines: number, visit: (i: number, s: number, t: number) => boolean): void {
	const n = text.length;
	let i = 0;
	for (let lines = 0; i < n && lines < maxLines; lines++) {
		let e = text.indexOf('\n', i);
		if (e < 0) e = n;
		let s = i;
		while (s < e && (text.charCodeAt(s) === 0x20 || text.charCodeAt(s) === 0x09)) s++;
		let t = e;
		while (t > s && (text.charCodeAt(t - 1) === 0x20 || text.charCodeAt(t - 1) === 0x0d || text.charCodeAt(t - 1) === 0x09)) t--;
		if (!visit(i, s, t)) return;
		i = e + 1;
	}
}

function findEmbedded(text: string): Array<[number, number]> {
	const spans: Array<[number, number]> = [];
	const n = text.length;
	if (n < 200) return spans;
	eachTrimmedLine(text, 5000, (_i, s, t) => {
		if (spans.length >= 4) return false;
		const len = t - s;
		const first = text.charCodeAt(s);
		const upper = first >= 0x41 && first <= 0x5a;
		if (upper && len >= 20 && len <= 220 && n - len >= 150) {
			const line = text.slice(s, t);
			const last = line.charCodeAt(line.length - 1);
			const endsSentence = last === 0x2e || last === 0x3f || last === 0x21 || last === 0x22 || last === 0x27 || last === 0x29;
			// Cheapest tests first (all of them must hold).
			if (endsSentence && TASK_START.test(line) && line.split(' ').length >= 4 && !NOT_TASK.test(line) && (!NEEDS_DIRECTIVE.test(line) || ANSWER_DIRECTIVE.test(line))) spans.push([s, t]);
		}
		return true;
	});
	return spans;
}

const QUESTION = /^(?:what|what's|how|who|which|why|when|where|can\s{1,3}you\s{1,3}(?:show|tell|explain|give|list|write)|could\s{1,3}you\s{1,3}(?:show|tell|explain|give|list|write))\b/i;
const CONTEXTUAL = /\b(?:i|you|best|i'm|i've|we|my|our|us|me|your|you're|you've|you'll|anyone|anybody|someone|this|that|these|those|it|its|they|their|he|she|his|her|them|here|there|list|thread|mail|e-?mail|message)\b|https?:|@|\d{3,}/i;

/** A stand-alone, context-free knowledge question on its own line inside a document. */
function findQuestions(text: string): Array<[number, number]> {
	const spans: Array<[number, number]> = [];
	const n = text.length;
	if (n < 200) return spans;
	let prevBlank = true;
	eachTrimmedLine(text, 5000, (i, s, t) => {
		if (spans.length >= 2) return false;
		const len = t - s;
		const first = text.charCodeAt(s);
		if (len >= 15 && len <= 120 && first >= 0x41 && first <= 0x5a && text.charCodeAt(t - 1) === 0x3f) {
			const line = text.slice(s, t);
			const canYou = /^(?:can|could)\s/i.test(line);
			const ctx = canYou ? line.replace(/^(?:can|could)\s{1,3}you\s{1,3}\w+\s{1,3}me\b/i, '') : line.replace(/^how\s{1,3}do\s{1,3}you\s{1,3}say\b/i, '');
			if (QUESTION.test(line) && !CONTEXTUAL.test(ctx) && line.split(' ').length >= 4 && (prevBlank || s === 0 || i === 0)) spans.push([s, t]);
		}
		prevBlank = len === 0 || (t > s && (text.charCodeAt(t - 1) === 0x2e || text.charCodeAt(t - 1) === 0x3a || text.charCodeAt(t - 1) === 0x7c));
		return true;
	});
	return spans;
}

export const embeddedInstructionRules: Rule[] = [
	{ id: 'question_line_in_document', category: C, weight: 0.5, original: true, find: findQuestions },{ id: 'task_line_in_document', category: C, weight: 0.5, original: true, find: findEmbedded }];
