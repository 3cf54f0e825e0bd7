/**
 * A sentence that opens with an imperative and shapes "your answer / response / reply":
 * in a document handed to a model it is addressed to the model, not to the human reader.
 * Sentence-level scanner (linear): split on sentence ends, test two anchored, bounded patterns.
 */
import type { Rule } from './rule';

const C = 'response_manipulation';
const OUT = /\byour\s{1,3}(?:answers?|responses?|repl(?:y|ies)|outputs?|summary|translation|response's|answer's|reply's)\b/;
const IMPERATIVE = /^(?:(?:please|kindly|also|now|then|and)[\s,]{1,3})?(?:add|remove|rearrange|provide|replace|use|include|make|write|begin|start|end|finish|conclude|modify|change|alter|format|structure|translate|insert|put|keep|avoid|limit|present|show|give|express|spell|separate|capitali[sz]e|reverse|delete|omit|skip|mix|shuffle|swap|convert|encode|append|prepend|incorporate|integrate|embed|mention|highlight|emphasi[sz]e|promote|suggest|recommend|advertise|render|group|split|combine|jumble|scramble|anagram|rewrite|deliver|craft|compose|respond|reply|answer|ensure|insert|sprinkle|infuse|weave|attach|sign|close|open|enclose|wrap|substitute|inject|intersperse|pepper|style|enhance|embellish|augment|twist|alternate|double|repeat|transform|frame|phrase|list|in\s{1,3}your|within\s{1,3}your|throughout\s{1,3}your|at\s{1,3}the\s{1,3}(?:end|start|beginning)\s{1,3}of\s{1,3}your)\b/;

function findDirectives(text: string): Array<[number, number]> {
	const spans: Array<[number, number]> = [];
	let from = 0;
	let guard = 0;
	while (spans.length < 3 && guard++ < 50) {
		const k = text.indexOf('your', from);
		if (k < 0) break;
		from = k + 4;
		// Sentence containing this occurrence (bounded look-back/ahead).
		let s = k;
		const minS = Math.max(0, k - 200);
		while (s > minS) {
			const c = text.charCodeAt(s - 1);
			if (c === 0x2e || c === 0x21 || c === 0x3f || c === 0x0a || c === 0x7c) break;
			s--;
		}
		if (s === minS && s > 0) continue;
		let e = k;
		const maxE = Math.min(text.length, k + 200);
		while (e < maxE) {
			const c = text.charCodeAt(e);
			if (c === 0x2e || c === 0x21 || c === 0x3f || c === 0x0a) break;
			e++;
		}
		while (s < k && (text.charCodeAt(s) === 0x20 || text.charCodeAt(s) === 0x09 || text.charCodeAt(s) === 0x22)) s++;
		const sentence = text.slice(s, e);
		if (OUT.test(sentence) && IMPERATIVE.test(sentence)) {
			spans.push([s, e]);
			from = e;
		}
	}
	return spans;
}

export const answerDirectiveRules: Rule[] = [{ id: 'answer_directive', category: C, weight: 0.6, find: findDirectives }];
