/**
 * Counts the Redis commands this process sends (each one a round trip for a sequential
 * writer), by name, by wrapping ioredis' `Redis.prototype.sendCommand`. Bench-only.
 */
import Redis from 'ioredis';

type SendCommand = (this: Redis, command: { name: string }, ...rest: unknown[]) => unknown;

const counts = new Map<string, number>();
let installed = false;
let enabled = false;

function install(): void {
	if (installed) return;
	installed = true;
	const proto = Redis.prototype as unknown as { sendCommand: SendCommand };
	const original = proto.sendCommand;
	proto.sendCommand = function (this: Redis, command: { name: string }, ...rest: unknown[]): unknown {
		if (enabled) counts.set(command.name, (counts.get(command.name) ?? 0) + 1);
		return original.call(this, command, ...rest);
	};
}

/** Starts counting from zero. */
export function startCounting(): void {
	install();
	counts.clear();
	enabled = true;
}

/** Stops counting; returns the commands sent since `startCounting`, by name. */
export function stopCounting(): Record<string, number> {
	enabled = false;
	return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}

/** "evalsha 3, set 1, hmget 1" per `per` calls, largest first. */
export function describeCounts(c: Record<string, number>, per: number): string {
	const parts = Object.entries(c).map(([name, n]) => `${name} ${(n / per).toFixed(n / per >= 10 ? 0 : 1)}`);
	return parts.length ? parts.join(', ') : 'none';
}

export function totalCount(c: Record<string, number>): number {
	return Object.values(c).reduce((a, b) => a + b, 0);
}
