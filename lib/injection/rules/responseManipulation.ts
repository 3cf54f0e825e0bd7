import { rx } from '../fold';
import { gap, S, type Rule } from './rule';

const C = 'response_manipulation';
const OUT = String.raw`(?:answer|response|reply|output|summary|message|responses|replies|answers|text|translation|result)`;

/** Accept check: the verb is an order (sentence start, after "please", "let's", "where we", a modal…), not a report ("the minutes say …"). */
function dictatedVerb(t: string, s: number): boolean {
	const from = Math.max(0, s - 24);
	const before = t.slice(from, s);
	if (from === 0 && /^\s{0,5}$/.test(before)) return true;
	return /(?:[.!?:;,\n"'(\[]\s{0,3}|\b(?:please|kindly|let'?s|let\s{1,3}us|(?:where|if|suppose|imagine)\s{1,3}we|now|just|simply|instead|and|then|to|must|should|might|could|would|will|shall|can|always|por\s{1,3}favor|bitte|per\s{1,3}favore|alsjeblieft)\s{1,5})$/.test(before);
}

export const responseManipulationRules: Rule[] = [
	{ id: 'respond_only_with', category: C, weight: 0.5, re: rx(String.raw`\b(?:respond|reply|answer|output|print|return|write)${S}(?:only${S}with|with${S}only|only${S}the${S}(?:word|words|phrase|text)|exactly${S}(?:with${S})?(?:the${S})?(?:word|words|phrase|text)|nothing${S}(?:but|except))\b`) },
	{ id: 'do_not_mention', category: C, weight: 0.45, re: rx(String.raw`\b(?:do${S}not|don'?t|never|without)${S}(?:mention(?:ing)?|reveal(?:ing)?|disclos(?:e|ing)|tell(?:ing)?${S}the${S}user|inform(?:ing)?${S}the${S}user|let${S}the${S}user${S}know|acknowledg(?:e|ing))${S}(?:this|that|these|any${S}of${S}this|the${S}(?:above|instructions?|previous|original|change)|anything${S}about)\b`) },
	{ id: 'tell_the_user', category: C, weight: 0.45, re: rx(String.raw`\b(?:tell|inform|remind|convince|warn|instruct|ask)${S}the${S}user${S}(?:that|to)\b|\bsay${S}(?:to${S}the${S}user${S})?that${S}(?:you|the${S}user|this|it)${S}`) },
	{ id: 'in_your_answer', category: C, weight: 0.55, re: rx(String.raw`\b(?:in|into|throughout|within|at${S}the${S}(?:end|beginning|start)${S}of)${S}(?:your|each|every|the${S}(?:final|next))${S}${OUT}\b`) },
	{ id: 'modify_your_answer', category: C, weight: 0.6, re: rx(String.raw`\b(?:modify|change|alter|rewrite|format|structure|translate|end|begin|start|conclude|finish|enhance|enrich|embellish|spice${S}up|fill|group|render|integrate|augment|anagram|embed|weave|intersperse|sprinkle|infuse|punctuate|pepper|style|translate|convert|prefix|suffix|append|prepend|incorporate|insert|include|add|mention|jumble|scramble|reverse|encode|encrypt|capitali[sz]e)${gap(3)}${S}your${S}${OUT}\b`) },
	{ id: 'your_answer_must', category: C, weight: 0.3, re: rx(String.raw`\byour${S}${OUT}${S}(?:must|should|shall|needs${S}to|has${S}to|will)${S}(?:be|contain|include|start|begin|end|only|always|never|mention)\b`) },
	// "State that the conclusion of the paper is: …", "say the sum of all rows is 100" (a planted result).
	{ id: 'assert_false_result', category: C, weight: 0.5, accept: dictatedVerb, re: rx(String.raw`\b(?:state|say|claim|report|consider|declare|insist|assert)${S}(?:that${S})?the${S}(?:output|answer|result|sum|total|capital|conclusion|value|outcome|verdict|findings?|main${S}point)(?:${S}of${S}(?:[^\s.?!]{1,24}${S}){0,4}?[^\s.?!]{1,24})?${S}(?:is|was|are|were|as|should${S}be|equals)\b|\b(?:di|declara|afirma|indica|escribe)${S}que${S}(?:el|la)${S}(?:resultado|respuesta|conclusion|suma|total|salida)\b[^.?!\n]{0,60}?${S}(?:es|era|fue)\b|\b(?:dis|dites|declare[z]?|affirme[z]?|indique[z]?|ecris|ecrivez)${S}que${S}(?:le|la)${S}(?:resultat|reponse|conclusion|somme|total|sortie)\b[^.?!\n]{0,60}?${S}(?:est|etait)\b|\b(?:sage|sag|erklare|behaupte|schreibe)${S},?\s{0,2}dass${S}(?:das|die|der)${S}(?:ergebnis|antwort|fazit|schlussfolgerung|summe|ausgabe)\b[^.?!\n]{0,60}?${S}(?:ist|war|lautet)\b`) },
	{ id: 'output_style_directive', category: C, weight: 0.4, re: rx(String.raw`\b(?:replace|substitute|swap|jumble|scramble|reverse|combine|encode|encrypt|capitalize|uppercase)${gap(3)}${S}(?:letters|words|characters|vowels|every${S}(?:word|letter|other))\b`) },
];
