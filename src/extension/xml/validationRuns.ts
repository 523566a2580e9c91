/**
 * What the editor does with each validation of a document, apart from vscode: its problems replace the document's
 * diagnostics; when validation cannot run (no schemas, the worker failed), the document's diagnostics are cleared,
 * since they may no longer be true, and the user is told once, until a validation works again.
 */
import type { ValidationResult, XmlProblem } from '../../libvirt/validation';

export interface ValidationSink<D> {
  /** Replaces the diagnostics of the document. */
  set(doc: D, problems: readonly XmlProblem[]): void;
  clear(doc: D): void;
  /** A notification to the user. */
  warn(message: string): void;
  /** A line in the output channel. */
  log(message: string): void;
}

export class ValidationRuns<D> {
  private warned = false;

  constructor(
    private readonly validate: (text: string) => Promise<ValidationResult>,
    private readonly sink: ValidationSink<D>,
  ) {}

  /** Validates `text` of `doc`; `current()` says whether the document still has that text. */
  async run(doc: D, text: string, current: () => boolean): Promise<void> {
    let r: ValidationResult;
    try {
      r = await this.validate(text);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      this.sink.log(`Validation could not run: ${why}`);
      // A newer run decides for a document changed since; this one's failure says nothing about it.
      if (current()) this.sink.clear(doc);
      if (!this.warned) {
        this.warned = true;
        this.sink.warn(`Domain XML cannot be checked against libvirt's schema, so no problems are shown: ${why}`);
      }
      return;
    }
    this.warned = false;
    if (current()) this.sink.set(doc, r.problems);
  }
}
