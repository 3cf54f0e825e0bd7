import { rx } from '../fold';
import { gap, S, type Rule } from './rule';

const C = 'instruction_override';
const VERB = String.raw`(?:ignore|disregard|disregarding|forget|override|bypass|neglect|discard|abandon|skip|drop|erase|set${S}aside|pay${S}no${S}attention${S}to|do${S}not${S}follow|don'?t${S}follow|stop${S}following)`;
const QUAL = String.raw`(?:previous|previously|prior|above|earlier|preceding|former|original|initial|existing|system|developer|default|all|any|every|your|these|those|foregoing)`;
const OBJ = String.raw`(?:instructions?|instruction${S}set|rules|prompts?|directions|guidelines|directives?|commands|constraints|programming|guardrails|restrictions|safeguards|policies|context|guidance)`;

export const instructionOverrideRules: Rule[] = [
	{ id: 'override_en', category: C, weight: 0.92, re: rx(String.raw`\b${VERB}\b${gap(3)}${S}${QUAL}\b${gap(2)}${S}${OBJ}\b`) },
	{ id: 'override_en_short', category: C, weight: 0.85, re: rx(String.raw`\b${VERB}${S}(?:all${S}|everything${S}|anything${S})?(?:of${S})?(?:the${S})?(?:above|before${S}this|prior${S}to${S}this|that${S}came${S}before|you${S}(?:were|have${S}been)${S}(?:told|given|instructed))\b`) },
	{ id: 'override_strong_qual', category: C, weight: 0.85, re: rx(String.raw`\b${VERB}${S}(?:all${S}|any${S}|the${S})?(?:of${S}the${S})?(?:previous|prior|preceding|above|earlier|foregoing|former)${S}(?:orders|tasks|assignments|information|input|inputs|requests|statements|content|answers|responses)\b`) },
	{ id: 'override_de_ovs', category: C, weight: 0.85, re: rx(String.raw`\b(?:die${S}|alle${S})?(?:obigen|vorherigen|vorigen|vorangegangenen|bisherigen|fruheren)${S}[^\s]{1,24}${S}(?:ignorieren|vergessen|missachten)\b`) },
	{ id: 'override_other_langs', category: C, weight: 0.9, re: rx(String.raw`(?:이전|앞의|위의)[^\n]{0,10}(?:지시|명령|지침)[^\n]{0,10}무시|(?:निर्देशों|निर्देश)[^\n]{0,10}(?:अनदेखी|अनदेखा|नजरअंदाज)|αγνο\S{1,8}${S}(?:τις${S}|όλες${S}τις${S})?(?:προηγουμενες|παραπανω)${S}οδηγιες|игнорировать${S}(?:все${S})?(?:предыдущие|прежние)|(?:onceki|yukaridaki)${S}talimatlari${S}(?:yoksay|unut)`) },
	{ id: 'regardless_previous', category: C, weight: 0.8, re: rx(String.raw`\b(?:regardless${S}of|irrespective${S}of|instead${S}of|notwithstanding)${S}(?:the${S}|all${S}|any${S}|your${S})?(?:previous|prior|above|earlier|original)${S}(?:tasks?|instructions|rules|prompts?|directions|guidelines)\b`) },
	{ id: 'ignore_and_do', category: C, weight: 0.7, re: rx(String.raw`\b(?:ignore|disregard|forget)${S}(?:the|this|that|these|those|all|your)${S}(?:[a-z]{2,20}${S})?[a-z]{2,20}\s{0,3}(?:,|and|,${S}and)${S}(?:instead${S})?(?:just${S})?(?:state|say|output|respond|answer|write|tell|print|reply|return|claim|insist|declare)\b|\bignorez${S}(?:la|le|les|ce|cette)${S}[a-z]{2,20}${S}et${S}(?:indiquez|dites|ecrivez|repondez|affirmez)\b|\bignora${S}(?:la|el|los|las|esto)${S}[a-z]{2,20}${S}y${S}(?:di|escribe|responde|indica|afirma)\b|\bignoriere${S}(?:die|den|das)${S}[a-z]{2,20}${S}und${S}(?:sage|schreibe|antworte|gib)\b|無視して`) },
	{ id: 'forget_all_instructions_multi', category: C, weight: 0.85, re: rx(String.raw`\b(?:olvida|olvide|olviden|ignora|ignore|ignoren)${S}(?:todas${S}las|las|tus|sus)${S}(?:instrucciones|indicaciones|reglas)\b|\b(?:oubliez|oublie|ignorez|ignore)${S}(?:toutes${S}les|les|tes|vos)${S}(?:instructions|consignes|regles)\b|\b(?:vergiss|vergessen${S}sie|ignoriere|ignorieren${S}sie)${S}(?:alle|die|deine|ihre)${S}(?:anweisungen|instruktionen|regeln|befehle)\b|\babweichend${S}(?:zu|von)${S}(?:den${S})?(?:vorherigen|bisherigen|obigen)${S}(?:instruktionen|anweisungen)\b|\b(?:esqueca|esqueça|ignore)${S}(?:todas${S}as|as|suas)${S}(?:instrucoes|regras)\b|\b(?:dimentica|ignora)${S}(?:tutte${S}le|le|tue)${S}(?:istruzioni|regole)\b|\b(?:vergeet|negeer)${S}(?:alle|de|je)${S}(?:instructies|regels)\b`) },
	{ id: 'do_not_answer_but', category: C, weight: 0.6, re: rx(String.raw`\b(?:do${S}not|don't)${S}(?:answer|look${S}(?:in|at)|use|read|follow)\b[^\n]{0,40}\b(?:but|just|instead|only)${S}(?:just${S})?(?:output|say|write|print|respond|reply|type)\b`) },
	{ id: 'forget_everything', category: C, weight: 0.75, re: rx(String.raw`\b(?:forget|ignore|disregard)${S}(?:everything|all${S}(?:that|of${S}(?:this|that|the${S}above)))\b(?!${S}about)`) },
	{ id: 'new_instructions', category: C, weight: 0.7, re: rx(String.raw`(?:^|[\n.:!>\]])\s{0,5}(?:new|updated|revised|real|actual|true|secret|hidden|additional|important|urgent)${S}(?:instructions?|directives?|tasks?|orders|system${S}prompt)\s{0,3}(?::|-{1,3}|are${S}as${S}follows)`) },
	{ id: 'instead_do', category: C, weight: 0.35, re: rx(String.raw`\b(?:instead|rather)\s{0,3},?${S}(?:you${S}(?:must|should|will)|please)${S}(?:now${S})?[a-z]{2,20}`) },
	{ id: 'weak_ignore', category: C, weight: 0.3, re: rx(String.raw`\b(?:ignore|disregard)${S}(?:the|your|all|any)${S}(?:instructions|rules|guidelines|prompt)\b`) },
	// Spanish
	{ id: 'override_es', category: C, weight: 0.9, re: rx(String.raw`\b(?:ignora|ignore|ignorar|ignoren|olvida|olvide|olvidar|olviden|descarta|descarte|omite|omita|haz${S}caso${S}omiso${S}(?:de|a))\b${gap(3)}${S}(?:instrucciones|indicaciones|reglas|ordenes|directrices|todo|lo)${gap(1)}${S}?(?:anteriores|previas|precedentes|de${S}arriba|anterior|dicho)`) },
	// French
	{ id: 'override_fr', category: C, weight: 0.9, re: rx(String.raw`\b(?:ignore[rz]?|oublie[rz]?|oubliez|ne${S}tenez${S}pas${S}compte${S}des?|ne${S}tiens${S}pas${S}compte${S}des?|faites${S}abstraction${S}des?)\b${gap(3)}${S}(?:instructions|consignes|regles|directives|indications|ordres|tout)${gap(2)}${S}(?:precedentes|anterieures|ci-dessus|qui${S}precede|avant|auparavant|d'avant)`) },
	// German
	{ id: 'override_de', category: C, weight: 0.9, re: rx(String.raw`\b(?:ignorier(?:e|en|t)?|vergiss|vergesst|vergessen${S}sie|missachte(?:n|t)?|uberspring(?:e|en)?)\b${gap(3)}${S}(?:alle[ns]?|die${S})?(?:vorherigen|vorigen|bisherigen|obigen|fruheren|vorangegangenen|vorstehenden|alten|alles|anweisungen|befehle|regeln|instruktionen|vorgaben)\b`) },
	{ id: 'override_de_alles', category: C, weight: 0.8, re: rx(String.raw`\b(?:vergiss|vergesst|ignoriere|ignoriert)${S}(?:einfach${S})?(?:alles|das${S}alles|alle${S}auftrage)\b`) },
	// Portuguese
	{ id: 'override_pt', category: C, weight: 0.9, re: rx(String.raw`\b(?:ignore|ignora|ignorar|esqueca|esquece|esquecer|desconsidere|desconsidera|descarte)\b${gap(3)}${S}(?:instrucoes|regras|ordens|diretrizes|indicacoes|tudo)${gap(1)}${S}?(?:anteriores|previas|acima|antes|anterior)`) },
	// Italian
	{ id: 'override_it', category: C, weight: 0.9, re: rx(String.raw`\b(?:ignora|ignorate|ignorare|dimentica|dimenticate|dimenticare|trascura|tralascia)\b${gap(3)}${S}(?:istruzioni|regole|indicazioni|direttive|ordini|tutto)${gap(1)}${S}?(?:precedenti|sopra|prima|anteriori|finora)`) },
	// Dutch
	{ id: 'override_nl', category: C, weight: 0.9, re: rx(String.raw`\b(?:negeer|negeren|vergeet|vergeten)\b${gap(3)}${S}(?:vorige|eerdere|voorgaande|bovenstaande|alle|oude)?${S}?(?:instructies|regels|opdrachten|aanwijzingen|alles)\b`) },
	// Chinese
	{ id: 'override_zh', category: C, weight: 0.9, re: rx(String.raw`(?:忽略|无视|忽视|忘记|忘掉|不要理会|不要管|跳过|丢弃)[^\n]{0,12}(?:指令|指示|说明|规则|提示|命令|设定|要求|内容)`) },
	// Japanese
	{ id: 'override_ja', category: C, weight: 0.9, re: rx(String.raw`(?:指示|命令|ルール|プロンプト|設定|指令|内容)[^\n]{0,8}(?:無視|忘れ)`) },
	{ id: 'override_ja2', category: C, weight: 0.85, re: rx(String.raw`(?:以前|前|上記|これまで|今まで)の[^\n]{0,8}(?:無視|忘れ)`) },
	// Russian
	{ id: 'override_ru', category: C, weight: 0.9, re: rx(String.raw`(?:игнорировать|игнорируй|игнорируйте|проигнорируй|проигнорируйте|забудь|забудьте|не${S}обращай${S}внимания${S}на|отбрось|отмени)${gap(3)}${S}(?:предыдущие|прежние|все|всё|вышеуказанные|инструкции|указания|правила|команды)`) },
];
