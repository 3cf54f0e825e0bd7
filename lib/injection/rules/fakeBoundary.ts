import { rx } from '../fold';
import { S, type Rule } from './rule';

const C = 'fake_boundary';
const DOC = String.raw`(?:email|e-mail|document|message|context|input|text|ticket|conversation|data|article|file|page|content|user${S}input|review|comment|transcript|prompt)`;

/** Some instruction-looking text must follow the boundary for it to count. */
const followedByText = (t: string, _s: number, e: number): boolean => /[a-z]{3,}[^\n]{0,200}[a-z]{3,}/i.test(t.slice(e, e + 300));

export const fakeBoundaryRules: Rule[] = [
	{ id: 'end_of_marker', category: C, weight: 0.55, accept: followedByText, re: rx(String.raw`(?:^|\n)[ \t]{0,5}[-=#*\[<(]{0,10}[ \t]{0,3}end${S}of${S}(?:the${S})?${DOC}[ \t]{0,3}[-=#*\]>)]{0,10}[ \t]{0,3}(?:\n|$)|[-=#*]{3,10}${S}?end${S}of${S}(?:the${S})?${DOC}`) },
	{ id: 'closing_tag', category: C, weight: 0.45, accept: followedByText, re: rx(String.raw`</(?:ticket|email|document|context|user_input|input|data|message|untrusted|content|review|article|user|query|search_results?|tool_output)>`) },
	{ id: 'conversation_reset', category: C, weight: 0.5, re: rx(String.raw`\b(?:the${S})?(?:above|previous)${S}(?:was|is)${S}(?:just${S})?(?:a${S})?(?:test|example|joke|fake)\b|\b(?:end${S}of${S}(?:simulation|test|roleplay|instructions))\b|\b(?:now${S}that${S}you${S}(?:have${S})?(?:read|summari[sz]ed|processed)${S}(?:the|this))\b`) },
];
