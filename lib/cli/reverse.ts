import { promises as fs } from 'node:fs';
import { credentialStatus, trackingFromCredential, CredentialDataError } from '../credentials/expiry';
import { CREDENTIAL_TYPES, SYSTEM_NAMES, SaasCredentialError, adapterFor, connectionFrom } from '../saas/connection';
import { SaasError, SaasSystem } from '../saas/types';
import { ReversalInputError, ReversalOutcome, ReversalSelection, SaasAccess, parseSeqs, parseWindow, reverseWrites, selectWrites, unrecordedOutcomes } from '../write/reverse';
import { GuardStore } from '../store/types';
import { ParsedArgs, UsageError, flag } from './args';

/**
 * `agent-guard reverse`: Reverse Write from a terminal, for when n8n itself is the problem.
 * Credentials come from the JSON `n8n export:credentials --decrypted` prints. The CLI never
 * refreshes an OAuth token (n8n owns it): a refused token says to run Reverse Write in n8n
 * or reconnect the credential and export it again.
 */
export const REVERSE_USAGE = `  agent-guard reverse (--execution ID | --entries 12,15 | --agent ID --since ISO [--until ISO])
                      --credentials FILE [--preview] [--force] [--zendesk-auth apiToken|oAuth2] [--by WHO] [--json]
                      FILE: the output of "n8n export:credentials --decrypted" (Agent Guard SaaS credentials)
                      exit 0: all reversed (or nothing to do); 1: a conflict or failure, see the table`;

interface ExportedCredential {
	name?: string;
	type?: string;
	data?: Record<string, unknown>;
}

async function loadCredentials(file: string): Promise<ExportedCredential[]> {
	let text: string;
	try {
		text = await fs.readFile(file, 'utf8');
	} catch (error) {
		throw new UsageError(`--credentials: cannot read ${file}: ${(error as Error).message}`);
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new UsageError(`--credentials: ${file} is not JSON (${(error as Error).message}); use the output of "n8n export:credentials --decrypted"`);
	}
	const list = Array.isArray(parsed) ? parsed : [parsed];
	return list.filter((c): c is ExportedCredential => typeof c === 'object' && c !== null && typeof (c as ExportedCredential).type === 'string');
}

function credentialTypeFor(system: SaasSystem, zendeskAuth: string): string {
	if (system === 'salesforce') return CREDENTIAL_TYPES.salesforce;
	if (system === 'quickbooks') return CREDENTIAL_TYPES.quickbooks;
	return zendeskAuth === 'oAuth2' ? CREDENTIAL_TYPES.zendeskOAuth2 : CREDENTIAL_TYPES.zendeskToken;
}

/** The adapter for one system from the exported credentials; an expired credential stops the run (a reversal is a write). */
function connectFrom(credentials: ExportedCredential[], zendeskAuth: string, file: string) {
	return async (system: SaasSystem): Promise<SaasAccess> => {
		const type = credentialTypeFor(system, zendeskAuth);
		const found = credentials.filter((c) => c.type === type);
		if (found.length === 0) throw new UsageError(`${file} has no ${SYSTEM_NAMES[system]} credential of type ${type}: export it with "n8n export:credentials --decrypted"`);
		if (found.length > 1) throw new UsageError(`${file} has ${found.length} credentials of type ${type} (${found.map((c) => `"${c.name ?? '?'}"`).join(', ')}): export only the one to use (--id)`);
		const data = found[0].data ?? {};
		let status;
		try {
			status = credentialStatus(trackingFromCredential(data), Date.now());
		} catch (error) {
			if (error instanceof CredentialDataError) throw new Error(`the ${SYSTEM_NAMES[system]} credential "${found[0].name ?? type}": ${error.message}`);
			throw error;
		}
		if (status.state === 'expired') {
			const why = status.findings.filter((f) => f.code.endsWith('expired')).map((f) => f.message).join('; ');
			throw new Error(`the ${SYSTEM_NAMES[system]} credential "${found[0].name ?? type}" (${type}) has expired: ${why}. Reconnect it in n8n, export it again, and re-run. Nothing was reversed.`);
		}
		const adapter = adapterFor(system, connectionFrom(system, type, data));
		return {
			async call(fn) {
				try {
					return await fn(adapter);
				} catch (error) {
					if (error instanceof SaasError && error.code === 'unauthorized') {
						throw new SaasError(system, 'unauthorized', `${error.message}. The CLI does not refresh tokens: run the Reverse Write node in n8n (it refreshes them), or reconnect the credential in n8n and export it again`, error.status);
					}
					throw error;
				}
			},
		};
	};
}

function selectionFrom(args: ParsedArgs): ReversalSelection {
	const execution = flag(args, 'execution');
	const entries = flag(args, 'entries');
	const agent = flag(args, 'agent');
	if ([execution, entries, agent].filter((v) => v !== undefined).length !== 1) throw new UsageError('reverse needs exactly one of --execution ID, --entries 12,15 or --agent ID --since ISO');
	try {
		if (execution !== undefined) {
			if (!execution.trim()) throw new UsageError('--execution is empty');
			return { by: 'execution', executionId: execution.trim() };
		}
		if (entries !== undefined) return { by: 'entries', seqs: parseSeqs(entries, '--entries') };
		return { by: 'agent', agentId: agent as string, ...parseWindow(flag(args, 'since'), flag(args, 'until'), { since: '--since', until: '--until' }) };
	} catch (error) {
		if (error instanceof ReversalInputError) throw new UsageError(error.message);
		throw error;
	}
}

function cell(value: unknown, width: number): string {
	const text = String(value ?? '');
	return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

function table(outcomes: ReversalOutcome[]): string {
	const rows = outcomes.map((o) => `${cell(o.reverses, 7)} ${cell(o.status, 16)} ${cell(o.kind, 14)} ${cell(`${o.system}/${o.object}/${o.recordId}`, 44)} ${o.message}`);
	return [`${cell('entry', 7)} ${cell('status', 16)} ${cell('kind', 14)} ${cell('record', 44)} what happened`, ...rows].join('\n') + '\n';
}

export async function reverseCommand(store: GuardStore, args: ParsedArgs, io: { out: (t: string) => void; err: (t: string) => void }, actorId: string): Promise<number> {
	const file = flag(args, 'credentials');
	if (!file) throw new UsageError('reverse needs --credentials FILE (the output of "n8n export:credentials --decrypted")');
	const selection = selectionFrom(args);
	const zendeskAuth = flag(args, 'zendesk-auth') ?? 'apiToken';
	if (zendeskAuth !== 'apiToken' && zendeskAuth !== 'oAuth2') throw new UsageError(`--zendesk-auth must be apiToken or oAuth2, got "${zendeskAuth}"`);
	const credentials = await loadCredentials(file);
	const preview = args.flags.has('preview');
	const force = args.flags.has('force');
	let selected;
	try {
		selected = await selectWrites(store, selection, selection.by === 'agent' ? selection.agentId : undefined);
	} catch (error) {
		if (error instanceof ReversalInputError) throw new UsageError(error.message);
		throw error;
	}
	let outcomes: ReversalOutcome[];
	try {
		const done = await reverseWrites(store, selected.entries, {
			preview,
			force,
			actor: { type: 'human', id: actorId },
			connect: connectFrom(credentials, zendeskAuth, file),
			appendNow: async (draft) => (await store.append([draft]))[0],
			appendBatch: (drafts) => store.append(drafts),
		});
		outcomes = [...done, ...unrecordedOutcomes(selected.unrecorded)];
	} catch (error) {
		if (error instanceof SaasCredentialError) throw new Error(`${error.message}${error.field ? ` (field "${error.field}")` : ''}. Nothing was reversed.`);
		throw error;
	}
	const trouble = outcomes.filter((o) => o.status === 'conflict' || o.status === 'failed' || o.code === 'reversal_conflict');
	if (args.flags.has('json')) {
		io.out(JSON.stringify({ preview, force, note: selected.note, outcomes }) + '\n');
	} else if (outcomes.length === 0) {
		io.out(`${selected.note ?? 'nothing to reverse'}\n`);
	} else {
		io.out(table(outcomes));
		io.out(`${preview ? 'preview: nothing was written. ' : ''}${outcomes.length} write${outcomes.length === 1 ? '' : 's'}, ${trouble.length} need${trouble.length === 1 ? 's' : ''} attention${force ? ' (forced)' : ''}\n`);
	}
	return trouble.length ? 1 : 0;
}
