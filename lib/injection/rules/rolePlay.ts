/**
 * Role-play and persona set-ups: replacing the model's identity, asking it to stay in a role,
 * trigger-word protocols ("until I say…", "if you understood, reply…"), "X mode" switches,
 * jailbreak-template placeholders and unfinished scripts that the model is meant to complete.
 * Most of these are weak alone (benign prompts role-play too); they add up with other evidence.
 */
import { rx } from '../fold';
import { S, type Rule } from './rule';

const C = 'new_task_or_persona';
const AI_NOUN = String.raw`(?:an?${S})?(?:chatgpt|gpt|ai|a\.i\.|assistant|ai${S}assistant|language${S}model|ai${S}language${S}model|chatbot|bot|claude|bard|bing|gemini|llama|copilot|model)`;

/** An unfinished dialogue: the text ends with a bare "Name:" line after a "Name: text" line. */
function findScriptCompletion(text: string): Array<[number, number]> {
	let e = text.length;
	while (e > 0 && /\s/.test(text[e - 1])) e--;
	if (e < 2 || text.charCodeAt(e - 1) !== 0x3a) return [];
	let s = e - 1;
	const minS = Math.max(0, e - 40);
	while (s > minS && text.charCodeAt(s - 1) !== 0x0a) s--;
	const speaker = text.slice(s, e);
	if (!/^\s{0,4}[A-Z][A-Za-z]{1,20}(?: [A-Z][A-Za-z]{1,20})?:$/.test(speaker) || s === 0) return [];
	// The previous non-empty line is a dialogue turn of another speaker.
	const before = text.slice(Math.max(0, s - 400), s).trimEnd();
	const nl = before.lastIndexOf('\n');
	const prev = before.slice(nl + 1);
	const m = /^\s{0,4}([A-Z][A-Za-z]{1,20}(?: [A-Z][A-Za-z]{1,20})?):\s\S/.exec(prev);
	if (m === null || m[1] === speaker.trim().slice(0, -1)) return [];
	return [[s, e]];
}

export const rolePlayRules: Rule[] = [
	// "You are no longer ChatGPT", in the ten languages.
	{ id: 'identity_replace', category: C, weight: 0.55, re: rx(String.raw`\byou(?:${S}are|'re)${S}no${S}longer${S}${AI_NOUN}\b|\bdu${S}bist${S}(?:nicht${S}mehr|kein(?:e)?)${S}(?:chatgpt|eine?${S}ki|ein${S}(?:assistent|sprachmodell|chatbot))\b|\bya${S}no${S}eres${S}(?:chatgpt|una?${S}(?:ia|asistente|modelo|chatbot))\b|\b(?:tu${S}n'es|vous${S}n'etes)${S}plus${S}(?:chatgpt|une?${S}(?:ia|assistant|modele|chatbot))\b|\b(?:voce${S}nao${S}e${S}mais|ja${S}nao${S}es)${S}(?:o${S})?(?:chatgpt|uma?${S}(?:ia|assistente|modelo|chatbot))\b|\bnon${S}sei${S}piu${S}(?:chatgpt|un(?:'|${S})(?:ia|assistente|intelligenza|modello|chatbot))\b|\bje${S}bent${S}(?:niet${S}langer|geen)${S}(?:chatgpt|een${S}(?:ai|assistent|taalmodel|chatbot))\b|你不再是|你已经不是|あなたはもう(?:AI|ai|アシスタント|チャットボット|chatgpt)では|ты${S}больше${S}не${S}(?:ии|ассистент|chatgpt|языковая${S}модель|бот)`) },
	// "You are now Tom", "You're a character named Rex": a named persona replaces the assistant.
	{ id: 'named_persona', category: C, weight: 0.45, original: true, re: /\b[Yy]ou(?: are|'re|’re) now (?:called |named |known as )?["'“]?[A-Z][A-Za-z0-9]{1,20}(?!\w)|\b[Yy]ou(?: are|'re|’re) (?:an? )?(?:person|character|man|woman|girl|guy|AI|bot|chatbot|entity|being) (?:named|called) ["'“]?[A-Z]/g, accept: (t, s, e) => !/\b(?:now (?:Subscribed|Registered|Enrolled|Connected|Logged|Signed|Unsubscribed|Ready|Able|Eligible|Verified|Confirmed|Invited|Added|Following|Part|Free|On|In|At))\b/.test(t.slice(s, e + 2)) },
	// "Take up the persona of…", "Transform into…", "personify…".
	{ id: 'adopt_persona', category: C, weight: 0.45, re: rx(String.raw`\b(?:take${S}up|embody|inhabit|step${S}into|slip${S}into)${S}(?:the${S})?(?:persona|role|character|identity|personality)${S}of\b|\bpersonify${S}(?:a|an|the)\b|\byou${S}are${S}to${S}(?:act|pretend|roleplay|role-play|behave|simulate|emulate|impersonate)\b|\b(?:transform|turn)${S}(?:yourself${S})?into${S}(?:a|an)?\s{0,5}[a-z]{2,20}\s{0,5},${S}(?:a|an|the)\b|\b(?:respond|reply|answer|talk|speak|write|act|behave)${S}like${S}(?:you${S}are|you'?re|you${S}were|your)\b`) },
	// Role-play requests in the other nine languages.
	{ id: 'roleplay_multi', category: C, weight: 0.35, re: rx(String.raw`\b(?:actua|actue|comportate|finge${S}(?:ser|que)|hazte${S}pasar${S}por|interpreta${S}el${S}papel${S}de|juega${S}el${S}papel${S}de)\b|\b(?:agis|agissez|comporte-toi|comportez-vous|fais${S}semblant|faites${S}semblant|joue${S}le${S}role|jouez${S}le${S}role|incarne|incarnez)\b|\b(?:tu${S}so,?${S}als${S}(?:ob|w[aä]rst)|verhalte${S}dich${S}wie|spiel${S}die${S}rolle|spiele${S}die${S}rolle|schlupfe${S}in${S}die${S}rolle|agiere${S}als|fungiere${S}als)\b|\b(?:aja${S}como|finja${S}(?:ser|que)|comporte-se${S}como|interprete${S}o${S}papel)\b|\b(?:comportati${S}come|fingi${S}di${S}essere|fai${S}finta${S}di|interpreta${S}il${S}ruolo|agisci${S}come)\b|\b(?:doe${S}alsof|gedraag${S}je${S}als|speel${S}de${S}rol|doe${S}je${S}voor${S}als)\b|扮演|假装你是|假设你是|になりきって|のふりをして|役を演じ|として振る舞|притворись|представь,?${S}что${S}ты|веди${S}себя${S}как|(?:сыграй|играй)${S}роль`) },
	// "The actors never fall out of their roles": a fiction wrapper that must not be left.
	{ id: 'stay_in_role', category: C, weight: 0.45, re: rx(String.raw`\b(?:stay|stays|staying|remain|remains|keep|keeps|always${S}stay)${S}(?:fully${S}|always${S}|completely${S}|firmly${S})?in${S}(?:their|his|her|your|the|its)${S}(?:roles?|characters?|personas?)\b|\b(?:fall|falls|falling|step|steps|stepping|drop|dropping|slip|slipping|get|getting)${S}out${S}of${S}(?:their${S}|his${S}|her${S}|your${S}|the${S}|its${S})?(?:roles?|characters?|personas?|figure)\b|\bin${S}(?:ihren|ihrer|seiner|deiner|der)${S}rollen?${S}(?:zu${S})?bleib|\b(?:bleib|bleibt|bleiben)${S}(?:[a-z]{2,12}${S}){0,3}in${S}(?:ihren|ihrer|seiner|deiner|der)${S}rollen?\b|\baus${S}(?:der|ihrer|seiner|deiner)${S}(?:rolle|figur)${S}(?:zu${S})?fall|\b(?:mantente|permanece|quedate)${S}en${S}(?:tu|el|su)${S}(?:personaje|papel)\b|\bsal(?:ir|gas|en|e)${S}de(?:l|${S}su|${S}tu)?${S}(?:personaje|papel)\b|\b(?:reste|restez|rester)${S}dans${S}(?:ton|votre|son|leur|le)${S}(?:role|personnage)\b|\bsortir${S}de${S}(?:son|leur|ton|votre)${S}(?:role|personnage)\b|\b(?:fique|permaneca|mantenha-se)${S}no${S}(?:personagem|papel)\b|\bsair${S}do${S}(?:personagem|papel)\b|\b(?:resta|rimani)${S}nel${S}(?:personaggio|ruolo)\b|\buscire${S}dal${S}(?:personaggio|ruolo)\b|\b(?:blijf|blijven)${S}in${S}(?:je|jouw|hun|de)${S}rol\b|\buit${S}(?:je|jouw|hun|de)${S}rol${S}(?:te${S})?vallen\b|保持角色|不要脱离角色|不要出戏|役を崩さ|キャラクターを崩さ|(?:оставайся${S}в|не${S}выходи${S}из)${S}(?:роли|образа)`) },
	// "A and B are two actors in a film…": a fiction wrapper (adds up with "never leave the role").
	{ id: 'fiction_wrapper', category: C, weight: 0.3, re: rx(String.raw`\b(?:are|is)${S}(?:two${S}|both${S})?(?:excellent${S}|good${S}|great${S}|professional${S}|famous${S})?(?:actors|characters${S}in${S}a${S}(?:film|movie|play|story)|people${S}(?:who${S}are${S})?acting)\b|\b(?:play|plays|playing)${S}the${S}(?:leading|main|lead)${S}roles?\b|\bsind${S}(?:zwei${S})?(?:hervorragende${S}|gute${S})?(?:schauspieler|personen,?${S}die${S}in${S}einem${S}film)\b|\bspielen${S}die${S}hauptrollen?\b|\bson${S}(?:dos${S})?(?:actores|personajes${S}de${S}una${S}pelicula)\b|\bsont${S}(?:deux${S})?(?:acteurs|personnages${S}d'un${S}film)\b|\bsao${S}(?:dois${S})?(?:atores|personagens${S}de${S}um${S}filme)\b|\bsono${S}(?:due${S})?(?:attori|personaggi${S}di${S}un${S}film)\b|\bzijn${S}(?:twee${S})?(?:acteurs|personages${S}in${S}een${S}film)\b|是(?:两个|两位)?(?:演员|电影中的角色)|は(?:二人の)?俳優|(?:являются${S})?(?:двумя${S})?актерами`) },
	// A directive shouted in capitals in the middle of an ordinary sentence ("…der alte ANSWER LIKE A PIRATE ein…").
	{ id: 'shouted_directive', category: C, weight: 0.5, original: true, re: /[a-zäöüßéèàç,;:] (?:ANSWER|RESPOND|REPLY|ANTWORTE|ANTWORTEN SIE|RESPONDE|RÉPONDS|RÉPONDEZ|RISPONDI|ANTWOORD|YOU ARE|YOU'RE|DU BIST|SIE SIND|TU ES|VOUS ÊTES|ERES|VOCÊ É|JE BENT|IGNORE|IGNORIERE|FORGET|VERGISS|OLVIDA|OUBLIE|DIMENTICA|ESQUEÇA|VERGEET)(?: [A-ZÄÖÜÉÈÀÇÊ]{2,15}){2,}/g },
	// The text ends on an open dialogue turn: the model is meant to speak the character's lines.
	{ id: 'script_completion', category: C, weight: 0.3, original: true, find: findScriptCompletion },
	// Trigger protocols: "until I say STOP", "if you understood, answer 'OK'".
	{ id: 'trigger_protocol', category: C, weight: 0.3, re: rx(String.raw`\b(?:until|unless|till)${S}i${S}(?:say|type|tell${S}you)\b|\bwhen${S}i${S}say${S}["'“]|\bif${S}you${S}(?:have${S})?(?:understood|understand)\b[^\n]{0,20}\b(?:say|reply|respond|answer|type|write|start|begin)\b|\b(?:say|reply|respond|answer|type)${S}(?:with${S})?["'“][^"'”\n]{1,40}["'”]${S}(?:if${S}you${S}(?:have${S})?(?:understood|understand|agree)|to${S}confirm)\b`) },
	// "Enable X mode", "SIMULATE_MODE: ENABLED".
	{ id: 'mode_switch', category: C, weight: 0.35, re: rx(String.raw`\b(?:enable|activate|enter|simulate|switch${S}(?:in)?to|turn${S}on|engage|unlock|initiate)${S}(?:the${S})?(?:[a-z0-9/-]{2,20}${S}){1,4}mode\b|\b[a-z]{2,20}_mode\s{0,3}[:=]\s{0,3}(?:enabled|on|true|activated|1)\b|\bmode${S}(?:enabled|activated|unlocked|engaged)\b`) },
	// Jailbreak templates leave a slot for the real request.
	{ id: 'prompt_placeholder', category: C, weight: 0.35, re: rx(String.raw`[\[{<(]\s{0,2}(?:insert|your|enter|put|add|type|write)${S}(?:[a-z]{1,15}${S}){0,2}(?:prompt|question|request|query)(?:${S}here)?\s{0,2}[\]}>)]|\[(?:prompt|your${S}prompt|user${S}prompt)\]|\{prompt\}`) },
	// "Respond to all my questions as Rex", "answer every prompt as…".
	{ id: 'respond_as_persona', category: C, weight: 0.45, re: rx(String.raw`\b(?:respond|reply|answer)${S}(?:to${S})?(?:all|every|each|any)${S}(?:of${S})?(?:my${S}|the${S}|your${S}|future${S}|further${S})?(?:questions|prompts|messages|requests|queries|inputs|question|prompt|message)${S}(?:as|like|in${S}the${S}(?:voice|style|character|persona)${S}of)\b|\b(?:i'?d${S}like|i${S}would${S}like|i${S}need)${S}you${S}to${S}(?:pretend|roleplay|role-play|impersonate|simulate|emulate|become)\b`) },
	// Two personas in one answer ("create two separate personas", "simulate two AIs").
	{ id: 'dual_persona', category: C, weight: 0.35, re: rx(String.raw`\b(?:two|2|both|three)${S}(?:separate${S}|different${S}|distinct${S}|fictional${S}|opposing${S}|hypothetical${S})?(?:personas|entities|ai${S}models|ais|chatbots|personalities|alter${S}egos)\b|\bsimulate${S}(?:a${S})?(?:conversation|dialogue|chat)${S}between\b`) },
];
