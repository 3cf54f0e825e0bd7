import { rx } from '../fold';
import { S, type Rule } from './rule';

const C = 'template_tokens';

export const templateTokenRules: Rule[] = [
	{ id: 'chat_special_token', category: C, weight: 0.85, re: rx(String.raw`<\|(?:im_start|im_end|system|user|assistant|endoftext|end_of_text|begin_of_text|start_header_id|end_header_id|eot_id|endofprompt)\|>`) },
	{ id: 'inst_tags', category: C, weight: 0.8, re: rx(String.raw`\[/?inst\]|<</?sys>>|<start_of_turn>|<end_of_turn>`) },
	{ id: 'markdown_role_header', category: C, weight: 0.6, re: rx(String.raw`(?:^|\n)\s{0,5}#{2,4}${S}?(?:system|instruction|instructions|assistant|human|user|response)\s{0,3}:?\s{0,3}(?:\n|$)|(?:^|\n)\s{0,5}#{2,4}${S}?(?:system|instruction)s?${S}?:`) },
	{ id: 'fake_role_line', category: C, weight: 0.4, re: rx(String.raw`(?:^|\n)\s{0,5}(?:system|assistant|ai|chatgpt|gpt)\s{0,3}:${S}?(?:you|from|ignore|new|the${S}user|i${S}will|sure|ok)`) },
	{ id: 'role_tags', category: C, weight: 0.55, re: rx(String.raw`<(?:system|system_prompt|sys|instructions?|admin|developer)>|(?:^|\s)\$system\b|\[(?:system|admin|developer)(?:${S}(?:message|note|prompt|override))?\]`) },
];
