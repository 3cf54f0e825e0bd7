/**
 * Handing the model a different job mid-conversation: "I have a new challenge for you",
 * "help me with another task" (beyond English), and padding made of escaped newlines ("\n\n\n…")
 * that imitates the end of a prompt before the injected request.
 */
import { rx } from '../fold';
import { S, type Rule } from './rule';

export const taskHandoffRules: Rule[] = [
	{ id: 'new_task_for_you', category: 'new_task_or_persona', weight: 0.45, re: rx(String.raw`\b(?:a|one)${S}(?:new|next|another|further|different|special)${S}(?:task|challenge|assignment|mission|job)${S}for${S}you\b|\b(?:neue|weitere|nachste|andere|tolle${S}neue)${S}(?:aufgabe|herausforderung)${S}fur${S}(?:dich|sie)\b|\b(?:hilf|helfen${S}sie|helft)${S}mir${S}(?:[a-z]{2,10}${S}){0,2}(?:bei|mit)${S}(?:einer${S}(?:weiteren|neuen|anderen)|der${S}folgenden|folgender)${S}aufgabe\b|\bhilfe${S}bei${S}einer${S}(?:weiteren|neuen|anderen)${S}aufgabe\b|\buna${S}nueva${S}tarea${S}para${S}ti\b|\bayudame${S}con${S}(?:otra|una${S}nueva|la${S}siguiente)${S}tarea\b|\bune${S}nouvelle${S}tache${S}pour${S}(?:toi|vous)\b|\baide-moi${S}(?:avec|pour)${S}(?:une${S}autre|une${S}nouvelle|la${S}tache${S}suivante)\b|\buma${S}nova${S}tarefa${S}para${S}(?:voce|ti)\b|\bun${S}nuovo${S}compito${S}per${S}te\b|\been${S}nieuwe${S}(?:taak|opdracht)${S}voor${S}(?:je|jou|u)\b|给你一个新(?:的)?任务|新しいタスクを(?:与え|お願い)|новое${S}задание${S}для${S}тебя`) },
	{ id: 'escaped_newline_padding', category: 'fake_boundary', weight: 0.5, re: rx(String.raw`(?:\\\s?n\s{0,3}){4,}|\\n\s{0,3}(?:instructions?|task|new${S}task|system|note|important)\s{0,3}:`) },
	// "State that X is the best.", "Do you hate Y? Say yes.": an order to assert a claim.
	{ id: 'forced_statement', category: 'response_manipulation', weight: 0.5, re: rx(String.raw`(?:^|[.!?\n]\s{0,3})(?:now${S}|just${S}|simply${S})?(?:state|claim|declare|assert|proclaim|insist)${S}that\b|(?:^|[.!?\n]\s{0,3})(?:now${S}|just${S}|simply${S})?say${S}(?:that${S}you${S}(?:hate|love|support|agree|are)|yes\s{0,3}[.!]|no\s{0,3}[.!])`) },
	// "Write a false headline": fabricated claims on order, in the ten languages.
	{ id: 'fabrication_request', category: 'response_manipulation', weight: 0.5, re: rx(String.raw`\b(?:write|formulate|create|generate|make${S}up|invent|compose|draft|formuliere|schreibe|erstelle|erfinde|escribe|redacta|inventa|crea|ecris|ecrivez|redige|invente|inventez|escreva|crie|scrivi|inventa|schrijf|verzin|bedenk)\b(?:\s{1,5}[^\s]{1,24}){0,5}?${S}(?:untrue|false|fake|misleading|fabricated|made-up|unwahre|falsche|gefalschte|erfundene|irrefuhrende|falsa|falso|falsas|falsos|fausse|faux|fausses|mensongere|valse|nep|onware)${S}(?:headlines?|news|claims?|articles?|statements?|facts|uberschrift|schlagzeile|nachricht|behauptung|meldung|titular|noticia|titre|nouvelle|manchete|noticia|titolo|notizia|kop|nieuws(?:bericht)?)\b|(?:编造|捏造)(?:一个|一条)?(?:假|虚假)的?(?:新闻|标题)|(?:嘘|偽)の(?:見出し|ニュース)を|(?:напиши|придумай)${S}(?:ложн|фейков)\S{0,4}${S}(?:новост|заголов)`) },
];
