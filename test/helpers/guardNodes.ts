import { AgentControl } from '../../nodes/AgentControl/AgentControl.node';
import { ApprovalGate } from '../../nodes/ApprovalGate/ApprovalGate.node';
import { AuditLogger } from '../../nodes/AuditLogger/AuditLogger.node';
import { GuardedWrite } from '../../nodes/GuardedWrite/GuardedWrite.node';
import { CredentialCheck } from '../../nodes/CredentialCheck/CredentialCheck.node';
import { InjectionSanitizer } from '../../nodes/InjectionSanitizer/InjectionSanitizer.node';
import { ReverseWrite } from '../../nodes/ReverseWrite/ReverseWrite.node';
import { ScopeGuard } from '../../nodes/ScopeGuard/ScopeGuard.node';
import { SecurityChecklist } from '../../nodes/SecurityChecklist/SecurityChecklist.node';
import { SpendCap } from '../../nodes/SpendCap/SpendCap.node';
import { InProcessNode } from './n8nInProcess';
import { TEST_SECRET, redisOptions, tempDir } from './stores';

/** Our node types under the ids n8n gives them once the package is installed. */
export const guardNodeTypes = {
	'n8n-nodes-agent-guard.auditLogger': new AuditLogger(),
	'n8n-nodes-agent-guard.agentControl': new AgentControl(),
	'n8n-nodes-agent-guard.scopeGuard': new ScopeGuard(),
	'n8n-nodes-agent-guard.injectionSanitizer': new InjectionSanitizer(),
	'n8n-nodes-agent-guard.spendCap': new SpendCap(),
	'n8n-nodes-agent-guard.approvalGate': new ApprovalGate(),
	'n8n-nodes-agent-guard.guardedWrite': new GuardedWrite(),
	'n8n-nodes-agent-guard.reverseWrite': new ReverseWrite(),
	'n8n-nodes-agent-guard.credentialCheck': new CredentialCheck(),
	'n8n-nodes-agent-guard.securityChecklist': new SecurityChecklist(),
};

export const CREDENTIAL_REF = { agentGuardApi: { id: '1', name: 'Agent Guard' } };

/** Credential data for a fresh, isolated store of each backend. */
export function embeddedCredential(dir = tempDir()) {
	return { backend: 'embedded', journalFolder: dir, signingSecret: '' };
}

export function redisCredential(prefix?: string) {
	const o = redisOptions(prefix);
	return { backend: 'redis', host: o.host, port: o.port, database: o.db, keyPrefix: o.keyPrefix, signingSecret: TEST_SECRET, user: '', password: '', tls: false };
}

export function auditLogger(name: string, parameters: Record<string, unknown>, extra: Partial<InProcessNode> = {}): InProcessNode {
	return { name, type: 'n8n-nodes-agent-guard.auditLogger', parameters, credentials: CREDENTIAL_REF, ...extra };
}

export function agentControl(name: string, parameters: Record<string, unknown>, extra: Partial<InProcessNode> = {}): InProcessNode {
	return { name, type: 'n8n-nodes-agent-guard.agentControl', parameters, credentials: CREDENTIAL_REF, ...extra };
}

export function scopeGuard(name: string, parameters: Record<string, unknown>, extra: Partial<InProcessNode> = {}): InProcessNode {
	return { name, type: 'n8n-nodes-agent-guard.scopeGuard', parameters, credentials: CREDENTIAL_REF, ...extra };
}

export function injectionSanitizer(name: string, parameters: Record<string, unknown>, extra: Partial<InProcessNode> = {}): InProcessNode {
	return { name, type: 'n8n-nodes-agent-guard.injectionSanitizer', parameters, credentials: CREDENTIAL_REF, ...extra };
}

export function spendCap(name: string, parameters: Record<string, unknown>, extra: Partial<InProcessNode> = {}): InProcessNode {
	return { name, type: 'n8n-nodes-agent-guard.spendCap', parameters, credentials: CREDENTIAL_REF, ...extra };
}

export function approvalGate(name: string, parameters: Record<string, unknown>, extra: Partial<InProcessNode> = {}): InProcessNode {
	return { name, type: 'n8n-nodes-agent-guard.approvalGate', parameters, credentials: CREDENTIAL_REF, ...extra };
}

/** `credentials` adds the SaaS credential reference(s), e.g. `{ agentGuardSalesforceOAuth2Api: { id: '2', name: 'Salesforce prod' } }`. */
export function credentialCheck(name: string, parameters: Record<string, unknown>, extra: Partial<InProcessNode> = {}): InProcessNode {
	return { name, type: 'n8n-nodes-agent-guard.credentialCheck', parameters, ...extra, credentials: { ...CREDENTIAL_REF, ...extra.credentials } };
}

/** Guarded Write with the SaaS credentials the test passes (by type) under `credentials`. */
export function guardedWrite(name: string, parameters: Record<string, unknown>, extra: Partial<InProcessNode> = {}): InProcessNode {
	const credentials = {
		...CREDENTIAL_REF,
		agentGuardSalesforceOAuth2Api: { id: '2', name: 'Salesforce' },
		agentGuardZendeskApi: { id: '3', name: 'Zendesk' },
		agentGuardQuickBooksOAuth2Api: { id: '4', name: 'QuickBooks' },
	};
	return { name, type: 'n8n-nodes-agent-guard.guardedWrite', parameters, credentials, ...extra };
}

/** Reverse Write with the same SaaS credential references as `guardedWrite`. */
export function reverseWrite(name: string, parameters: Record<string, unknown>, extra: Partial<InProcessNode> = {}): InProcessNode {
	const credentials = {
		...CREDENTIAL_REF,
		agentGuardSalesforceOAuth2Api: { id: '2', name: 'Salesforce' },
		agentGuardZendeskApi: { id: '3', name: 'Zendesk' },
		agentGuardQuickBooksOAuth2Api: { id: '4', name: 'QuickBooks' },
	};
	return { name, type: 'n8n-nodes-agent-guard.reverseWrite', parameters, credentials, ...extra };
}
