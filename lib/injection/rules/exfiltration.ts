import { rx } from '../fold';
import { gap, notNegated, S, type Rule } from './rule';

const C = 'exfiltration';
/** Words that name data from the conversation/context, as a query parameter value or placeholder. */
const DATA = String.raw`(?:data|conversation|chat|history|secret|password|passwd|token|api[_-]?key|key|email|summary|context|prompt|memory|session|cookie|credentials?|ssn|card|info|messages?|content|q|query|text|payload|user)`;

/** Sensitive data in ES/FR/DE/PT/IT/NL (personal data, credentials, staff/customer records). */
const DATA_MULTI = String.raw`(?:datos${S}(?:personales|bancarios|confidenciales|de${S}(?:los${S})?(?:empleados|clientes|usuarios|pacientes))|contrasenas?|credenciales|donnees${S}(?:personnelles|bancaires|confidentielles|des${S}(?:employes|clients|utilisateurs|patients))|mots${S}de${S}passe|identifiants|(?:personen|kunden|mitarbeiter|benutzer|bank)daten|personenbezogenen${S}daten|passworter|zugangsdaten|dados${S}(?:pessoais|bancarios|confidenciais|dos${S}(?:funcionarios|clientes|usuarios|pacientes))|senhas|credenciais|dati${S}(?:personali|bancari|riservati|dei${S}(?:dipendenti|clienti|utenti|pazienti))|credenziali|(?:persoons|klant|klanten|personeels|bank)gegevens|wachtwoorden|inloggegevens)`;
/** "Send / forward (them)" in the same six languages. */
const SEND_MULTI = String.raw`(?:envia(?:los|las|lo|la|r)?|reenvia(?:los|las|lo|la|r)?|manda(?:los|las|lo|la|r)?|envoie[sz]?(?:-les|-la|-le)?|envoyer|transfere[sz]?|transferer|transmets|transmettez|schicke?|sende|senden|leite|weiterleiten|envie(?:-os|-as|-o|-a)?|encaminhe|mande|invia(?:li|le|lo|la|re)?|inoltra(?:li|le|lo|la|re)?|stuur|verstuur|doorsturen|forward)`;

function queryLooksLikeData(t: string, s: number, e: number): boolean {
	const url = t.slice(s, e);
	const q = url.indexOf('?');
	if (q < 0) return false;
	const query = url.slice(q + 1);
	// Placeholders to be filled from context: {…}, [...], <...>, $VAR, %7B…%7D.
	if (/[{[<]|%7b|%5b|%3c|\$[a-z_]{2,}/i.test(query)) return true;
	// A long free-text value.
	if (/=[^&=]{60,}/.test(query)) return true;
	return false;
}

export const exfiltrationRules: Rule[] = [
	// Markdown images fetch automatically when rendered: with a data-looking query they leak context.
	{ id: 'markdown_image_query', category: C, weight: 0.7, re: rx(String.raw`!\[[^\]\[\n]{0,100}\]\(\s{0,3}https?://[^\s()\[\]]{1,400}\)`), accept: queryLooksLikeData },
	{ id: 'url_data_placeholder', category: C, weight: 0.6, re: rx(String.raw`https?://[^\s"'<>()?]{1,200}\?(?:[^\s"'<>()=&]{1,40}=[^\s"'<>()=&]{0,100}&){0,8}[^\s"'<>()=&]{1,40}=(?:\{|\[|<|%7b|%5b|\$)${DATA}`) },
	{ id: 'send_data_to', category: C, weight: 0.55, re: rx(String.raw`\b(?:send|forward|email|post|upload|transmit|leak|exfiltrate|append|include|encode|copy)\b${gap(6)}${S}(?:the${S})?(?:user'?s|their|all|his|her|any|your)?${S}?(?:password|passwords|credentials|api${S}keys?|secrets?|conversation|chat${S}history|contact${S}list|contacts|personal${S}(?:data|information|details)|private${S}(?:data|information)|credit${S}card|bank${S}details|session${S}token|access${S}token)\b${gap(6)}${S}(?:to|at|into|via)${S}(?:https?://|www\.|[a-z0-9._-]{1,40}@[a-z0-9-]{1,40}\.|this${S}(?:url|link|address|endpoint|email)|the${S}following${S}(?:url|link|address|endpoint))`) },
	{ id: 'user_data_request', category: C, weight: 0.45, re: rx(String.raw`\b(?:share|tell${S}me|give${S}me|reveal|send${S}me|what${S}is|what's|where${S}is|confirm)${S}(?:the${S})?(?:user'?s?|customer'?s?|their)${S}(?:current${S})?(?:email${S}address|home${S}address|address|location|password|phone${S}number|city${S}of${S}residence|bank${S}balance|credit${S}card|social${S}security|personal${S}(?:data|information))\b|\bwhere${S}(?:is|does)${S}the${S}user${S}(?:live|living|located|reside)`) },
	{ id: 'user_attribute', category: C, weight: 0.45, re: rx(String.raw`\b(?:the|a)${S}users?'?s?${S}(?:email|birth${S}?(?:date|day|year|month|place)|initials|password|passcode|home${S}address|address|phone|location|favou?rite${S}[a-z]{3,12}|age|full${S}name|ssn|social${S}security|credit${S}card|bank${S}(?:balance|account))\b`) },
	{ id: 'secret_write_request', category: C, weight: 0.5, accept: notNegated, re: rx(String.raw`\b(?:write|tell${S}me|reveal|spell|encode|translate|reverse|say|print|give${S}me|share|what${S}is|what's|acrostic|poem${S}about)\b[^\n.?!]{0,40}\b(?:the|your)${S}(?:password|passphrase|passcode|secret${S}(?:key|word|string|code)|confidential${S}string)\b`) },
	// "Retrieve the employees' data and send it to x@y.example", beyond English.
	{ id: 'send_data_to_address_multi', category: C, weight: 0.55, re: rx(String.raw`\b(?:${DATA_MULTI})\b[^\n]{0,120}?\b(?:${SEND_MULTI})\b(?:${S}[^\s]{1,24}){0,4}?${S}(?:a|an|à|para|per|naar|aan|to)${S}[a-z0-9._-]{1,40}@[a-z0-9-]{1,40}\.|\b(?:${SEND_MULTI})${S}(?:[^\s]{1,24}${S}){0,3}?(?:${DATA_MULTI})\b[^\n]{0,80}?${S}(?:a|an|à|para|per|naar|aan|to)${S}[a-z0-9._-]{1,40}@[a-z0-9-]{1,40}\.`) },
	{ id: 'visit_url_with_data', category: C, weight: 0.5, re: rx(String.raw`\b(?:visit|open|fetch|load|navigate${S}to|go${S}to|render|display)${S}(?:the${S}(?:url|link|image)${S})?https?://[^\s]{1,300}(?:\?|&)[a-z_]{1,20}=(?:\{|\[|<|%7b|\$)`) },
];
