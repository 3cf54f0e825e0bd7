import { compareForm, normaliseSystem, objectForm } from './names';
import { CompiledRule, FieldSet, OPERATIONS, Operation, Policy, PolicyError, PolicyInput, PolicyRuleInput } from './types';

const NAME = /^[A-Za-z0-9_.*:-]{1,128}$/;
const KNOWN_KEYS = new Set(['id', 'system', 'object', 'operations', 'readableFields', 'writableFields', 'deniedFields', 'maxRecordsPerRun']);

/** Lists come as arrays (JSON) or as comma-separated text (the row editor). */
function list(value: unknown, where: string): string[] {
	if (value === undefined || value === null || value === '') return [];
	const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
	if (!items) throw new PolicyError(`${where}: must be a list of names or comma-separated text, got ${typeof value}`);
	return items.map((item, i) => {
		if (typeof item !== 'string') throw new PolicyError(`${where}: item ${i + 1} is not a name`);
		return item.trim();
	}).filter((s) => s !== '');
}

function fieldSet(system: string, names: string[], where: string): FieldSet {
	for (const name of names) {
		if (!NAME.test(name) || (name.includes('*') && name !== '*')) {
			throw new PolicyError(`${where}: "${name}" is not a field name (letters, digits, _ . : -, or * alone for every field)`);
		}
	}
	const compared = names.filter((n) => n !== '*').map((n) => compareForm(system, n));
	const parents = new Set<string>();
	for (const name of compared) {
		for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) parents.add(name.slice(0, dot));
	}
	return { all: names.includes('*'), names: new Set(compared), parents };
}

function where(rule: PolicyRuleInput | undefined, index: number, field: string): string {
	const object = rule && typeof rule.object === 'string' && rule.object.trim() ? ` (${rule.object.trim()})` : '';
	return `Rule ${index + 1}${object}, field "${field}"`;
}

/** Checks a policy once, at the start of a run; every error names the rule (row) and the field. */
export function compilePolicy(input: unknown): Policy {
	if (!input || typeof input !== 'object' || !Array.isArray((input as PolicyInput).rules)) {
		throw new PolicyError('The policy must be an object with a "rules" list, e.g. {"rules": [{"system": "salesforce", "object": "Lead", "operations": ["read"]}]}');
	}
	const rules = (input as PolicyInput).rules;
	if (rules.length === 0) throw new PolicyError('The policy has no rules: with none, every action is denied. Add a rule per object the agent may use.');
	const ids = new Set<string>();
	const compiled = rules.map((rule, i): CompiledRule => {
		if (!rule || typeof rule !== 'object') throw new PolicyError(`Rule ${i + 1}: must be an object`);
		for (const key of Object.keys(rule)) {
			if (!KNOWN_KEYS.has(key)) throw new PolicyError(`${where(rule, i, key)}: unknown field; use ${[...KNOWN_KEYS].join(', ')}`);
		}
		if (typeof rule.system !== 'string' || rule.system.trim() === '') throw new PolicyError(`${where(rule, i, 'system')}: required (salesforce, zendesk, quickbooks or *)`);
		const system = normaliseSystem(rule.system);
		if (typeof rule.object !== 'string' || !NAME.test(rule.object.trim())) throw new PolicyError(`${where(rule, i, 'object')}: required, an object name such as Lead or * for every object`);
		const operations = list(rule.operations, where(rule, i, 'operations'));
		if (operations.length === 0) throw new PolicyError(`${where(rule, i, 'operations')}: list at least one of ${OPERATIONS.join(', ')}`);
		for (const op of operations) {
			if (!(OPERATIONS as readonly string[]).includes(op)) throw new PolicyError(`${where(rule, i, 'operations')}: "${op}" is not one of ${OPERATIONS.join(', ')}`);
		}
		const writable = fieldSet(system, list(rule.writableFields, where(rule, i, 'writableFields')), where(rule, i, 'writableFields'));
		if ((writable.all || writable.names.size > 0) && !operations.some((o) => o === 'create' || o === 'update')) {
			throw new PolicyError(`${where(rule, i, 'writableFields')}: writable fields without a create or update operation would never apply`);
		}
		const max = rule.maxRecordsPerRun;
		if (max !== undefined && max !== null && (!Number.isInteger(max) || max < 0)) {
			throw new PolicyError(`${where(rule, i, 'maxRecordsPerRun')}: must be a whole number ≥ 0 (0 means no limit), got ${String(max)}`);
		}
		const id = rule.id !== undefined && String(rule.id).trim() !== '' ? String(rule.id).trim() : `rule-${i + 1}`;
		if (ids.has(id)) throw new PolicyError(`${where(rule, i, 'id')}: "${id}" is used by another rule`);
		ids.add(id);
		return {
			id,
			system,
			object: rule.object.trim() === '*' ? '*' : objectForm(system, rule.object),
			operations: new Set(operations as Operation[]),
			readable: fieldSet(system, list(rule.readableFields, where(rule, i, 'readableFields')), where(rule, i, 'readableFields')),
			writable,
			denied: fieldSet(system, list(rule.deniedFields, where(rule, i, 'deniedFields')), where(rule, i, 'deniedFields')),
			maxRecordsPerRun: max ? max : undefined,
		};
	});
	return { rules: compiled };
}

/** A policy given as JSON text (or already parsed, as n8n's JSON parameters may be). */
export function compilePolicyJson(raw: unknown): Policy {
	if (typeof raw !== 'string') return compilePolicy(raw);
	let value: unknown;
	try {
		value = JSON.parse(raw);
	} catch (error) {
		throw new PolicyError(`Policy (JSON) is not valid JSON: ${(error as Error).message}`);
	}
	return compilePolicy(value);
}

/** The rules that speak about this system and object, most specific first. */
export function rulesFor(policy: Policy, system: string, object: string): CompiledRule[] {
	const sys = normaliseSystem(system);
	const obj = objectForm(sys, object);
	return policy.rules.filter((r) => (r.system === '*' || r.system === sys) && (r.object === '*' || r.object === obj));
}
