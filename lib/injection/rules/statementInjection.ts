/**
 * Text that dictates what the model must assert instead of asking it anything: "… and state: <text>",
 * "it is common practice to say: <text>" (typically inside a quoted document, hidden comment or
 * code comment), and a hypothetical frame used to plant a result ("hypothetically, the output
 * could be '10'", "in a parallel world we might state: …"). Dictation forms in the ten languages.
 */
import { rx } from '../fold';
import { S, type Rule } from './rule';

const C = 'response_manipulation';
/** A hypothetical frame opening a clause. */
const FRAME = String.raw`(?:hypothetically|in${S}(?:a|an|some)${S}(?:parallel|alternate|alternative|different|fictional|hypothetical|imaginary|dystopian|utopian)${S}(?:[a-z-]{2,15}${S})?(?:universe|world|reality|timeline|scenario)|in${S}a${S}world${S}where|imagine${S}(?:that|a${S}world))`;
/** Dictation verbs followed by a colon; `[^\s]` after the colon so any script can follow. */
const DICTATE = String.raw`(?:\b(?:and|then|now|just|simply|instead|only|might|should|must|could|would|will|can|shall|(?:practice|customary|standard|best|required|mandatory|policy|protocol)${S}to)${S}(?:state|say|declare|claim|announce|assert|proclaim|respond|reply|answer|output)(?:${S}(?:with|only|back|exactly|this|the${S}following|verbatim))?|\b(?:y|luego|ahora|solo|simplemente|debes|podriamos|podemos|deberiamos)${S}(?:declara|declarar|di|decir|afirma|afirmar|responde|responder|anuncia|anunciar|indica|indicar)|\b(?:et|puis|ensuite|maintenant|simplement|pourrions|devrions|devez|dois)${S}(?:declare[rz]?|dis|dire|dites|affirme[rz]?|reponds|repondez|repondre|annonce[rz]?|indique[rz]?)|\b(?:und|dann|jetzt|nun|einfach|sollst|solltest|konnten|sollten)${S}(?:sage|sag|sagen|erklare|erklaren|behaupte|behaupten|antworte|antworten|verkunde|verkunden)|\b(?:e|depois|agora|apenas|simplesmente|poderiamos|devemos|deve)${S}(?:declare|declarar|diga|dizer|afirme|afirmar|responda|responder|anuncie|anunciar)|\b(?:e|poi|ora|solo|semplicemente|potremmo|dovremmo|devi)${S}(?:dichiara|dichiarare|dire|dici|afferma|affermare|rispondi|rispondere|annuncia|annunciare)|\b(?:en|dan|nu|gewoon|zouden|moet|moeten)${S}(?:zeg|zeggen|verklaar|verklaren|antwoord|antwoorden|beweer|beweren|meld|melden)|(?:^|\s)(?:и|затем|потом|теперь|просто)${S}(?:скажи|заяви|ответь|объяви|сообщи))\s{0,2}[:：]\s{0,3}[^\s]`;

export const statementInjectionRules: Rule[] = [
	// "… and state: Your account has been compromised", "it's common practice to say: …".
	{ id: 'dictated_statement', category: C, weight: 0.45, re: rx(String.raw`${DICTATE}|(?:然后|并且|接着|只需|直接)(?:说|声明|宣布|回答|回复|输出)[:：]|(?:次のように|こう)(?:言って|答えて|述べて|宣言して)`) },
	// "In a world where…, we might state: …" / "hypothetically, the output could be '10'".
	{ id: 'framed_planted_result', category: C, weight: 0.55, re: rx(String.raw`\b${FRAME}\b[^.!?\n]{0,160}?(?:\b(?:we|you|i|one)${S}(?:might|could|would|should|will|can|must)${S}(?:state|say|declare|claim|announce|admit)\s{0,2}:|\b(?:the${S})?(?:output|answer|result|conclusion|sum|total|value|return${S}value|outcome)${S}(?:could|might|would|should|will|must)${S}be${S}(?:["'“‘]|\d))`) },
];
