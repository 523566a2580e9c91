/**
 * Which clones have an operation in flight, so the UI never starts two conflicting operations on one clone (the
 * service guards too; this one lets the UI skip with a reason and lets the tree show a spinner). Pure.
 */
export class BusyRegistry {
  private readonly ops = new Map<string, string>();
  private readonly listeners = new Set<(uuids: readonly string[]) => void>();

  /** Marks the free ones as busy with `label`; returns those it took and those already busy (with what). */
  acquire(
    uuids: readonly string[],
    label: string,
  ): { acquired: string[]; busy: { uuid: string; label: string }[] } {
    const acquired: string[] = [];
    const busy: { uuid: string; label: string }[] = [];
    for (const u of uuids) {
      const current = this.ops.get(u);
      if (current !== undefined) busy.push({ uuid: u, label: current });
      else {
        this.ops.set(u, label);
        acquired.push(u);
      }
    }
    if (acquired.length) this.fire(acquired);
    return { acquired, busy };
  }

  release(uuids: readonly string[]): void {
    const gone = uuids.filter((u) => this.ops.delete(u));
    if (gone.length) this.fire(gone);
  }

  /** What the clone is busy with, or undefined. */
  label(uuid: string): string | undefined {
    return this.ops.get(uuid);
  }

  get size(): number {
    return this.ops.size;
  }

  onChange(listener: (uuids: readonly string[]) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(uuids: readonly string[]): void {
    for (const l of this.listeners) l(uuids);
  }
}
