/**
 * A small in-memory cache with a time to live, kept per Lambda instance and bounded in size (the oldest
 * entry goes first). `getOrLoad` caches misses too (as `undefined`), so a flood of requests with a wrong
 * key costs one read per key and period.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V | undefined; expiresAt: number }>();
  /** Loads under way, shared by concurrent callers of the same key: one read, not one per caller. */
  private readonly loading = new Map<string, Promise<V | undefined>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value; `undefined` when absent, expired, or a cached miss. */
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    return hit && hit.expiresAt > this.now() ? hit.value : undefined;
  }

  set(key: string, value: V | undefined): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  async getOrLoad(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > this.now()) return hit.value;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = load().then((value) => {
        this.set(key, value);
        return value;
      });
      this.loading.set(key, pending);
      void pending.finally(() => this.loading.delete(key)).catch(() => undefined);
    }
    return pending;
  }
}
