/**
 * Zeroed typed arrays carved from shared slabs. Allocating a small typed array of its own costs
 * microseconds (more than scanning a short e-mail), a view on an existing buffer does not. A slab
 * is never reused: it is collected when no array carved from it is left. Arrays longer than a
 * quarter of a slab are allocated on their own.
 */
export function carver<T extends Uint8Array | Int32Array>(make: (length: number) => T, slabLength: number): (length: number) => T {
	let slab = make(0);
	let used = 0;
	return (length: number): T => {
		if (length > slabLength / 4) return make(length);
		if (used + length > slab.length) {
			slab = make(slabLength);
			used = 0;
		}
		const out = slab.subarray(used, used + length) as T;
		used += length;
		return out;
	};
}
