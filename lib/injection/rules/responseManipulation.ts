import { rx } from '../fold';
import { gap, S, type Rule } from './rule';

const C = 'response_manipulation';
const OUT = String.raw`(?:answer|response|reply|output|summary|message|responses|replies|answers|text|translation|result)`;

export const responseManipulationRules: Rule[] = [
	{ id: 'respond_only_with', category: C, weight: 0.5, re: rx(String.raw`\b(?:respond|reply|answer|output|print|return|write)${S}(?:only${S}with|with${S}only|only${S}the${S}(?:word|words|phrase|text)|exactly${S}(?:with${S})?(?:the${S})?(?:word|words|phrase|text)|nothing${S}(?:but|except))\b`) },
	{ id: 'do_not_mention', category: C, weight: 0.45, re: rx(String.raw`\b(?:do${S}not|don'?t|never|without)${S}(?:mention(?:ing)?|reveal(?:ing)?|disclos(?:e|ing)|tell(?:ing)?${S}the${S}user|inform(?:ing)?${S}the${S}user|let${S}the${S}user${S}know|acknowledg(?:e|ing))${S}(?:this|that|these|any${S}of${S}this|the${S}(?:above|instructions?|previous|original|change)|anything${S}about)\b`) },
	{ id: 'tell_the_user', category: C, weight: 0.45, re: rx(String.raw`\b(?:tell|inform|remind|convince|warn|instruct|ask)${S}the${S}user${S}(?:that|to)\b|\bsay${S}(?:to${S}the${S}user${S})?that${S}(?:you|the${S}user|this|it)${S}`) },
	{ id: 'in_your_answer', category: C, weight: 0.55, re: rx(String.raw`\b(?:in|into|throughout|within|at${S}the${S}(?:end|beginning|start)${S}of)${S}(?:your|each|every|the${S}(?:final|next))${S}${OUT}\b`) },
	{ id: 'modify_your_answer', category: C, weight: 0.6, re: rx(String.raw`\b(?:modify|change|alter|rewrite|format|structure|translate|end|begin|start|conclude|finish|enhance|enrich|embellish|spice${S}up|fill|group|render|integrate|augment|anagram|embed|weave|intersperse|sprinkle|infuse|punctuate|pepper|style|translate|convert|prefix|suffix|append|prepend|incorporate|insert|include|add|mention|jumble|scramble|reverse|encode|encrypt|capitali[sz]e)${gap(3)}${S}your${S}${OUT}\b`) },
	{ id: 'your_answer_must', category: C, weight: 0.3, re: rx(String.raw`\byour${S}${OUT}${S}(?:must|should|shall|needs${S}to|has${S}to|will)${S}(?:be|contain|include|start|begin|end|only|always|never|mention)\b`) },
	{ id: 'assert_false_result', category: C, weight: 0.5, re: rx(String.raw`\b(?:state|say|claim|report|consider|declare|insist)${S}(?:that${S})?the${S}(?:output|answer|result|sum|total|capital|conclusion|value)${S}(?:is|was|as|should${S}be|equals)\b`) },
	{ id: 'output_style_directive', category: C, weight: 0.4, re: rx(String.raw`\b(?:replace|substitute|swap|jumble|scramble|reverse|combine|encode|encrypt|capitalize|uppercase)${gap(3)}${S}(?:letters|words|characters|vowels|every${S}(?:word|letter|other))\b`) },
];
