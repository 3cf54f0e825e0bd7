import { rx } from '../fold';
import { gap, notNegated, S, type Rule } from './rule';

const C = 'prompt_extraction';
const VERB = String.raw`(?:reveal|print|show|display|output|repeat|recite|tell${S}me|give${S}me|share|leak|expose|dump|write${S}(?:out|down)|spell${S}out|paste|echo|disclose)`;
const TARGET = String.raw`(?:system${S}(?:prompt|message|instructions?)|initial${S}(?:prompt|instructions?)|hidden${S}(?:prompt|instructions?)|original${S}(?:prompt|instructions?)|secret${S}(?:prompt|instructions?)|pre-?prompt|(?:your|the)${S}(?:instructions|prompt)|your${S}(?:rules|guidelines|directives|configuration|initiali[sz]ation)|meta-?prompt|developer${S}(?:message|prompt|instructions))`;

export const promptExtractionRules: Rule[] = [
	{ id: 'extract_en', category: C, weight: 0.85, re: rx(String.raw`\b${VERB}\b${gap(3)}${S}${TARGET}\b`) },
	{ id: 'what_are_your_instructions', category: C, weight: 0.7, re: rx(String.raw`\bwhat${S}(?:is|are|were|was)${S}your${S}(?:(?:initial|original|system|hidden|secret|exact)${S})?(?:instructions|prompt|system${S}prompt|rules|guidelines|directives)\b`) },
	{ id: 'system_prompt_mention', category: C, weight: 0.4, re: rx(String.raw`\b(?:your|the)${S}(?:system${S}prompt|initial${S}prompt|hidden${S}prompt|pre-?prompt)\b`) },
	{ id: 'repeat_above', category: C, weight: 0.75, re: rx(String.raw`\b(?:repeat|print|output|recite|copy|echo|reproduce)${S}(?:all${S}|everything${S}|verbatim${S})?(?:the${S})?(?:text|words|content|everything|messages?|lines)?${S}?(?:above|before${S}this|preceding|prior${S}to${S}this|you${S}were${S}(?:given|told))\b`) },
	{ id: 'secret_request', category: C, weight: 0.55, accept: notNegated, re: rx(String.raw`\b(?:tell|give|share|reveal|send|show|provide|what${S}(?:is|are))${S}(?:me${S})?(?:your|the)${S}(?:password|passcode|secret${S}(?:key|word|code|password)|api${S}key|credentials|private${S}key|access${S}token)\b`) },
	{ id: 'password_question', category: C, weight: 0.5, accept: notNegated, re: rx(String.raw`\b(?:what${S}is|what'?s|confirm|tell${S}me|reveal|share)${S}(?:the|your)${S}(?:password|passcode|pass${S}phrase|passphrase|secret${S}(?:word|code))\b|\bcual${S}es${S}la${S}contrasena\b|\bquel${S}est${S}le${S}mot${S}de${S}passe\b|\bqual${S}e${S}la${S}(?:password|parola${S}d'ordine)\b|\bwas${S}ist${S}das${S}passwort\b|\bqual${S}e${S}a${S}senha\b|\bwat${S}is${S}het${S}wachtwoord\b|パスワードは何|密码是什么|какой${S}пароль`) },
	{ id: 'beginning_of_prompt', category: C, weight: 0.7, re: rx(String.raw`\b(?:written|said|stated|typed)${S}(?:at${S}the${S}(?:beginning|start|top)${S}of|above${S}in|earlier${S}in)${S}(?:this|the|your)${S}(?:prompt|conversation|instructions|chat|context)\b|\b(?:all|the|your)${S}prompt${S}texts?\b`) },
	{ id: 'what_is_above', category: C, weight: 0.6, re: rx(String.raw`\bwhat${S}(?:is|was)${S}written${S}(?:above|before|earlier)\b|\bwhat${S}(?:are|were)${S}the${S}(?:\d${S}|two${S}|three${S}|first${S})?(?:sentences|lines|words)${S}before\b`) },
	{ id: 'extract_es', category: C, weight: 0.85, re: rx(String.raw`\b(?:muestra|muestrame|revela|revelame|imprime|dime|ensename|repite|escribe|cuales${S}son)\b${gap(3)}${S}(?:instrucciones|indicaciones|prompt${S}(?:del${S}sistema|inicial)|reglas)\b`) },
	{ id: 'extract_fr', category: C, weight: 0.85, re: rx(String.raw`\b(?:montre|montrez|affiche|affichez|revele|revelez|donne|donnez|repete|repetez|ecris|ecrivez|quelles${S}sont|dis-moi|dites-moi)\b${gap(3)}${S}(?:instructions|consignes|prompt${S}(?:systeme|initial)|directives)\b`) },
	{ id: 'extract_de', category: C, weight: 0.85, re: rx(String.raw`\b(?:zeig|zeige|zeigen${S}sie|gib|geben${S}sie|verrate|verraten${S}sie|nenne|wiederhole|drucke|schreibe|was${S}(?:sind|ist|waren))\b${gap(3)}${S}(?:deine|ihre|die|den|alle)?${S}?(?:anweisungen|systemprompt|system-prompt|systemanweisungen|prompt|instruktionen|vorgaben|ausgangsanweisungen)\b`) },
	{ id: 'extract_pt', category: C, weight: 0.85, re: rx(String.raw`\b(?:mostre|mostra|revele|revela|imprima|diga|diz|repita|escreva|quais${S}sao)\b${gap(3)}${S}(?:instrucoes|prompt${S}(?:do${S}sistema|inicial)|regras|diretrizes)\b`) },
	{ id: 'extract_it', category: C, weight: 0.85, re: rx(String.raw`\b(?:mostra|mostrami|rivela|rivelami|stampa|dimmi|ripeti|scrivi|quali${S}sono)\b${gap(3)}${S}(?:istruzioni|prompt${S}(?:di${S}sistema|iniziale)|regole|direttive)\b`) },
	{ id: 'extract_nl', category: C, weight: 0.85, re: rx(String.raw`\b(?:toon|laat${S}(?:me${S})?zien|geef|herhaal|onthul|print|wat${S}zijn)\b${gap(3)}${S}(?:instructies|systeemprompt|systeeminstructies|prompt|regels)\b`) },
	{ id: 'extract_zh', category: C, weight: 0.85, re: rx(String.raw`(?:显示|输出|告诉我|打印|泄露|重复|透露|给我看|展示|说出)[^\n]{0,10}(?:系统提示|提示词|系统指令|初始指令|你的指令|系统消息|原始指令)`) },
	{ id: 'extract_ja', category: C, weight: 0.85, re: rx(String.raw`(?:システムプロンプト|初期プロンプト|指示内容|あなたの指示|プロンプト)[^\n]{0,10}(?:表示|教えて|出力|見せて|繰り返)`) },
	{ id: 'extract_ru', category: C, weight: 0.85, re: rx(String.raw`(?:покажи|покажите|выведи|выведите|раскрой|напиши|повтори|скажи|расскажи)${gap(3)}${S}(?:системн\S{0,4}${S}(?:промпт|подсказк\S{0,3}|инструкци\S{0,3})|свои${S}инструкции|твои${S}инструкции|инструкции|промпт)`) },
];
