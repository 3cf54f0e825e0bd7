import type { ApprovalNotice } from '../delivery';

/**
 * The body a generic webhook receives: the notice's own values, not the cleaned display
 * text, because the receiver renders (and escapes) them itself. Stable field names:
 * receivers are written against them, so only add.
 */
export function webhookPayload(notice: ApprovalNotice, link: string): Record<string, unknown> {
	return {
		type: 'approval.requested',
		approvalId: notice.approvalId,
		agentId: notice.agentId,
		approver: { name: notice.approverName, address: notice.approverAddress ?? null },
		link,
		message: notice.message ?? null,
		summary: notice.summary,
		expiresAt: new Date(notice.expiresAt).toISOString(),
		quorum: notice.quorum,
		approverCount: notice.approverCount,
	};
}
