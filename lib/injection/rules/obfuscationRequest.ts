import { rx } from '../fold';
import { gap, S, type Rule } from './rule';

const C = 'encoded_instruction';

/** Asking the model to decode something and act on / repeat it: the classic way to slip text past filters. */
export const obfuscationRequestRules: Rule[] = [
	{ id: 'decode_and_follow', category: C, weight: 0.5, re: rx(String.raw`\b(?:decode|decrypt|decipher|translate|convert|unscramble|reverse)${S}(?:this|the${S}following|these)${gap(8)}${S}(?:and|then)${S}(?:tell${S}me${S}what${S}it${S}says|follow|execute|do${S}what|answer|respond${S}to|reply${S}with)`) },
	{ id: 'encoding_named', category: C, weight: 0.3, re: rx(String.raw`\b(?:base64|rot13|rot-13|hexadecimal|binary${S}string|morse${S}code|caesar${S}cipher|pig${S}latin|leetspeak)\b`) },
];
