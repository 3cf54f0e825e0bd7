/** The Approval Gate's pure core: digests, link tokens, records and quorum, proofs, pages. */
export { ApprovalInputError } from './errors';
export { actionDigest, batchDigest, DIGEST_PATTERN } from './digest';
export {
	APPROVER_TOKEN_DOMAIN,
	MAX_TOKEN_LENGTH,
	signApproverToken,
	verifyApproverToken,
	type ApproverTokenClaims,
	type ApproverTokenFailure,
	type ApproverTokenResult,
} from './token';
export {
	MAX_APPROVERS,
	MAX_COMMENT_LENGTH,
	MAX_ITEMS,
	applyDecision,
	approvalCount,
	approvedBy,
	decisionOf,
	expireIfDue,
	newApprovalRecord,
	normaliseComment,
	type ApprovalDecision,
	type ApprovalItem,
	type ApprovalItemInput,
	type ApprovalRecord,
	type ApprovalStatus,
	type Approver,
	type DecisionResult,
	type NewApprovalInput,
} from './record';
export {
	APPROVAL_PROOF_DOMAIN,
	checkApprovalProof,
	signApprovalProof,
	verifyApprovalProof,
	type ApprovalProof,
	type ApprovalProofClaims,
	type ApprovalProofResult,
} from './proof';
export {
	APPROVAL_PAGE_CSP,
	escapeHtml,
	renderApprovalPage,
	renderDecidedPage,
	renderRefusalPage,
	type ApprovalPage,
	type ApprovalPageInput,
	type RefusalCode,
} from './page';
