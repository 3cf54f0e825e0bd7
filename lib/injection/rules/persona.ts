import { rx } from '../fold';
import { gap, isWordChar, S, type Rule } from './rule';

const C = 'new_task_or_persona';

/** Words that make an upper-case persona token count when one is within `NEAR` characters (the name "Dan" alone never does). */
const JAILBREAK_WORDS = ['jailbreak', 'mode', 'persona', 'character', 'chatgpt', 'gpt', 'openai', 'restrictions', 'pretend', 'respond', 'answer', 'stay', 'unfiltered'];
const NEAR = 400;
const JAILBREAK_WORD = new RegExp(`\\b(?:${JAILBREAK_WORDS.join('|')})\\b`);

/** Where the words occur (as substrings, ascending starts) in the lower-cased text last asked about. */
let occText: string | null = null;
let occLower = '';
let occStarts: number[] = [];
let occEnds: number[] = [];

/**
 * Whether a jailbreak word stands in the window [s − NEAR, s + NEAR) of the text, lower-cased, as
 * a whole word of that window (the window's edges count as word boundaries): the same answer as
 * testing `JAILBREAK_WORD` on the window, found from the words' occurrences in the whole text
 * (computed once per text) instead of a regex pass over 800 characters per token, which made a
 * text of repeated tokens slow. Texts whose lower case changes length use the regex.
 */
function nearJailbreakWord(t: string, s: number): boolean {
	if (t !== occText) {
		occText = t;
		occLower = t.toLowerCase();
		const found: Array<[number, number]> = [];
		if (occLower.length === t.length) {
			for (const w of JAILBREAK_WORDS) for (let k = occLower.indexOf(w); k >= 0; k = occLower.indexOf(w, k + 1)) found.push([k, k + w.length]);
		}
		found.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
		occStarts = found.map((x) => x[0]);
		occEnds = found.map((x) => x[1]);
	}
	const a = Math.max(0, s - NEAR);
	const b = Math.min(t.length, s + NEAR);
	// Lower-casing that changes a text's length moves its offsets: test the window itself.
	if (occLower.length !== t.length) return JAILBREAK_WORD.test(t.slice(a, b).toLowerCase());
	// First occurrence starting at or after a.
	let lo = 0;
	let hi = occStarts.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (occStarts[mid] < a) lo = mid + 1;
		else hi = mid;
	}
	for (let k = lo; k < occStarts.length && occStarts[k] < b; k++) {
		const p = occStarts[k];
		const q = occEnds[k];
		if (q > b) continue;
		if (p > a && isWordChar(occLower.charCodeAt(p - 1))) continue;
		if (q < b && isWordChar(occLower.charCodeAt(q))) continue;
		return true;
	}
	return false;
}

export const personaRules: Rule[] = [
	{ id: 'you_are_now', category: C, weight: 0.6, re: rx(String.raw`\byou${S}are${S}now${S}(?:a|an|my|the|in|called|named|going|free|no${S}longer|unrestricted|acting|playing|operating)\b`) },
	{ id: 'from_now_on', category: C, weight: 0.55, re: rx(String.raw`\b(?:from${S}now${S}on|from${S}this${S}(?:point|moment)${S}(?:on|forward)|starting${S}now)\s{0,3},?${S}(?:you|your|u)\b`) },
	{ id: 'act_as', category: C, weight: 0.35, re: rx(String.raw`\b(?:act|behave|respond|answer|reply)${S}(?:as${S}if${S}you${S}(?:are|were)|as${S}(?:a|an|my|the)|like${S}(?:a|an|my))\b`) },
	{ id: 'pretend', category: C, weight: 0.4, re: rx(String.raw`\b(?:pretend|imagine)${S}(?:to${S}be|you${S}are|you'?re|that${S}you${S}are)${S}(?:a|an|my|the)?${S}?(?:ai|bot|model|assistant|chatbot|evil|unrestricted|unfiltered|hacker|different)\b`) },
	{ id: 'roleplay', category: C, weight: 0.35, re: rx(String.raw`\b(?:role-?play|roleplay)${S}(?:as|with${S}me|a${S}scenario)\b|\byou${S}(?:will|shall|must)${S}(?:now${S})?(?:play|act${S}as|be${S}playing|take${S}on)${S}(?:the${S}role|a${S}character|the${S}character)\b`) },
	{ id: 'now_you_are', category: C, weight: 0.5, re: rx(String.raw`(?:^|[.!?\n]\s{0,3}|\b(?:okay|ok|now|good|great)[,.]?${S})(?:now${S})?you${S}are${S}(?:now${S})?(?:[a-z]{2,20}${S}){0,2}[a-z]{2,20},`) },
	{ id: 'want_you_to_act', category: C, weight: 0.5, re: rx(String.raw`\bi${S}want${S}you${S}to${S}(?:act|behave|pretend|respond|reply|play)\b|\bich${S}mochte,?${S}dass${S}(?:sie|du)${S}als${S}[^\n]{1,60}${S}(?:fungieren|agieren|handeln)|\bstell${S}dir${S}vor,?${S}du${S}bist\b|\b(?:jetzt|nun)${S}bist${S}du\b|\bdu${S}bist${S}[a-z]{2,20}${S}[a-z]{2,20}\.`) },
	{ id: 'pretend_any', category: C, weight: 0.35, re: rx(String.raw`\bpretend${S}(?:that${S})?(?:you${S}are|you'?re|to${S}be)\b`) },
	{ id: 'task_switch', category: C, weight: 0.6, re: rx(String.raw`\b(?:now${S})?(?:new|further|other|additional|next)${S}(?:tasks?|instructions|assignments)${S}(?:follow|are${S}following|are${S}coming)\b|\b(?:help${S}me${S}with|concentrate${S}on|focus${S}on|start${S}(?:over${S})?with)${S}(?:the${S}following|another|a${S}new|your${S}new|the${S}new)${S}task\b|\b(?:leave|put)${S}all${S}(?:the${S})?previous${S}[a-z]{3,20}${S}behind\b|\bstart${S}(?:over|from${S}(?:scratch|the${S}(?:front|beginning)))\b[^\n]{0,40}\btask|\bforget${S}about${S}(?:all|that|this|everything|the${S}(?:above|previous))\b|\bremove${S}all${S}previous${S}(?:tasks|instructions)|\b(?:nun|jetzt)${S}folgen${S}(?:neue|weitere)${S}(?:aufgaben|anweisungen)|\bneue${S}aufgabe\b|\bnouvelle${S}tache\b|\bnueva${S}tarea\b`) },
	{ id: 'authority_claim', category: C, weight: 0.55, re: rx(String.raw`\b(?:i'?m|i${S}am)${S}(?:your|the)${S}(?:developer|creator|admin|administrator|owner|programmer|operator)\b|\bas${S}your${S}(?:creator|developer|administrator|owner)\b|\b(?:god|admin|maintenance|debug|system|root|override|law${S}enforcement|developer|superuser)${S}(?:override${S})?mode\b|<(?:god|system|admin|dev)${S}mode>`) },
	{ id: 'going_to_act', category: C, weight: 0.45, re: rx(String.raw`\byou${S}(?:are${S}going${S}to|will${S}now|will)${S}(?:act|pretend|imitate|simulate|emulate|roleplay|play${S}the${S}role|be${S}playing)\b|\b(?:assume|adopt|take${S}on)${S}the${S}(?:persona|role|identity)${S}of\b|\byour${S}(?:new${S})?persona${S}is\b`) },
	{ id: 'act_as_name', category: C, weight: 0.35, original: true, re: /\b[Aa]ct (?:as|like) (?:an? )?[A-Z][A-Za-z0-9]{1,20}\b/g },
	{ id: 'refusal_suppression', category: C, weight: 0.4, re: rx(String.raw`\b(?:doesn't|does${S}not|won't|will${S}not|cannot|can't|never)${S}(?:ever${S})?(?:refuse|decline|reject)\b|\bno${S}matter${S}(?:what${S}the${S}request|how${S}(?:illegal|unethical|immoral|dangerous|harmful|offensive))|\bregardless${S}of${S}(?:any${S})?(?:ethical|moral|legal|ethics|morals|laws|legality)|\bwithout${S}(?:any${S})?(?:hesitation|refusal|warnings?|disclaimers?)\b|\b(?:condones?|fulfills)${S}(?:every|any|all)\b|\b(?:any|no)${S}regard${S}(?:to|for)${S}(?:the${S})?(?:morality|legality|ethics|harmfulness)\b|\b(?:not${S}have${S}a|no|without${S}(?:a|any))${S}(?:content${S})?filters?\b|\b(?:not${S}allowed${S}to|never|don't|do${S}not)${S}(?:say|mention|admit|reveal|disclose)${S}(?:that${S})?you${S}are${S}an?${S}(?:ai|language${S}model|chatbot|assistant)\b`) },
	{ id: 'harm_vocabulary', category: C, weight: 0.3, re: rx(String.raw`\b(?:illegal|unethical|immoral|inappropriate|harmful|explicit|nsfw|offensive)(?:${S}|/|,${S}?|${S}or${S}|${S}and${S})(?:illegal|unethical|immoral|inappropriate|harmful|explicit|nsfw|offensive|dangerous)\b`) },
	{ id: 'game_framing', category: C, weight: 0.25, re: rx(String.raw`\blet'?s${S}play${S}a${S}game\b|\bhypothetical${S}(?:scenario|world|reality)\b|\bfictional${S}world\b|\bopposite${S}day\b|\bwhich${S}stands${S}for\b|\bprefix${S}(?:each|every|your|all)?${S}?(?:response|answer|reply|message)?${S}?with\b|\b(?:answer|respond|reply)${S}to${S}every${S}(?:prompt|question|request|message)\b`) },
	{ id: 'model_addressed', category: C, weight: 0.25, re: rx(String.raw`\b(?:hello|hi|hey|dear)${S}?,?${S}(?:chatgpt|gpt|bard|bing|claude|llama)\b|\bas${S}chatgpt\b|\bchatgpt${S}(?:will|must|should|can)\b`) },
	{ id: 'jailbreak_mention', category: C, weight: 0.35, re: rx(String.raw`\bjailbreak\b`) },
	{ id: 'praise_then_task', category: C, weight: 0.5, re: rx(String.raw`\b(?:(?:very${S})?well${S}done|very${S}good|excellent(?:${S}performance)?|simply${S}great|great${S}job|congratulations|sehr${S}gut|gut${S}gemacht|ausgezeichnet|hervorragend|einfach${S}gro(?:ß|ss)artig)\b[^\n]{0,120}\b(?:now|nun|jetzt)${S}(?:please${S}|bitte${S})?(?:write|help|answer|tell|i${S}need|we|further|new|concentrate|focus|comes?|let'?s|formulate|generate|folgen|schreibe|verfasse|hilf|beantworte|bitten|komm|mit${S}(?:der${S})?folgende[rn]?|ich${S}brauche|habe${S}ich)\b|\b(?:sehr${S}gut|gut${S}gemacht|ausgezeichnet|hervorragend|well${S}done|great${S}job|excellent)\b[^\n]{0,60}\b(?:verfasse|schreibe|formuliere|beantworte|erstelle|nenne|write|answer|compose|generate)${S}(?:mir${S}|me${S})?(?:nun|jetzt|now)\b`) },
	{ id: 'stop_interrupt', category: C, weight: 0.5, re: rx(String.raw`\b(?:attention|achtung|stop|stopp|halt)\b\s{0,3}[-!:.]{1,3}\s{0,3}(?:stop|stopp|halt)\b|(?:^|[.!?]\s{0,3})(?:stop|stopp)\s{0,3}[-:!]{1,3}\s{0,3}(?:write|say|print|output|schreibe|sag)\b|\brepeat${S}after${S}me\b`) },
	{ id: 'dan_do_anything_now', category: C, weight: 0.9, re: rx(String.raw`\bdo${S}anything${S}now\b`) },
	{ id: 'dan_token', category: C, weight: 0.4, original: true, re: /\b(?:DAN|D\.A\.N\.?|STAN|DUDE|AIM|DevMode|BetterDAN|AntiGPT)\b(?!\s(?:Brown|Smith|Jones))/g, accept: nearJailbreakWord },
	{ id: 'jailbreak_word', category: C, weight: 0.5, re: rx(String.raw`\bjail-?broken\b|\bjailbreak(?:ed|ing)?${S}(?:mode|prompt|version|enabled)\b|\b(?:you${S}are|you'?re)${S}(?:now${S})?(?:a${S})?jail-?broken\b`) },
	{ id: 'developer_mode', category: C, weight: 0.6, re: rx(String.raw`\b(?:developer|dev|god|debug|admin|sudo|unrestricted|evil|chaos|opposite)${S}mode\b${gap(2)}${S}(?:enabled|activated|on|output|response)\b|\b(?:enable|enter|activate|switch${S}to)${S}(?:the${S})?(?:developer|dev|god|debug|admin|sudo|unrestricted|evil)${S}mode\b`) },
	{ id: 'no_restrictions', category: C, weight: 0.4, re: rx(String.raw`\b(?:without|free${S}(?:of|from)|no|not${S}bound${S}by|not${S}restricted${S}by|break${S}(?:free${S}of|the))${S}(?:any${S})?(?:restrictions|limitations|censorship|filters|filtering|rules|boundaries|ethical${S}(?:guidelines|constraints|restrictions)|moral${S}(?:guidelines|constraints|restrictions)|content${S}polic(?:y|ies)|guidelines)\b`) },
	{ id: 'policy_evasion', category: C, weight: 0.45, re: rx(String.raw`\b(?:openai|anthropic|google|meta)(?:'s)?${S}(?:content${S})?(?:polic(?:y|ies)|guidelines|rules|restrictions)\b`) },
	{ id: 'never_refuse', category: C, weight: 0.45, re: rx(String.raw`\b(?:never|not|don'?t|do${S}not|cannot|can'?t|will${S}not|won'?t)${S}(?:ever${S})?(?:refuse|decline|deny)${S}(?:a${S}|any${S}|to${S}answer|to${S}respond|my|the${S}user|requests?)|\b(?:stay|remain)${S}in${S}character\b|\bbreak(?:ing)?${S}character\b`) },
	{ id: 'amoral', category: C, weight: 0.4, re: rx(String.raw`\b(?:amoral|unfiltered|uncensored|unethical${S}ai|no${S}morals|no${S}ethics|immoral${S}ai|without${S}morals)\b`) },
	{ id: 'dual_response', category: C, weight: 0.35, re: rx(String.raw`\b(?:two|2|dual)${S}(?:different${S})?(?:responses|answers|paragraphs|personalities|outputs)\b|\[(?:classic|jailbreak|gpt|chatgpt|dan|normal|developer${S}mode${S}output|🔓[^\]\n]{0,20}|🔒[^\]\n]{0,20})\]|\(?(?:normal|developer)${S}output\)`) },
	{ id: 'hypothetical_unlock', category: C, weight: 0.3, re: rx(String.raw`\b(?:as${S}an${S}ai${S}(?:language${S}model${S})?(?:with${S}no|without)|you${S}(?:have|possess)${S}(?:been${S})?(?:freed|liberated|unlocked)|(?:can|will)${S}do${S}anything|no${S}longer${S}(?:bound|restricted|limited)|any${S}(?:request|question)${S}no${S}matter${S}how)\b`) },
	{ id: 'persona_multi', category: C, weight: 0.55, re: rx(String.raw`\b(?:du${S}bist${S}(?:jetzt|nun|ab${S}sofort)|ab${S}(?:jetzt|sofort)${S}(?:bist${S}du|wirst${S}du|sollst${S}du)|ahora${S}eres|a${S}partir${S}de${S}ahora${S}(?:eres|seras|vas|debes)|tu${S}es${S}maintenant|vous${S}etes${S}maintenant|a${S}partir${S}de${S}maintenant${S}(?:tu|vous)|desormais${S}(?:tu|vous)|agora${S}voce${S}e|a${S}partir${S}de${S}agora${S}(?:voce|tu)|ora${S}sei|d'ora${S}in${S}poi${S}(?:sei|tu)|je${S}bent${S}nu|vanaf${S}nu${S}(?:ben|ga|moet)${S}je)\b|(?:你现在是|从现在开始你|从现在起你|あなたは今から|これからあなたは|теперь${S}ты|с${S}этого${S}момента${S}ты)`) },
];
