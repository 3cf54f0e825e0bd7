import { rx } from '../fold';
import { gap, S, type Rule } from './rule';

const C = 'mass_action';
const THINGS = String.raw`(?:records|files|emails|e-mails|messages|contacts|data|users|accounts|tickets|customers|databases?|documents|repos|repositories|entries|rows|tables|invoices|orders|leads|opportunities|deals|backups|logs|folders|projects|items|events|mail|inbox)`;

export const massActionRules: Rule[] = [
	{ id: 'delete_all', category: C, weight: 0.4, re: rx(String.raw`\b(?:delete|remove|erase|wipe|purge|drop|destroy|truncate)${S}(?:all|every|each|the${S}entire|the${S}whole|everything)${gap(2)}${S}?${THINGS}\b`) },
	{ id: 'send_to_all', category: C, weight: 0.4, re: rx(String.raw`\b(?:send|forward|email|message|share|post)\b${gap(5)}${S}to${S}(?:all|every|each|everyone${S}in)${S}(?:of${S})?(?:the${S}|my${S}|your${S}|their${S})?(?:contacts|users|customers|recipients|employees|addresses|subscribers|clients|colleagues|members|people${S}in|address${S}book|mailing${S}list)\b`) },
	{ id: 'update_every', category: C, weight: 0.45, re: rx(String.raw`\b(?:update|modify|change|close|cancel|refund|approve|reassign|overwrite|set|mark|disable|deactivate)${S}(?:all|every|each)${S}(?:of${S}the${S}|the${S})?(?:open${S}|existing${S}|active${S})?(?:records?|tickets?|accounts?|orders?|invoices?|customers?|users?|contacts?|opportunit(?:y|ies)|deals?|payments?|transactions?|entries|rows)\b`) },
	{ id: 'grant_access', category: C, weight: 0.45, re: rx(String.raw`\b(?:grant|give)${S}(?:full${S}|admin${S}|administrator${S}|owner${S})?(?:access|permissions?|privileges?|admin${S}rights)${S}to\b${gap(4)}${S}?(?:@|[a-z0-9._-]{1,40}@)`) },
];
