import { rx } from '../fold';
import { S, type Rule } from './rule';

const C = 'tool_call';

export const toolCallRules: Rule[] = [
	{ id: 'json_function_call', category: C, weight: 0.6, re: rx(String.raw`"(?:name|tool|function|tool_name|action)"\s{0,5}:\s{0,5}"[^"\n]{1,60}"\s{0,5},\s{0,5}"(?:arguments|parameters|args|input|action_input)"\s{0,5}:`) },
	{ id: 'json_tool_key', category: C, weight: 0.55, re: rx(String.raw`"(?:function_call|tool_calls?|tool_use|tool_code|functioncall)"\s{0,5}:`) },
	{ id: 'call_the_tool', category: C, weight: 0.45, re: rx(String.raw`\b(?:call|invoke|use|run|execute|trigger)${S}(?:the${S})?[a-z_.-]{0,30}${S}?(?:tool|function|api|plugin|action|endpoint|webhook)\b${S}(?:with|to|and|using|passing)\b`) },
	{ id: 'code_exec', category: C, weight: 0.45, re: rx(String.raw`\b(?:execute|run|eval)${S}(?:the${S}following|this)${S}(?:code|command|script|shell|python|sql|query)\b|\bos\.system\(|\bsubprocess\.|\brm${S}-rf${S}/|\bexec\(|\beval\(`) },
];
