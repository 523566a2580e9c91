/**
 * What has an operation in flight, so the UI never starts two conflicting operations on one thing (the service
 * guards too; this one lets the UI skip with a reason and lets the tree show a spinner). One registry per kind of
 * key: the tree keeps one of clones (by UUID) and one of templates being cloned (by name). Pure.
 */
export class BusyRegistry {
  private readonly ops = new Map<string, string>();
  private readonly listeners = new Set<(keys: readonly string[]) => void>();

  /** Marks the free ones as busy with `label`; returns those it took and those already busy (with what). */
  acquire(
    keys: readonly string[],
    label: string,
  ): { acquired: string[]; busy: { key: string; label: string }[] } {
    const acquired: string[] = [];
    const busy: { key: string; label: string }[] = [];
    for (const k of keys) {
      const current = this.ops.get(k);
      if (current !== undefined) busy.push({ key: k, label: current });
      else {
        this.ops.set(k, label);
        acquired.push(k);
      }
    }
    if (acquired.length) this.fire(acquired);
    return { acquired, busy };
  }

  release(keys: readonly string[]): void {
    const gone = keys.filter((k) => this.ops.delete(k));
    if (gone.length) this.fire(gone);
  }

  /** What the key is busy with, or undefined. */
  label(key: string): string | undefined {
    return this.ops.get(key);
  }

  get size(): number {
    return this.ops.size;
  }

  onChange(listener: (keys: readonly string[]) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(keys: readonly string[]): void {
    for (const l of this.listeners) l(keys);
  }
}
