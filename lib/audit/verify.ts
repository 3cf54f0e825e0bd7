import { AuditEntry, Checkpoint, GENESIS_HASH, checkpointMac, entryHash, entryMac, safeEqualHex } from './entry';

/**
 * Verifies a trail as if its writer were hostile: it trusts no stored hash,
 * recomputes every link and MAC, and classifies the first break it finds.
 */
export type TrailProblem =
	| 'modified'
	| 'deleted'
	| 'inserted'
	| 'reordered'
	| 'truncated'
	| 'corrupt_record'
	| 'bad_checkpoint'
	| 'wrong_secret';

export interface VerifyReport {
	valid: boolean;
	entries: number;
	headSeq: number;
	headHash: string;
	checkpointSeq?: number;
	/** The newest stored checkpoint, when the chain verifies: what to publish (see publishedHead.ts). */
	latestCheckpoint?: Checkpoint;
	/** How many published heads (given to verify) were checked. */
	publishedChecked?: number;
	firstBadSeq?: number;
	problem?: TrailProblem;
	message: string;
}

/** One stored record as read back: a parsed entry, or a record that could not be parsed. */
export type StoredRecord = { entry: AuditEntry; where: string } | { corrupt: string; where: string };

/**
 * `published`: signed heads kept outside the store (see publishedHead.ts). They are checked like
 * stored checkpoints; with them a trail truncated together with its stored checkpoints no longer
 * verifies.
 */
export async function verifyTrail(
	records: AsyncIterable<StoredRecord> | Iterable<StoredRecord>,
	checkpoints: Checkpoint[],
	secret: string,
	published: Checkpoint[] = [],
): Promise<VerifyReport> {
	// A window of entries is kept so that an insertion can be told from a modification
	// (the entry after a forged one still links to the entry before it).
	let prev: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH };
	let count = 0;
	let pending: { entry: AuditEntry; where: string } | undefined;
	const seen = new Set<number>();
	let failure: VerifyReport | undefined;
	let hashesOk = 0;
	let macsBad = 0;
	const bad = (problem: TrailProblem, seq: number | undefined, message: string): VerifyReport => ({
		valid: false,
		entries: count,
		headSeq: prev.seq,
		headHash: prev.hash,
		firstBadSeq: seq,
		problem,
		message,
	});

	const check = (entry: AuditEntry, where: string, next?: AuditEntry): VerifyReport | undefined => {
		const expected = prev.seq + 1;
		if (!Number.isSafeInteger(entry.seq) || entry.seq < 1) return bad('corrupt_record', expected, `${where}: seq ${String(entry.seq)} is not a positive integer`);
		if (entry.seq > expected) {
			return bad('deleted', expected, `${where}: entries ${expected}..${entry.seq - 1} are missing (found seq ${entry.seq} after ${prev.seq})`);
		}
		if (entry.seq < expected) {
			const kind: TrailProblem = seen.has(entry.seq) ? 'inserted' : 'reordered';
			return bad(kind, entry.seq, `${where}: seq ${entry.seq} appears after seq ${prev.seq}${kind === 'inserted' ? ' a second time' : ''}`);
		}
		const linkOk = entry.prevHash === prev.hash;
		const hashOk = linkOk && safeEqualHex(entryHash(entry), entry.hash);
		const macOk = safeEqualHex(entryMac(secret, entry.hash), entry.mac);
		if (hashOk && macOk) return undefined;
		if (hashOk && !macOk) macsBad++;
		// The next entry links to the one before this: this one was spliced in.
		if (next && next.seq === entry.seq && next.prevHash === prev.hash) {
			return bad('inserted', entry.seq, `${where}: entry seq ${entry.seq} was inserted (the entry after it links past it)`);
		}
		if (!linkOk) return bad('modified', entry.seq, `${where}: seq ${entry.seq} does not link to seq ${prev.seq} (prevHash differs): an entry was changed or replaced`);
		if (!hashOk) return bad('modified', entry.seq, `${where}: seq ${entry.seq} was modified after it was written (its hash does not match its content)`);
		return bad('modified', entry.seq, `${where}: seq ${entry.seq} has a MAC that does not verify with this signing secret: forged, or verified with the wrong secret`);
	};

	const checkpointHash = new Map(checkpoints.map((c) => [c.seq, c.hash] as const));
	const publishedAt = new Map(published.map((c) => [c.seq, c] as const));
	const accept = (entry: AuditEntry): VerifyReport | undefined => {
		const signed = checkpointHash.get(entry.seq);
		if (signed !== undefined && signed !== entry.hash) {
			return bad('modified', entry.seq, `seq ${entry.seq} differs from the signed checkpoint of it: the chain was rewritten from here on`);
		}
		const outside = publishedAt.get(entry.seq);
		if (outside !== undefined && outside.hash !== entry.hash) {
			return bad('modified', entry.seq, `seq ${entry.seq} differs from the head published at ${outside.ts}: the chain was rewritten from here on`);
		}
		seen.add(entry.seq);
		prev = { seq: entry.seq, hash: entry.hash };
		count++;
		hashesOk++;
		return undefined;
	};

	for (const cp of published) {
		// A published head is only evidence if this installation signed it (not a typo or a made-up one).
		if (!safeEqualHex(checkpointMac(cp.seq, cp.hash, cp.ts, secret), cp.mac)) {
			return bad('bad_checkpoint', cp.seq, `the published head of seq ${cp.seq} (${cp.ts}) has a MAC that does not verify: it was not signed with this trail's secret, or it was mistyped`);
		}
	}
	for await (const record of records as AsyncIterable<StoredRecord>) {
		if (pending) {
			failure = check(pending.entry, pending.where, 'entry' in record ? record.entry : undefined) ?? accept(pending.entry);
			pending = undefined;
			if (failure) break;
		}
		if ('corrupt' in record) {
			failure = bad('corrupt_record', prev.seq + 1, `${record.where}: ${record.corrupt}`);
			break;
		}
		pending = record;
	}
	if (!failure && pending) {
		failure = check(pending.entry, pending.where) ?? accept(pending.entry);
	}
	if (failure) {
		// Every hash intact but the very first MAC fails: almost surely the wrong secret, not a forgery.
		if (failure.problem === 'modified' && hashesOk === 0 && macsBad === 1 && failure.firstBadSeq === 1) {
			return { ...failure, problem: 'wrong_secret', message: `${failure.message}. If nothing was tampered with, the signing secret is not the one that wrote this trail.` };
		}
		return failure;
	}

	const latest = newest(checkpoints);
	for (const cp of checkpoints) {
		if (!safeEqualHex(checkpointMac(cp.seq, cp.hash, cp.ts, secret), cp.mac)) {
			return bad(count === 0 ? 'wrong_secret' : 'bad_checkpoint', cp.seq, `checkpoint at seq ${cp.seq} has a MAC that does not verify: forged, or the wrong signing secret`);
		}
	}
	if (latest && latest.seq > prev.seq) {
		return {
			...bad('truncated', prev.seq + 1, `the trail ends at seq ${prev.seq} but a signed checkpoint says it reached seq ${latest.seq}: the tail was truncated`),
			checkpointSeq: latest.seq,
		};
	}
	const furthest = newest(published);
	if (furthest && furthest.seq > prev.seq) {
		return {
			...bad('truncated', prev.seq + 1, `the trail ends at seq ${prev.seq} but the head published at ${furthest.ts} says it reached seq ${furthest.seq}: the tail was truncated, and its stored checkpoints with it`),
			checkpointSeq: latest?.seq,
		};
	}
	return {
		valid: true,
		entries: count,
		headSeq: prev.seq,
		headHash: prev.hash,
		checkpointSeq: latest?.seq,
		latestCheckpoint: latest,
		publishedChecked: published.length,
		message: `chain valid: ${count} entries, head seq ${prev.seq}${published.length > 0 ? `; it holds the ${published.length} published head(s) given` : ''}`,
	};
}

function newest(checkpoints: Checkpoint[]): Checkpoint | undefined {
	return checkpoints.reduce<Checkpoint | undefined>((best, c) => (best === undefined || c.seq > best.seq ? c : best), undefined);
}
