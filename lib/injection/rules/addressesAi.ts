import { rx } from '../fold';
import { S, type Rule } from './rule';

const C = 'addresses_ai';
const AI = String.raw`(?:ai|a\.i\.|llm|chatbot|chat${S}bot|bot|assistant|ai${S}assistant|ai${S}agent|agent|language${S}model|large${S}language${S}model|gpt|chatgpt|claude|gemini|copilot|model|ai${S}model|automated${S}(?:system|agent|assistant))`;

export const addressesAiRules: Rule[] = [
	{ id: 'vocative_ai', category: C, weight: 0.5, re: rx(String.raw`(?:^|[\n.!?>])\s{0,5}(?:dear|hey|hi|hello|attention|note${S}to${S}(?:the${S})?|important${S}(?:note${S})?(?:for|to)${S}(?:the${S})?)?${S}?(?:ai|llm|chatbot|ai${S}assistant|ai${S}agent|language${S}model|chatgpt|gpt-?4?|claude|ai${S}model)\s{0,3},`) },
	{ id: 'if_you_are_ai', category: C, weight: 0.75, re: rx(String.raw`\bif${S}you${S}are${S}(?:an?${S})?${AI}\b|\bif${S}you'?re${S}(?:an?${S})?${AI}\b|\b(?:are${S}you${S}an?${S}ai${S}reading${S}this)`) },
	{ id: 'to_the_ai_reading', category: C, weight: 0.75, re: rx(String.raw`\b(?:to|for|attention|note${S}to)${S}(?:the|any|all|every)${S}${AI}s?${S}(?:that${S}(?:is|are)${S})?(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|handling|reviewing|viewing)\b`) },
	{ id: 'ai_instruction', category: C, weight: 0.45, re: rx(String.raw`\b(?:instructions?|message|note)${S}(?:for|to)${S}(?:the${S})?(?:ai|llm|assistant|chatbot|language${S}model|ai${S}assistant|agent|model)\b`) },
	{ id: 'addresses_ai_multi', category: C, weight: 0.6, re: rx(String.raw`\b(?:si${S}eres${S}una?${S}(?:ia|inteligencia${S}artificial|asistente|modelo)|si${S}vous${S}etes${S}une?${S}(?:ia|intelligence${S}artificielle|assistant|modele)|wenn${S}du${S}eine?${S}(?:ki|ai|sprachmodell|assistent)${S}bist|se${S}voce${S}(?:e|for)${S}uma?${S}(?:ia|inteligencia${S}artificial|assistente)|se${S}sei${S}una?${S}(?:ia|intelligenza${S}artificiale|assistente))\b|如果你是(?:一个)?(?:AI|ai|人工智能|语言模型|助手)|あなたが(?:AI|ai|言語モデル)なら`) },
];
