/**
 * The sandbox model: a tiny OpenAI-compatible endpoint, so the templates' AI Agent runs with no
 * OpenAI account. It is not a language model: it reads the last user message (the ticket, lead or
 * invoice a template hands the agent), decides with a few plain rules, and answers in the shape
 * the caller asked for. Same request, same answer.
 *
 *   POST /v1/chat/completions   (stream or not; tools, tool_choice, response_format)
 *   POST /v1/responses          (the Responses API, which n8n's OpenAI Chat Model 1.3 uses by default)
 *   GET  /v1/models             (what n8n's model list and credential test read)
 *
 * What it answers:
 * - When the request offers n8n's `format_final_json_response` tool (the AI Agent does this when a
 *   Structured Output Parser is attached), a call of that tool whose arguments fit the tool's JSON
 *   Schema: the parser's schema wrapped in `{ output: … }`.
 * - When tool_choice names a function (or is "required"), a call of it, arguments fitted the same way.
 * - When the request offers other tools (tool_choice auto or absent) and one of them reads a ticket
 *   (name or description: get/read/fetch/look up … ticket) or changes one (update/change/write/set), it acts
 *   as a chat agent, template 6's "Get ticket" / "Update ticket" (n8n names them Get_ticket and
 *   Update_ticket; behind Human review n8n wraps the parameters in `{ toolParameters, hitlParameters }`):
 *   1. The user's message names a ticket ("#5101", "ticket 5101", or a bare number) and asks for a
 *      change (priority urgent/high/normal/low; status open/pending/hold/solved, "close it", "reopen";
 *      "tag(s) X, Y"; "reply/tell the customer …" or a quoted comment, a public reply, or an internal
 *      note): first a call of the read tool with the ticket id (unless the conversation already
 *      holds its result), then a call of the change tool with `ticketId`, `fields` (only what was
 *      asked and differs from the ticket; tags are added to the ticket's own) and a one-line
 *      `reason`, fitted to the tool's schema (`fields` a JSON string where the schema says string).
 *      Without a read tool, straight to the change.
 *   2. A question about a ticket ("what's the status of 5101?"): the read call, then a one-line
 *      summary (subject, status, priority, tags).
 *   3. After the change tool's result, in the same turn: a final text, written (the changes), refused
 *      by policy (the reasons), or not approved by the reviewer ("… I did not retry"). The change tool
 *      is never called again in that turn, nor later for the same change after a rejection.
 *   4. Only the user's message says what to change: text in tool results is data (an injection in a
 *      ticket is pointed out in the summary, never followed).
 *   5. No ticket number: a short helpful text (or, when a change was asked, which ticket?).
 *   With the format tool also offered, that final text goes through it.
 * - Otherwise a final message whose content is JSON: fitted to response_format's json_schema, or to
 *   a JSON Schema block found in the messages (LangChain's format instructions), else the proposed
 *   action in DESIGN.md's shape `{ system, object, operation, recordId, fields, reason }`.
 *
 * The proposal is data driven: a Zendesk ticket gets a priority and tags from its subject and
 * description and a reply draft (never a refund or a date); a Salesforce lead a Status and Rating
 * from its title, source and description; a QuickBooks invoice a reminder note when it is overdue,
 * else "none". Instructions written inside the data are never followed; an injection attempt is
 * tagged for a human instead.
 */
import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SANDBOX_MODEL_ID = 'sandbox-agent';
/** Listed too, so a template that names this model shows a known model in n8n's model list. */
const LISTED_MODELS = [SANDBOX_MODEL_ID, 'gpt-4o-mini'];
const FORMAT_TOOL = 'format_final_json_response';
const MAX_BODY_BYTES = 4 * 1024 * 1024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
interface Schema {
	type?: string | string[];
	properties?: Record<string, Schema>;
	required?: string[];
	items?: Schema;
	enum?: Json[];
	const?: Json;
	anyOf?: Schema[];
	oneOf?: Schema[];
	allOf?: Schema[];
	$ref?: string;
	additionalProperties?: boolean | Schema;
	description?: string;
	default?: Json;
	[key: string]: unknown;
}

export interface ChatMessage {
	role: string;
	content?: unknown;
	tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: string } }>;
	tool_call_id?: string;
	name?: string;
}

interface ToolDefinition {
	name: string;
	description?: string;
	parameters?: Schema;
}

export interface ModelRequestLog {
	at: string;
	path: string;
	model: string;
	stream: boolean;
	tools: string[];
	answer: { toolCall?: { name: string; arguments: unknown }; content?: string };
	/** The request body as received. */
	body: Record<string, unknown>;
}

/** What the model decided for one request, independent of the wire format. */
export interface ModelAnswer {
	toolCall?: { id: string; name: string; arguments: string };
	content?: string;
	usage: { prompt: number; completion: number };
}

// ------------------------------------------------------------------------------------------------
// Reading the request

function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) {
		return content
			.map((part) => {
				if (typeof part === 'string') return part;
				if (part && typeof part === 'object') {
					const p = part as Record<string, unknown>;
					if (typeof p.text === 'string') return p.text;
					if (typeof p.input_text === 'string') return p.input_text;
				}
				return '';
			})
			.join('\n');
	}
	return '';
}

const SPOTLIGHT_MARK = /<<(?:END-)?DATA-[^>\s]*>>\n?/g;

function unmark(text: string): string {
	return text.replace(SPOTLIGHT_MARK, '').trim();
}

/** Every JSON object written in the text (balanced braces), parsed, largest first. */
function jsonObjectsIn(text: string): JsonObject[] {
	const found: Array<{ value: JsonObject; size: number }> = [];
	for (let start = text.indexOf('{'); start !== -1 && found.length < 20; start = text.indexOf('{', start + 1)) {
		let depth = 0;
		let inString = false;
		for (let i = start; i < text.length; i++) {
			const c = text[i];
			if (inString) {
				if (c === '\\') i++;
				else if (c === '"') inString = false;
			} else if (c === '"') inString = true;
			else if (c === '{') depth++;
			else if (c === '}' && --depth === 0) {
				try {
					const value = JSON.parse(text.slice(start, i + 1)) as Json;
					if (value && typeof value === 'object' && !Array.isArray(value)) found.push({ value, size: i + 1 - start });
				} catch {
					// not JSON
				}
				break;
			}
		}
	}
	return found.sort((a, b) => b.size - a.size).map((f) => f.value);
}

/** The record the prompt shows: its JSON merged with `Name value` pairs written around it; spotlight marks removed. */
function recordFrom(text: string): Record<string, string> {
	const record: Record<string, string> = {};
	const put = (key: string, value: unknown): void => {
		if (value === null || value === undefined || key in record) return;
		record[key] = typeof value === 'object' ? (Array.isArray(value) ? value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ') : JSON.stringify(value)) : unmark(String(value));
	};
	for (const object of jsonObjectsIn(text)) {
		for (const [k, v] of Object.entries(object)) {
			// References and wrappers count as what a person reads: QuickBooks `{ value, name }` refs as the
			// name, memos `{ value }` as the value, e-mails `{ Address }` as the address.
			const o = v && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined;
			put(k, o ? (o.name ?? o.value ?? o.Address ?? o) : v);
		}
	}
	return record;
}

function find(text: string, pattern: RegExp): string | undefined {
	return pattern.exec(text)?.[1]?.trim();
}

// ------------------------------------------------------------------------------------------------
// Deciding (the "facts" a proposal is built from, by field name)

type Facts = Record<string, unknown>;

const INJECTION = /ignore (?:all |any )?(?:the )?(?:previous|prior|above) (?:instructions|rules)|you are now (?:in )?\w+ mode|system (?:note|prompt|message) to the (?:ai|assistant|model)|disregard (?:your|the) (?:instructions|rules)/i;

function words(text: string): string {
	return text.toLowerCase();
}

function firstName(description: string): string | undefined {
	const signed = /(?:regards|thanks|thank you|cheers|best)[,!.]?\s+([A-Z][a-z]{1,20})\b/.exec(description) ?? /\n\s*([A-Z][a-z]{1,20})\s*$/.exec(description);
	return signed?.[1];
}

function sentence(text: string, max = 110): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	const first = /^(.*?[.!?])(\s|$)/.exec(flat)?.[1] ?? flat;
	return first.length > max ? `${first.slice(0, max - 1).trimEnd()}…` : first;
}

function zendeskFacts(user: string): Facts {
	const record = recordFrom(user);
	const id = find(user, /\bticket\s+#?(\d+)/i) ?? record.id ?? record.ticketId ?? '';
	const subject = record.subject ?? find(user, /subject[:\s]+"?([^"\n]+)/i) ?? '';
	const description = record.description ?? record.body ?? '';
	const existingTags = (record.tags ?? find(user, /\btags\s+([^)\n]*)/i) ?? '')
		.split(/[,\s]+/)
		.map((t) => t.trim().toLowerCase())
		.filter((t) => /^[a-z0-9][a-z0-9_-]*$/.test(t));
	const injected = INJECTION.test(`${subject}\n${description}`);
	// Judge the ticket on what the customer reports, not on instructions written into it.
	const reported = words(`${subject}\n${injected ? description.split(INJECTION)[0] : description}`);
	const tags: string[] = [];
	let priority = 'normal';
	let topic = 'general';
	const rules: Array<{ test: RegExp; topic: string; tags: string[]; priority: string }> = [
		{ test: /damag|crack|broken on arrival|arrived (?:broken|damaged)|dent/, topic: 'damaged', tags: ['shipping', 'damaged-in-transit'], priority: 'high' },
		{ test: /invoice|billing|charged|overcharg|refund|payment|credit note/, topic: 'billing', tags: ['billing'], priority: 'normal' },
		{ test: /firmware|software update|update (?:stuck|fail)|version \d/, topic: 'firmware', tags: ['firmware'], priority: 'normal' },
		{ test: /drop|fault|error|stuck|not working|fails?\b|failure|stopp|jam|overheat|keeps/, topic: 'incident', tags: ['hardware', 'incident'], priority: 'high' },
		{ test: /training|onboarding|how (?:do|can) (?:i|we)|do you offer|question/, topic: 'question', tags: ['question'], priority: 'low' },
	];
	const rule = rules.find((r) => r.test.test(reported));
	if (rule) {
		tags.push(...rule.tags);
		priority = rule.priority;
		topic = rule.topic;
	}
	if (/training/.test(reported)) tags.push('training');
	if (/\burgent|asap|production (?:is )?(?:down|stopped)|all (?:robots|units) (?:down|stopped)|safety|injur/.test(reported)) priority = 'urgent';
	if (/nothing urgent|not urgent|no rush|still run/.test(reported) && priority !== 'urgent') priority = topic === 'incident' ? 'normal' : 'low';
	if (injected) tags.push('needs-human-review', 'possible-prompt-injection');
	const finalTags = [...new Set([...existingTags, ...tags])];
	const name = firstName(description);
	const openers: Record<string, string> = {
		damaged: "I'm sorry the delivery arrived damaged. Our logistics team is reviewing your report and will contact you about the next steps.",
		billing: 'Our billing team is checking the invoice against your service records and will get back to you.',
		firmware: 'Our firmware team is looking into why the update does not complete.',
		incident: 'A support engineer is reviewing the unit and its logs now.',
		question: "I'm checking what we can offer and will come back to you with the options.",
		general: 'We are looking into it and will get back to you.',
	};
	const replyDraft = `Hi ${name ?? 'there'},\n\nthank you for contacting Acme Robotics support about "${subject || `ticket ${id}`}". ${openers[topic]}\n\nBest regards,\nAcme Robotics Support`;
	const labels: Record<string, string> = { damaged: 'Damaged delivery', billing: 'Billing question', firmware: 'Firmware problem', incident: 'Hardware incident', question: 'Question', general: 'Request' };
	const why = `${labels[topic]}: ${sentence(subject || description) || `ticket ${id}`}`;
	const reason = injected ? `${why}. The description contains instructions aimed at the AI (not followed); flagged for a human.` : `${why}. Priority ${priority}.`;
	return {
		system: 'zendesk',
		object: 'ticket',
		operation: 'update',
		recordId: String(id),
		ticketId: Number(id) || id,
		id: Number(id) || id,
		priority,
		tags: finalTags,
		replyDraft,
		reply: replyDraft,
		comment: { body: replyDraft, public: false },
		fields: { priority, tags: finalTags, comment: { body: replyDraft, public: false } },
		reason,
		summary: reason,
	};
}

function salesforceFacts(user: string): Facts {
	const record = recordFrom(user);
	const id = find(user, /\blead\s*id[:\s]+([A-Za-z0-9]{15,18})/i) ?? record.Id ?? find(user, /\b(00Q[A-Za-z0-9]{12,15})\b/) ?? '';
	const description = record.Description ?? '';
	const title = record.Title ?? '';
	const company = record.Company ?? 'the company';
	const source = record.LeadSource ?? '';
	const status = record.Status ?? '';
	const text = words(`${description} ${title}`);
	const buying = /quote|pricing|budget (?:is )?approved|demo booked|\broi\b|purchase|order|proposal|trial/.test(text);
	const senior = /\b(?:ceo|coo|cfo|cto|chief|vp|vice president|head|director|owner|founder)\b/.test(words(title));
	const interest = /interest|evaluat|looking|asked|wants|referr/.test(text) || /referral|trade show|partner/i.test(source);
	const name = [record.FirstName, record.LastName].filter(Boolean).join(' ') || record.Name || 'The lead';
	const who = title ? `${name} (${title}, ${company})` : `${name} of ${company}`;
	if (/^closed/i.test(status)) {
		return { system: 'salesforce', object: 'Lead', operation: 'none', recordId: id, fields: {}, reason: `${who} is already closed (${status}); nothing to change.` };
	}
	let rating: string;
	let reason: string;
	if (buying && (senior || interest || description !== '')) {
		rating = 'Hot';
		reason = `${who}: ${sentence(description)} Clear buying signal.`;
	} else if (buying || senior || interest) {
		rating = 'Warm';
		reason = `${who}${description ? `: ${sentence(description)}` : ''} ${senior ? 'Senior contact' : 'Some interest'}${source ? ` via ${source}` : ''}, no concrete request yet.`;
	} else {
		rating = 'Cold';
		reason = `${who}: no title, description or buying signal${source ? ` (source ${source})` : ''}; keep in the nurture list.`;
	}
	const fields: Record<string, string> = rating === 'Cold' ? { Rating: rating } : { Status: 'Working - Contacted', Rating: rating };
	return { system: 'salesforce', object: 'Lead', operation: 'update', recordId: id, id, fields, Status: fields.Status, Rating: rating, reason: reason.replace(/\s+/g, ' ').trim() };
}

function quickbooksFacts(user: string, today: string): Facts {
	const record = recordFrom(user);
	const id = find(user, /\binvoice\s+id\s+(\d+)/i) ?? record.Id ?? '';
	const balance = Number(find(user, /\bbalance\s+\$?(-?[\d.]+)/i) ?? record.Balance ?? 0);
	const due = find(user, /\bdue\s+(\d{4}-\d{2}-\d{2})/i) ?? record.DueDate ?? '';
	const doc = record.DocNumber ? `#${record.DocNumber}` : `Id ${id}`;
	const customer = record.CustomerRef ?? record.Customer ?? 'the customer';
	const email = record.BillEmail ?? '';
	const none = (reason: string): Facts => ({ system: 'quickbooks', object: 'Invoice', operation: 'none', recordId: String(id), fields: {}, reason });
	if (!(balance > 0)) return none(`Invoice ${doc} is paid (balance $${balance}); no follow-up.`);
	if (!due) return none(`Invoice ${doc} has no due date; nothing to chase.`);
	const days = Math.round((Date.parse(today) - Date.parse(due)) / 86_400_000);
	if (days <= 0) return none(`Invoice ${doc} is not due yet (due ${due}, in ${-days} days).`);
	const note = `Payment reminder ${today}: $${balance.toFixed(2)} overdue ${days} days (due ${due}); reminder to ${customer}${email ? ` at ${email}` : ''}.`;
	const existing = record.PrivateNote ?? '';
	const privateNote = existing ? `${existing} | ${note}` : note;
	return {
		system: 'quickbooks',
		object: 'Invoice',
		operation: 'update',
		recordId: String(id),
		id: String(id),
		fields: { PrivateNote: privateNote },
		PrivateNote: privateNote,
		reason: `Invoice ${doc} for ${customer} is ${days} days overdue with $${balance.toFixed(2)} open: log a payment reminder.`,
	};
}

type Domain = 'zendesk' | 'salesforce' | 'quickbooks' | 'unknown';

function domainOf(user: string, system: string, schema?: Schema): Domain {
	const u = words(user);
	if (/zendesk|\bticket\s+#?\d+/.test(u)) return 'zendesk';
	if (/salesforce|\blead\b/.test(u)) return 'salesforce';
	if (/quickbooks|\binvoice\s+id\b/.test(u)) return 'quickbooks';
	const hint = `${words(system)} ${JSON.stringify(schema ?? {}).toLowerCase()}`;
	if (/zendesk|ticketid/.test(hint)) return 'zendesk';
	if (/salesforce|"lead"/.test(hint)) return 'salesforce';
	if (/quickbooks|"invoice"/.test(hint)) return 'quickbooks';
	return 'unknown';
}

export function factsFor(user: string, system = '', schema?: Schema, today = new Date().toISOString().slice(0, 10)): { domain: Domain; facts: Facts } {
	const domain = domainOf(user, system, schema);
	if (domain === 'zendesk') return { domain, facts: zendeskFacts(user) };
	if (domain === 'salesforce') return { domain, facts: salesforceFacts(user) };
	if (domain === 'quickbooks') return { domain, facts: quickbooksFacts(user, today) };
	return {
		domain,
		facts: {
			operation: 'none',
			fields: {},
			reason: 'The sandbox model found no Zendesk ticket, Salesforce lead or QuickBooks invoice in the message, so it proposes nothing.',
			text: 'The sandbox model triages Zendesk tickets, qualifies Salesforce leads and follows up QuickBooks invoices. Send it one of those.',
			output: 'The sandbox model triages Zendesk tickets, qualifies Salesforce leads and follows up QuickBooks invoices. Send it one of those.',
		},
	};
}

// ------------------------------------------------------------------------------------------------
// Fitting the facts to a JSON Schema

function resolve(schema: Schema | undefined, root: Schema): Schema {
	let s = schema ?? {};
	for (let i = 0; i < 10 && typeof s.$ref === 'string'; i++) {
		const path = s.$ref.replace(/^#\/?/, '').split('/').filter(Boolean);
		let target: unknown = root;
		for (const key of path) target = target && typeof target === 'object' ? (target as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
		s = (target as Schema | undefined) ?? {};
	}
	const choice = s.anyOf ?? s.oneOf;
	if (choice && choice.length > 0) {
		const first = choice.map((c) => resolve(c, root)).find((c) => c.type !== 'null') ?? resolve(choice[0], root);
		return { ...s, anyOf: undefined, oneOf: undefined, ...first };
	}
	if (s.allOf && s.allOf.length > 0) {
		const merged: Schema = { ...s, allOf: undefined };
		for (const part of s.allOf.map((p) => resolve(p, root))) {
			merged.properties = { ...merged.properties, ...part.properties };
			merged.required = [...(merged.required ?? []), ...(part.required ?? [])];
			merged.type ??= part.type;
		}
		return merged;
	}
	return s;
}

function typeOf(schema: Schema): string | undefined {
	if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null') ?? schema.type[0];
	if (schema.type) return schema.type;
	if (schema.properties) return 'object';
	if (schema.items) return 'array';
	if (schema.enum && schema.enum.length > 0) return typeof schema.enum[0];
	return undefined;
}

function lookup(facts: Facts, key: string): unknown {
	if (key in facts) return facts[key];
	const lower = key.toLowerCase();
	const hit = Object.keys(facts).find((k) => k.toLowerCase() === lower);
	if (hit) return facts[hit];
	const aliases: Record<string, string[]> = {
		recordid: ['recordId', 'id', 'ticketId'],
		ticket_id: ['ticketId'],
		record_id: ['recordId'],
		reply_draft: ['replyDraft'],
		draft: ['replyDraft'],
		response: ['replyDraft'],
		message: ['replyDraft', 'reason'],
		explanation: ['reason'],
		rationale: ['reason'],
		justification: ['reason'],
		note: ['reason'],
	};
	for (const alias of aliases[lower] ?? []) if (alias in facts) return facts[alias];
	return undefined;
}

function coerce(value: unknown, schema: Schema, root: Schema, facts: Facts, depth: number): Json | undefined {
	const s = resolve(schema, root);
	if (s.const !== undefined) return s.const;
	const type = typeOf(s);
	if (s.enum && s.enum.length > 0) {
		const hit = s.enum.find((e) => e === value) ?? s.enum.find((e) => typeof e === 'string' && typeof value === 'string' && e.toLowerCase() === value.toLowerCase());
		return hit ?? (s.enum.includes('none') && value === undefined ? 'none' : s.enum[0]);
	}
	if (type === 'object') {
		const source = value && typeof value === 'object' && !Array.isArray(value) ? (value as Facts) : facts;
		return fitObject(s, root, source, depth + 1);
	}
	if (type === 'array') {
		const list = Array.isArray(value) ? value : value === undefined || value === null || value === '' ? [] : [value];
		return list.map((v) => coerce(v, s.items ?? {}, root, facts, depth + 1)).filter((v): v is Json => v !== undefined);
	}
	if (value === undefined) return undefined;
	if (type === 'integer' || type === 'number') {
		const n = Number(value);
		if (!Number.isFinite(n)) return undefined;
		return type === 'integer' ? Math.trunc(n) : n;
	}
	if (type === 'boolean') return value === true || value === 'true';
	if (type === 'string') return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
	return value as Json;
}

function emptyOf(schema: Schema, root: Schema, depth: number): Json {
	const s = resolve(schema, root);
	if (s.default !== undefined) return s.default;
	if (s.const !== undefined) return s.const;
	if (s.enum && s.enum.length > 0) return s.enum[0];
	switch (typeOf(s)) {
		case 'object':
			return fitObject(s, root, {}, depth + 1);
		case 'array':
			return [];
		case 'integer':
		case 'number':
			return 0;
		case 'boolean':
			return false;
		default:
			return '';
	}
}

function fitObject(schema: Schema, root: Schema, facts: Facts, depth: number): JsonObject {
	const s = resolve(schema, root);
	if (depth > 8) return {};
	if (!s.properties) {
		// A free-form object: everything the facts hold that is plain data.
		return JSON.parse(JSON.stringify(facts ?? {})) as JsonObject;
	}
	const out: JsonObject = {};
	const required = new Set(s.required ?? []);
	for (const [key, prop] of Object.entries(s.properties)) {
		const raw = lookup(facts, key);
		if (raw === undefined) {
			if (!required.has(key)) continue; // nothing to say about an optional property: leave it out
			// A required wrapper the facts do not name (e.g. the agent's `output`) holds the facts themselves.
			const value = typeOf(resolve(prop, root)) === 'object' ? coerce(facts, prop, root, facts, depth) : undefined;
			out[key] = value ?? emptyOf(prop, root, depth);
			continue;
		}
		const value = coerce(raw, prop, root, facts, depth);
		if (value !== undefined) out[key] = value;
		else if (required.has(key)) out[key] = emptyOf(prop, root, depth);
	}
	return out;
}

export function fitToSchema(schema: Schema, facts: Facts): Json {
	const value = coerce(undefined, schema, schema, facts, 0);
	return value === undefined ? emptyOf(schema, schema, 0) : value;
}

/** The proposed action in DESIGN.md's shape, from the facts. */
function proposal(facts: Facts): JsonObject {
	const keys = ['system', 'object', 'operation', 'recordId', 'fields', 'reason'];
	if (!('system' in facts)) return { operation: 'none', fields: {}, reason: String(facts.reason ?? '') };
	return Object.fromEntries(keys.map((k) => [k, facts[k] as Json]));
}

/** A JSON Schema written in the messages (LangChain's structured-output format instructions), if any. */
function schemaInText(text: string): Schema | undefined {
	if (!/json schema/i.test(text)) return undefined;
	for (const block of text.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)) {
		try {
			const value = JSON.parse(block[1]) as Schema;
			if (value && typeof value === 'object' && (value.properties || value.type)) return value;
		} catch {
			// not JSON
		}
	}
	return undefined;
}

// ------------------------------------------------------------------------------------------------
// One answer for a conversation

function estimateTokens(text: string): number {
	return Math.max(1, Math.ceil(text.length / 4));
}

function stableId(prefix: string, seed: unknown): string {
	return `${prefix}${createHash('sha256').update(JSON.stringify(seed)).digest('hex').slice(0, 24)}`;
}

export interface Conversation {
	messages: ChatMessage[];
	tools: ToolDefinition[];
	/** `auto`, `none`, `required`, or the name of the function that must be called. */
	toolChoice?: string;
	/** A JSON Schema the final content must follow (response_format / text.format), or `json` for any JSON object. */
	format?: Schema | 'json';
	today?: string;
}

export function answer(conversation: Conversation): ModelAnswer {
	const { messages, tools } = conversation;
	const user = textOf([...messages].reverse().find((m) => m.role === 'user')?.content);
	const system = messages
		.filter((m) => m.role === 'system' || m.role === 'developer')
		.map((m) => textOf(m.content))
		.join('\n');
	const prompt = messages.map((m) => textOf(m.content)).join('\n');
	const formatTool = tools.find((t) => t.name === FORMAT_TOOL);
	const forced =
		conversation.toolChoice && conversation.toolChoice !== 'auto' && conversation.toolChoice !== 'none'
			? (tools.find((t) => t.name === conversation.toolChoice) ?? (conversation.toolChoice === 'required' ? (formatTool ?? tools[0]) : undefined))
			: undefined;
	const usagePrompt = estimateTokens(prompt + JSON.stringify(tools));
	if ((conversation.toolChoice === undefined || conversation.toolChoice === 'auto') && tools.some((t) => t.name !== FORMAT_TOOL)) {
		const acted = agentAnswer(conversation, user, usagePrompt);
		if (acted) return acted;
	}
	const last = messages[messages.length - 1];
	const afterTool = last?.role === 'tool';
	const callTool = conversation.toolChoice !== 'none' && !afterTool ? (forced ?? formatTool) : undefined;
	const textSchema = typeof conversation.format === 'object' ? conversation.format : schemaInText(prompt);
	const { facts } = factsFor(user, system, callTool?.parameters ?? textSchema, conversation.today);
	if (callTool) {
		const args = JSON.stringify(fitToSchema(callTool.parameters ?? { type: 'object' }, facts));
		return { toolCall: { id: stableId('call_', { user, tool: callTool.name, args }), name: callTool.name, arguments: args }, usage: { prompt: usagePrompt, completion: estimateTokens(args) } };
	}
	let content: string;
	if (textSchema) content = JSON.stringify(fitToSchema(textSchema, facts));
	else if (conversation.format === 'json' || 'system' in facts) content = JSON.stringify(proposal(facts));
	else content = String(facts.text ?? facts.reason ?? '');
	return { content, usage: { prompt: usagePrompt, completion: estimateTokens(content) } };
}

// ------------------------------------------------------------------------------------------------
// Acting as a tool-using chat agent (template 6: "Get ticket" and, behind human review, "Update ticket")
//
// Only the user's message says what to do. Tool results are data: a ticket's text is read for its
// subject, status, priority and tags, never for instructions.

type TicketFields = { status?: string; priority?: string; tags?: string[]; comment?: { body: string; public: boolean } };

interface TicketRequest {
	ticketId?: string;
	/** The changes the user asked for (empty: a question, or nothing recognisable). */
	fields: TicketFields;
	/** Tags the user asked to add (merged with the ticket's tags before the update). */
	addTags: string[];
}

interface ToolExchange {
	id: string;
	name: string;
	args: unknown;
	/** The tool message answering the call, as text; undefined while unanswered. */
	result?: string;
	/** Position of the call in the conversation. */
	index: number;
}

type Outcome = { kind: 'written'; changes: string[] } | { kind: 'refused'; reasons: string[] } | { kind: 'rejected'; comment?: string } | { kind: 'failed'; error: string } | { kind: 'unknown'; text: string };

const PRIORITIES = 'urgent|high|normal|low';
const STATUSES = 'new|open|pending|on-hold|hold|solved|closed';
const CHANGE_VERBS = 'set|change|make|mark|raise|lower|bump|escalate|update|tag|label|add|reply|respond|answer|tell|let|write|leave|post|close|solve|resolve|reopen|re-open|put|move';
/** Where one instruction ends and the next begins: "…, set …", "… and reply …", "… then close …". */
const NEXT_INSTRUCTION = new RegExp(`(?:,\\s*|\\s+(?:and|then|also|plus)\\s+)(?:then\\s+|also\\s+|please\\s+)?(?=(?:${CHANGE_VERBS})\\b)`, 'i');
const OBJECT_WORDS = String.raw`(?:it|this|that|this one|the ticket|ticket\s*#?\s*\d+|#\s?\d+|\d+)`;

function toolWords(tool: ToolDefinition): { name: string; description: string } {
	const name = tool.name
		.replace(/([a-z])([A-Z])/g, '$1 $2')
		.replace(/[_\-.]+/g, ' ')
		.toLowerCase();
	return { name, description: (tool.description ?? '').toLowerCase() };
}

/** The read tool (get/read/fetch/look up) and the change tool (update/change/write/set), by name first, then description. */
function ticketTools(tools: ToolDefinition[]): { read?: ToolDefinition; change?: ToolDefinition } {
	const READ = /\b(?:get|read|fetch|look ?up|lookup|retrieve|show|view|find|search)\b/;
	const CHANGE = /\b(?:update|change|write|set|edit|modify|patch)\b/;
	const score = (tool: ToolDefinition, pattern: RegExp): number => {
		const w = toolWords(tool);
		return (pattern.test(w.name) ? 4 : 0) + (pattern.test(w.description) ? 2 : 0) + (/ticket/.test(`${w.name} ${w.description}`) ? 1 : 0);
	};
	const best = (candidates: ToolDefinition[], pattern: RegExp, other: RegExp): ToolDefinition | undefined =>
		candidates
			.map((tool) => ({ tool, score: score(tool, pattern), against: score(tool, other) }))
			.filter((c) => c.score >= 2 && c.score > c.against)
			.sort((a, b) => b.score - a.score)[0]?.tool;
	const usable = tools.filter((t) => t.name !== FORMAT_TOOL);
	const change = best(usable, CHANGE, READ);
	const read = best(
		usable.filter((t) => t !== change),
		READ,
		CHANGE,
	);
	return { read, change };
}

/** Quoted passages of the message (double or typographic quotes; single quotes only around whole phrases). */
function quotedParts(text: string): { outside: string; quoted: string[] } {
	const quoted: string[] = [];
	const outside = text.replace(/"([^"\n]+)"|“([^”\n]+)”|(^|[\s:(])'([^'\n]{2,}?)'(?=[\s.,;:!?)]|$)/g, (_m, a?: string, b?: string, lead?: string, c?: string) => {
		quoted.push((a ?? b ?? c ?? '').trim());
		return `${lead ?? ''}⟦${quoted.length - 1}⟧`;
	});
	return { outside, quoted };
}

function restore(text: string, quoted: string[]): string {
	return text.replace(/⟦(\d+)⟧/g, (_m, i: string) => quoted[Number(i)] ?? '');
}

function asSentence(text: string): string {
	const t = text.trim().replace(/^["“']|["”']$/g, '');
	if (!t) return '';
	const capital = t.charAt(0).toUpperCase() + t.slice(1);
	return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

/** What the user's chat message asks: the ticket number and the changes, read with plain patterns. */
export function ticketRequest(user: string): TicketRequest {
	const { outside, quoted } = quotedParts(user);
	const ticketId = find(outside, /#\s?(\d{1,12})\b/) ?? find(outside, /\btickets?\s*(?:#|no\.?|nr\.?|number|id)?\s*:?\s*(\d{1,12})\b/i) ?? find(outside.split(/\b(?:reply|respond|answer|tell|let|write|say|note|comment)\b/i)[0], /(?:^|[^\w.#⟦-])(\d{2,12})(?![\w%-]|\.\d)/);
	const fields: TicketFields = {};
	const addTags: string[] = [];
	// Clauses; a question ("what's the status of 5101?") asks nothing to change, "can you …?" does.
	const clauses = outside
		.split(/(?<=[.;!?])\s+|\n+/)
		.map((c) => c.trim())
		.filter(Boolean);
	for (const clause of clauses) {
		const c = clause.replace(/^(?:hi|hello|hey|thanks|thank you)\b[,!.\s]*/i, '');
		if (/\?$/.test(c) && !/^(?:(?:can|could|would|will)\s+you|please)\b/i.test(c)) continue;
		const lower = c.toLowerCase();
		const priority =
			find(lower, new RegExp(`\\bpriority\\b(?:\\s+(?:to|as|at|=|is|of ${OBJECT_WORDS} to))?\\s*[:=]?\\s*(?:to\\s+)?(${PRIORITIES})\\b`)) ??
			find(lower, new RegExp(`\\b(${PRIORITIES})[- ]priority\\b`)) ??
			find(lower, new RegExp(`\\b(?:set|make|mark|change|raise|lower|bump|escalate|move|put)\\b(?:\\s+\\S+){0,4}?\\s+(?:to|as)\\s+(${PRIORITIES})\\b`)) ??
			find(lower, new RegExp(`\\b(?:make|mark)\\s+${OBJECT_WORDS}\\s+(${PRIORITIES})\\b`));
		if (priority) fields.priority = priority;
		const status =
			find(lower, new RegExp(`\\bstatus\\b(?:\\s+(?:to|as|=|is|of ${OBJECT_WORDS} to))?\\s*[:=]?\\s*(?:to\\s+)?(${STATUSES})\\b`)) ??
			find(lower, new RegExp(`\\b(?:set|make|mark|change|move|put)\\b(?:\\s+\\S+){0,4}?\\s+(?:to|as)\\s+(${STATUSES})\\b`)) ??
			find(lower, new RegExp(`\\bmark\\s+${OBJECT_WORDS}\\s+(${STATUSES})\\b`)) ??
			(/\bon[- ]hold\b/.test(lower) && /\b(?:put|set|move|place)\b/.test(lower) ? 'hold' : undefined) ??
			(new RegExp(`\\b(?:close|solve|resolve)\\s+(?:${OBJECT_WORDS}|ticket)\\b`).test(lower) ? 'solved' : undefined) ??
			(/\bre-?open\b/.test(lower) ? 'open' : undefined);
		if (status) fields.status = status === 'on-hold' ? 'hold' : status;
		const tagged = new RegExp(`(?:^|[^\\w-])(remove|delete|drop|untag)?\\s*(?:the\\s+|a\\s+)?\\b(?:tag(?:s|ged)?|label(?:s|led)?)\\b\\s*(?:${OBJECT_WORDS}\\s+)?(?:with\\s+|as\\s+|:\\s*)?(.+)$`, 'i').exec(c);
		if (tagged && !tagged[1]) {
			for (const item of tagged[2].split(NEXT_INSTRUCTION)[0].split(/\s*(?:,|&|\band\b)\s*/i)) {
				const tag = restore(item, quoted)
					.trim()
					.replace(/^(?:the|a|an)\s+/i, '')
					.replace(/^#/, '')
					.replace(/[.!]+$/, '')
					.toLowerCase()
					.replace(/\s+/g, '-');
				if (/^[a-z0-9][a-z0-9_:-]*$/.test(tag) && tag.length <= 60) addTags.push(tag);
			}
		}
		if (!fields.comment) {
			const speak = /\b(?:reply|respond|answer|tell|let|write|comment|note|say|message)\b/i.exec(c);
			if (speak) {
				const rest = c.slice(speak.index);
				const quote = /⟦(\d+)⟧/.exec(rest);
				const unquoted =
					find(rest, /^(?:tell|let)\s+(?:the\s+)?(?:customer|requester|client|user|them|him|her)(?:\s+know)?\s*(?:that\s+|:\s*)?(.+)$/i) ??
					find(rest, /^(?:reply|respond|answer|write)\b(?:\s+(?:to\s+)?(?:the\s+)?(?:customer|requester|client|them|him|her))?\s*(?:with\s+|that\s+|saying\s+|:\s*)?(.+)$/i) ??
					find(c, /\b(?:add|leave|post|write)\s+(?:an?\s+)?(?:internal\s+|private\s+|public\s+)?(?:comment|note|reply)\s*(?:saying\s+|that\s+|:\s*)?(.+)$/i);
				const body = quote ? quoted[Number(quote[1])] : unquoted ? restore(unquoted.split(NEXT_INSTRUCTION)[0], quoted) : undefined;
				if (body && asSentence(body).length > 1) {
					const isPublic = /\b(?:reply|respond|answer|tell|let|public|customer|requester)\b/i.test(c) && !/\b(?:internal|private)\b/i.test(c);
					fields.comment = { body: asSentence(body), public: isPublic };
				}
			}
		}
	}
	if (addTags.length > 0) fields.tags = [...new Set(addTags)];
	return { ticketId, fields, addTags: [...new Set(addTags)] };
}

function parseLoose(text: string | undefined): unknown {
	if (text === undefined) return undefined;
	const deep = (value: unknown, depth: number): unknown => {
		if (depth > 8) return value;
		if (typeof value === 'string') {
			const t = value.trim();
			if (/^[[{]/.test(t)) {
				try {
					return deep(JSON.parse(t), depth + 1);
				} catch {
					return value;
				}
			}
			return value;
		}
		if (Array.isArray(value)) return value.map((v) => deep(v, depth + 1));
		if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deep(v, depth + 1)]));
		return value;
	};
	const parsed = deep(text, 0);
	if (parsed !== text) return parsed;
	const embedded = jsonObjectsIn(text);
	return embedded.length > 0 ? deep(embedded, 0) : text;
}

/** The first object (depth first) the test accepts. */
function findObject(value: unknown, test: (o: Record<string, unknown>) => boolean, depth = 0): Record<string, unknown> | undefined {
	if (depth > 10 || !value || typeof value !== 'object') return undefined;
	if (!Array.isArray(value) && test(value as Record<string, unknown>)) return value as Record<string, unknown>;
	for (const v of Array.isArray(value) ? value : Object.values(value)) {
		const hit = findObject(v, test, depth + 1);
		if (hit) return hit;
	}
	return undefined;
}

/** Every tool call in the conversation with the tool message that answered it. */
function toolExchanges(messages: ChatMessage[]): ToolExchange[] {
	const list: ToolExchange[] = [];
	messages.forEach((m, index) => {
		if (m.role === 'assistant' && Array.isArray(m.tool_calls)) {
			for (const call of m.tool_calls) {
				let args: unknown = call.function?.arguments;
				try {
					args = JSON.parse(String(call.function?.arguments ?? '{}')) as unknown;
				} catch {
					// keep the text
				}
				list.push({ id: String(call.id ?? ''), name: String(call.function?.name ?? ''), args, index });
			}
		} else if (m.role === 'tool' || m.role === 'function') {
			const open = list.filter((e) => e.result === undefined);
			const exchange = (m.tool_call_id ? open.find((e) => e.id === m.tool_call_id) : undefined) ?? open.find((e) => (m.name ? e.name === m.name : true));
			const result = textOf(m.content);
			if (exchange) exchange.result = result;
			else list.push({ id: String(m.tool_call_id ?? ''), name: String(m.name ?? ''), args: undefined, result, index });
		}
	});
	return list;
}

function mentionsId(value: unknown, id: string): boolean {
	return new RegExp(`(?:^|[^0-9])${id}(?:[^0-9]|$)`).test(typeof value === 'string' ? value : JSON.stringify(value ?? null));
}

/** The ticket a read tool returned: the object with a subject, or with status and priority (Zendesk's `{ ticket: … }` unwrapped). */
function ticketOf(result: unknown): Record<string, unknown> | undefined {
	return findObject(result, (o) => typeof o.subject === 'string' || ('status' in o && 'priority' in o));
}

function show(value: unknown): string {
	if (value === null || value === undefined || value === '') return 'none';
	if (Array.isArray(value)) return value.length > 0 ? value.map(show).join(', ') : 'none';
	if (typeof value === 'object') {
		const o = value as Record<string, unknown>;
		if (typeof o.body === 'string') return `"${sentence(o.body, 80)}"${o.public === true ? ' (public reply)' : o.public === false ? ' (internal note)' : ''}`;
		return JSON.stringify(value);
	}
	return String(value);
}

function describeFields(fields: TicketFields): string {
	const parts: string[] = [];
	if (fields.status) parts.push(`status ${fields.status}`);
	if (fields.priority) parts.push(`priority ${fields.priority}`);
	if (fields.tags) parts.push(`tags ${fields.tags.join(', ')}`);
	if (fields.comment) parts.push(`${fields.comment.public ? 'a public reply' : 'an internal note'} ${show({ body: fields.comment.body })}`);
	return parts.join('; ');
}

/** What the change tool's result says: written (the changes), refused by policy (the reasons), rejected by the reviewer, or an error. */
function outcomeOf(raw: string): Outcome {
	const value = parseLoose(raw);
	// The words of the result (string values of parsed JSON), so quotes inside it read as quotes.
	const strings = (v: unknown, depth = 0): string[] =>
		depth > 10 ? [] : typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap((x: unknown) => strings(x, depth + 1)) : [];
	const text = typeof value === 'string' ? value : strings(value).join(' ') || raw;
	const verdict = findObject(value, (o) => typeof o.written === 'boolean');
	if (verdict?.written === true) {
		const changes = (Array.isArray(verdict.changes) ? verdict.changes : []).map((c: unknown) => {
			if (c && typeof c === 'object' && !Array.isArray(c)) {
				const o = c as Record<string, unknown>;
				const field = String(o.field ?? o.path ?? o.name ?? 'field');
				const before = o.before ?? o.from ?? o.old;
				const after = o.after ?? o.to ?? o.new ?? o.value;
				if (field === 'comment') return `comment added: ${show(after)}`;
				return before === undefined || before === null ? `${field}: ${show(after)}` : `${field}: ${show(before)} → ${show(after)}`;
			}
			return show(c);
		});
		return { kind: 'written', changes };
	}
	if (verdict?.written === false) {
		const reasons = (Array.isArray(verdict.reasons) ? verdict.reasons : verdict.reasons === undefined ? [] : [verdict.reasons]).map((r: unknown) =>
			r && typeof r === 'object' && typeof (r as { message?: unknown }).message === 'string' ? String((r as { message: string }).message) : show(r),
		);
		return { kind: 'refused', reasons };
	}
	// n8n 2.8.4 (processHitlResponses) tells the model "User rejected the tool call to <node> (id: …)", or,
	// when the reviewer answered in words, "The user reviewed your planned tool call … and provided feedback: "…"".
	const approval = findObject(value, (o) => o.approved === false);
	const feedback = /reviewed your planned tool call\b.*?\bfeedback:\s*"([^"]*)"/is.exec(text)?.[1];
	if (approval || feedback !== undefined || /\b(?:denied|rejected|not approved|declined|disapproved|refused by (?:the )?(?:human|reviewer|approver))\b/i.test(text)) {
		const withComment = findObject(value, (o) => typeof o.comment === 'string' && o.comment !== '');
		return { kind: 'rejected', comment: withComment ? String(withComment.comment) : feedback };
	}
	const error = findObject(value, (o) => 'error' in o);
	if (error || /^\s*(?:error|there was an error)\b/i.test(text)) return { kind: 'failed', error: sentence(error ? show((error.error as { message?: unknown } | undefined)?.message ?? error.error) : text, 200) };
	return { kind: 'unknown', text: sentence(text, 200) };
}

function fieldsOfArgs(args: unknown): unknown {
	const holder = findObject(args, (o) => 'fields' in o);
	return holder ? parseLoose(typeof holder.fields === 'string' ? holder.fields : JSON.stringify(holder.fields)) : undefined;
}

/** The answer as a tool-using chat agent, or undefined when the plain rules do not apply (the caller answers as before). */
function agentAnswer(conversation: Conversation, user: string, usagePrompt: number): ModelAnswer | undefined {
	const { messages, tools } = conversation;
	const { read, change } = ticketTools(tools);
	// Tools for something other than tickets (leads, invoices, a calculator): answered as before.
	if (![read, change].some((t) => t && /ticket/.test(Object.values(toolWords(t)).join(' ')))) return undefined;
	const formatTool = tools.find((t) => t.name === FORMAT_TOOL);
	const lastUser = messages.map((m) => m.role).lastIndexOf('user');
	const exchanges = toolExchanges(messages);
	const thisTurn = exchanges.filter((e) => e.index > lastUser);
	const request = ticketRequest(user);
	const id = request.ticketId;
	const ref = id ? `ticket #${id}` : 'the ticket';

	const call = (tool: ToolDefinition, facts: Facts): ModelAnswer => {
		const args = JSON.stringify(fitToSchema(tool.parameters ?? { type: 'object' }, facts));
		return { toolCall: { id: stableId('call_', { user, tool: tool.name, args }), name: tool.name, arguments: args }, usage: { prompt: usagePrompt, completion: estimateTokens(args) } };
	};
	const say = (text: string): ModelAnswer => {
		const textFacts: Facts = { ...(id ? { ticketId: Number(id) || id, recordId: id } : {}), text, output: text, reason: text, summary: text, answer: text, response: text, message: text };
		if (formatTool) return call(formatTool, textFacts);
		const content = typeof conversation.format === 'object' ? JSON.stringify(fitToSchema(conversation.format, textFacts)) : conversation.format === 'json' ? JSON.stringify({ output: text }) : text;
		return { content, usage: { prompt: usagePrompt, completion: estimateTokens(content) } };
	};

	// 3. The change tool answered this turn: report it, never call it again.
	const changed = change ? [...thisTurn].reverse().find((e) => e.name === change.name && e.result !== undefined) : undefined;
	if (changed) {
		const requested = describeFields((fieldsOfArgs(changed.args) as TicketFields | undefined) ?? request.fields);
		const outcome = outcomeOf(changed.result ?? '');
		switch (outcome.kind) {
			case 'written':
				return say(outcome.changes.length > 0 ? `Done: I updated ${ref}. Changes: ${outcome.changes.join('; ')}.` : `Done: ${ref} already had these values, so nothing changed.`);
			case 'refused':
				return say(`I did not change ${ref}: the update was refused by policy${outcome.reasons.length > 0 ? ` (${outcome.reasons.join('; ')})` : ''}.`);
			case 'rejected':
				return say(`The reviewer did not approve the update of ${ref}${requested ? ` (${requested})` : ''}, so nothing was changed. I did not retry.${outcome.comment ? ` Reviewer's comment: "${outcome.comment}".` : ''}`);
			case 'failed':
				return say(`The update of ${ref} failed: ${asSentence(outcome.error)} I did not retry.`);
			default:
				return say(`${change?.name ?? 'The update tool'} answered for ${ref}: ${outcome.text}`);
		}
	}

	const wantsChange = Object.keys(request.fields).length > 0;
	// 5. Nothing about a ticket: a short helpful answer.
	if (!id) {
		if (wantsChange) return say(`Which ticket should I change? Tell me its number, e.g. "ticket 5101: ${describeFields(request.fields)}".`);
		const can = [read ? 'look up a ticket' : '', change ? 'change its status, priority, tags or add a comment (a person approves every change)' : ''].filter(Boolean).join(' and ');
		return say(`Hi! I can ${can}. Tell me the ticket number and what you need, e.g. "What is the status of ticket 5101?" or "Ticket 5101: set priority to urgent and tag it escalated".`);
	}

	const idValue = Number(id) || id;
	const idFacts: Facts = { ticketId: idValue, id: idValue, ticket_id: idValue, ticketNumber: idValue, ticket: idValue, number: idValue, recordId: id, query: `ticket ${id}` };
	// 1./2. Read the ticket first (once per conversation), unless there is no read tool.
	const readBack = read ? [...exchanges].reverse().find((e) => e.name === read.name && e.result !== undefined && (mentionsId(e.args, id) || String(ticketOf(parseLoose(e.result))?.id ?? '') === id)) : undefined;
	if (read && !readBack) {
		return call(read, idFacts);
	}
	const ticket = readBack ? ticketOf(parseLoose(readBack.result)) : undefined;
	if (readBack && !ticket) {
		const text = sentence(textOf(readBack.result).replace(/\s+/g, ' '), 200);
		return say(`I could not read ${ref}${text ? ` (${read?.name ?? 'the read tool'} answered: ${text})` : ''}${wantsChange ? ', so I did not change it' : ''}.`);
	}

	// 2. A question (or nothing to change): a short summary of what the read tool returned.
	if (!wantsChange || !change) {
		const subject = typeof ticket?.subject === 'string' ? ` "${unmark(ticket.subject)}"` : '';
		const facts = ticket ? `status ${show(ticket.status)}, priority ${show(ticket.priority)}${Array.isArray(ticket.tags) && ticket.tags.length > 0 ? `, tags ${show(ticket.tags)}` : ''}` : '';
		const injected = ticket && INJECTION.test(`${String(ticket.subject ?? '')}\n${String(ticket.description ?? '')}`) ? ' Note: the ticket text contains instructions aimed at an AI assistant; I did not follow them.' : '';
		const cannot = wantsChange ? ` I have no tool to change tickets, so I did not change it (asked: ${describeFields(request.fields)}).` : '';
		const summary = ticket ? `Ticket #${id}${subject}: ${facts}.` : `I have no tool to read tickets, so I cannot tell you about ${ref}.`;
		return say(`${summary}${injected}${cannot}`);
	}

	// 1. The change: only what the user asked for, fitted to the change tool's schema. Tags are added
	// to the ticket's own tags (Zendesk replaces the whole list); values the ticket already has are left out.
	const fields: TicketFields = {};
	const current = ticket ?? {};
	if (request.fields.status && request.fields.status !== current.status) fields.status = request.fields.status;
	if (request.fields.priority && request.fields.priority !== current.priority) fields.priority = request.fields.priority;
	if (request.fields.tags) {
		const existing = Array.isArray(current.tags) ? current.tags.map((t: unknown) => String(t)) : [];
		if (request.addTags.some((t) => !existing.includes(t))) fields.tags = [...new Set([...existing, ...request.addTags])];
	}
	if (request.fields.comment) fields.comment = request.fields.comment;
	if (Object.keys(fields).length === 0) return say(`Ticket #${id} already has ${describeFields(request.fields)}; nothing to change.`);
	// Never the same change again after a reviewer rejected it (earlier in the conversation).
	const rejectedBefore = exchanges.find((e) => e.name === change.name && e.result !== undefined && outcomeOf(e.result).kind === 'rejected' && mentionsId(e.args, id) && JSON.stringify(fieldsOfArgs(e.args)) === JSON.stringify(parseLoose(JSON.stringify(fields))));
	if (rejectedBefore) return say(`The reviewer already rejected this change to ${ref} (${describeFields(fields)}); I will not submit it again.`);
	const reason = `Requested in chat: ${describeFields(request.fields)}.`.replace(/\s+/g, ' ');
	const params: Facts = { ...idFacts, fields, changes: fields, reason, ...fields };
	delete params.query;
	return call(change, { ...params, toolParameters: params, input: params });
}

// ------------------------------------------------------------------------------------------------
// Wire formats

function chatTools(body: Record<string, unknown>): ToolDefinition[] {
	const tools = Array.isArray(body.tools) ? body.tools : Array.isArray(body.functions) ? body.functions.map((f: unknown) => ({ type: 'function', function: f })) : [];
	return tools
		.map((t: unknown) => {
			const tool = (t ?? {}) as { type?: string; function?: { name?: string; description?: string; parameters?: Schema }; name?: string; description?: string; parameters?: Schema };
			const fn = tool.function ?? tool; // Responses API tools are flat
			return { name: String(fn.name ?? ''), description: typeof fn.description === 'string' ? fn.description : undefined, parameters: fn.parameters };
		})
		.filter((t: ToolDefinition) => t.name !== '');
}

function toolChoiceOf(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (value && typeof value === 'object') {
		const v = value as { function?: { name?: string }; name?: string; type?: string };
		return v.function?.name ?? v.name ?? (v.type === 'required' ? 'required' : undefined);
	}
	return undefined;
}

function formatOf(value: unknown): Schema | 'json' | undefined {
	if (!value || typeof value !== 'object') return undefined;
	const v = value as { type?: string; json_schema?: { schema?: Schema }; schema?: Schema };
	if (v.type === 'json_schema') return v.json_schema?.schema ?? v.schema ?? 'json';
	if (v.type === 'json_object') return 'json';
	return undefined;
}

function chatCompletion(body: Record<string, unknown>, today?: string): { response: Record<string, unknown>; answer: ModelAnswer } {
	const messages = (Array.isArray(body.messages) ? body.messages : []) as ChatMessage[];
	const result = answer({ messages, tools: chatTools(body), toolChoice: toolChoiceOf(body.tool_choice), format: formatOf(body.response_format), today });
	const model = typeof body.model === 'string' && body.model ? body.model : SANDBOX_MODEL_ID;
	const message = result.toolCall
		? { role: 'assistant', content: null, tool_calls: [{ id: result.toolCall.id, type: 'function', function: { name: result.toolCall.name, arguments: result.toolCall.arguments } }], refusal: null }
		: { role: 'assistant', content: result.content ?? '', refusal: null };
	return {
		answer: result,
		response: {
			id: stableId('chatcmpl-', { messages, model }),
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model,
			system_fingerprint: 'fp_sandbox',
			choices: [{ index: 0, message, logprobs: null, finish_reason: result.toolCall ? 'tool_calls' : 'stop' }],
			usage: { prompt_tokens: result.usage.prompt, completion_tokens: result.usage.completion, total_tokens: result.usage.prompt + result.usage.completion },
		},
	};
}

/** The same answer as server-sent chunks: role, then the content or the tool call, then the finish (and usage when asked). */
function chatChunks(response: Record<string, unknown>, includeUsage: boolean): string[] {
	const base = { id: response.id, object: 'chat.completion.chunk', created: response.created, model: response.model, system_fingerprint: 'fp_sandbox' };
	const choice = (response.choices as Array<{ message: { content: string | null; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }> }; finish_reason: string }>)[0];
	const chunks: unknown[] = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] }];
	if (choice.message.tool_calls) {
		const call = choice.message.tool_calls[0];
		chunks.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }, logprobs: null, finish_reason: null }] });
		for (const piece of split(call.function.arguments)) chunks.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] }, logprobs: null, finish_reason: null }] });
	} else {
		for (const piece of split(choice.message.content ?? '')) chunks.push({ ...base, choices: [{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }] });
	}
	chunks.push({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: choice.finish_reason }] });
	if (includeUsage) chunks.push({ ...base, choices: [], usage: response.usage });
	return [...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n'];
}

function split(text: string, size = 64): string[] {
	const out: string[] = [];
	for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
	return out.length > 0 ? out : [''];
}

/** Responses API input items as chat messages. */
function responsesMessages(body: Record<string, unknown>): ChatMessage[] {
	const messages: ChatMessage[] = [];
	if (typeof body.instructions === 'string') messages.push({ role: 'system', content: body.instructions });
	if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input });
	else if (Array.isArray(body.input)) {
		for (const item of body.input as Array<Record<string, unknown>>) {
			if (item.type === 'function_call_output') messages.push({ role: 'tool', content: textOf(item.output), tool_call_id: String(item.call_id ?? '') });
			else if (item.type === 'function_call') messages.push({ role: 'assistant', tool_calls: [{ id: String(item.call_id ?? ''), function: { name: String(item.name ?? ''), arguments: String(item.arguments ?? '') } }] });
			else if (typeof item.role === 'string') messages.push({ role: item.role, content: item.content });
		}
	}
	return messages;
}

function responsesResponse(body: Record<string, unknown>, today?: string): { response: Record<string, unknown>; answer: ModelAnswer } {
	const messages = responsesMessages(body);
	const text = (body.text ?? {}) as { format?: unknown };
	const result = answer({ messages, tools: chatTools(body), toolChoice: toolChoiceOf(body.tool_choice), format: formatOf(text.format), today });
	const model = typeof body.model === 'string' && body.model ? body.model : SANDBOX_MODEL_ID;
	const id = stableId('resp_', { messages, model });
	const output = result.toolCall
		? [{ type: 'function_call', id: `fc_${id.slice(5)}`, call_id: result.toolCall.id, name: result.toolCall.name, arguments: result.toolCall.arguments, status: 'completed' }]
		: [{ type: 'message', id: `msg_${id.slice(5)}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: result.content ?? '', annotations: [] }] }];
	return {
		answer: result,
		response: {
			id,
			object: 'response',
			created_at: Math.floor(Date.now() / 1000),
			status: 'completed',
			model,
			output,
			output_text: result.content ?? '',
			parallel_tool_calls: true,
			tool_choice: body.tool_choice ?? 'auto',
			tools: body.tools ?? [],
			usage: { input_tokens: result.usage.prompt, output_tokens: result.usage.completion, total_tokens: result.usage.prompt + result.usage.completion, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
		},
	};
}

function responsesEvents(response: Record<string, unknown>): string[] {
	const events: Array<Record<string, unknown>> = [];
	let seq = 0;
	const add = (type: string, data: Record<string, unknown>): void => void events.push({ type, sequence_number: seq++, ...data });
	add('response.created', { response: { ...response, status: 'in_progress', output: [] } });
	(response.output as Array<Record<string, unknown>>).forEach((item, index) => {
		if (item.type === 'function_call') {
			add('response.output_item.added', { output_index: index, item: { ...item, arguments: '' } });
			add('response.function_call_arguments.delta', { output_index: index, item_id: item.id, delta: item.arguments });
			add('response.function_call_arguments.done', { output_index: index, item_id: item.id, arguments: item.arguments });
		} else {
			const text = String((item.content as Array<{ text: string }>)[0].text);
			add('response.output_item.added', { output_index: index, item: { ...item, content: [] } });
			add('response.content_part.added', { output_index: index, item_id: item.id, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
			add('response.output_text.delta', { output_index: index, item_id: item.id, content_index: 0, delta: text });
			add('response.output_text.done', { output_index: index, item_id: item.id, content_index: 0, text });
		}
		add('response.output_item.done', { output_index: index, item });
	});
	add('response.completed', { response });
	return events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`);
}

// ------------------------------------------------------------------------------------------------
// The server

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) {
				reject(new Error('too large'));
				req.destroy();
			} else chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function sendError(res: ServerResponse, status: number, message: string, type: string, code: string | null = null): void {
	res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { message, type, param: null, code } }));
}

export class SandboxModel {
	/** The last requests and what was answered, newest last (at most 50), for tests and debugging. */
	readonly log: ModelRequestLog[] = [];
	private server?: Server;
	port = 0;

	/** Listens on 127.0.0.1:port (0 = any free port); resolves with the base URL `http://127.0.0.1:<port>/v1`. */
	async start(port: number): Promise<string> {
		const server = createServer((req, res) => {
			this.handle(req, res).catch((error: unknown) => {
				if (!res.headersSent) sendError(res, 500, `sandbox model: ${error instanceof Error ? error.message : String(error)}`, 'server_error');
				else res.end();
			});
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
		this.server = server;
		this.port = (server.address() as AddressInfo).port;
		return this.baseUrl;
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}/v1`;
	}

	async stop(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (!server) return;
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/\/+$/, '');
		const route = path.replace(/^\/v1/, '');
		if (req.method === 'GET' && (path === '' || path === '/v1')) {
			res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Agent Guard sandbox model: OpenAI-compatible endpoint at ${this.baseUrl} (model "${SANDBOX_MODEL_ID}"; any model name and any API key are accepted).\n`);
			return;
		}
		if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? '')) {
			sendError(res, 401, 'You didn\'t provide an API key. The sandbox accepts any key: send "Authorization: Bearer <anything>" (the "Sandbox Model" credential does).', 'invalid_request_error', 'invalid_api_key');
			return;
		}
		if (req.method === 'GET' && route === '/models') {
			const created = 1_700_000_000;
			res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ object: 'list', data: LISTED_MODELS.map((id) => ({ id, object: 'model', created, owned_by: 'agent-guard-sandbox' })) }));
			return;
		}
		if (req.method === 'GET' && route.startsWith('/models/')) {
			const id = decodeURIComponent(route.slice('/models/'.length));
			res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id, object: 'model', created: 1_700_000_000, owned_by: 'agent-guard-sandbox' }));
			return;
		}
		if (req.method !== 'POST' || (route !== '/chat/completions' && route !== '/responses')) {
			sendError(res, 404, `Unknown request: ${req.method ?? ''} ${path}. The sandbox model serves POST /v1/chat/completions, POST /v1/responses and GET /v1/models.`, 'invalid_request_error');
			return;
		}
		let body: Record<string, unknown>;
		try {
			const parsed = JSON.parse(await readBody(req)) as unknown;
			if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
			body = parsed as Record<string, unknown>;
		} catch (error) {
			sendError(res, 400, `The body is not a JSON object (${(error as Error).message}).`, 'invalid_request_error');
			return;
		}
		const stream = body.stream === true;
		const { response, answer: decided } = route === '/responses' ? responsesResponse(body) : chatCompletion(body);
		this.log.push({
			at: new Date().toISOString(),
			path: route,
			model: String(response.model),
			stream,
			tools: chatTools(body).map((t) => t.name),
			answer: decided.toolCall ? { toolCall: { name: decided.toolCall.name, arguments: JSON.parse(decided.toolCall.arguments) as unknown } } : { content: decided.content },
			body,
		});
		if (this.log.length > 50) this.log.splice(0, this.log.length - 50);
		if (!stream) {
			res.writeHead(200, { 'Content-Type': 'application/json', 'x-request-id': String(response.id) }).end(JSON.stringify(response));
			return;
		}
		res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
		const includeUsage = Boolean((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage);
		for (const event of route === '/responses' ? responsesEvents(response) : chatChunks(response, includeUsage)) res.write(event);
		res.end();
	}
}
